from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from newretail.kernel.http import ApiRoute, Cursor, Limit, ScopeDep, SessionDep
from newretail.kernel.schemas import Page
from newretail.members import service
from newretail.members.consumer_router import router as consumer_router
from newretail.members.schemas import (
    BindingHistoryPage,
    BindingOutcomeRead,
    BindingPolicyRead,
    BindingPolicyUpdate,
    BindingResultRead,
    BindingUpdate,
    MemberCreate,
    MemberJoinRead,
    MemberProgramRead,
    MemberProgramUpdate,
    MemberRead,
    MemberUpdate,
    PointsEntryCreate,
    PointsEntryRead,
    RebindRequest,
    RebindResult,
)

router = APIRouter(tags=["members"], route_class=ApiRoute)
router.include_router(consumer_router)


@router.get("/members", response_model=Page[MemberRead])
def list_members(
    session: SessionDep,
    scope: ScopeDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    phone: Annotated[str | None, Query(max_length=32)] = None,
    member_no: Annotated[str | None, Query(max_length=20)] = None,
    tier: Annotated[str | None, Query(max_length=32)] = None,
    store_id: Annotated[int | None, Query(description="Actively bound to this store.")] = None,
    guide_id: Annotated[int | None, Query(description="Actively bound to this guide.")] = None,
) -> Page[MemberRead]:
    """Members you may see: brand roles all, store roles their stores', guides their own."""
    items, next_cursor = service.list_members(
        session=session,
        scope=scope,
        cursor=cursor,
        limit=limit,
        phone=phone,
        member_no=member_no,
        tier=tier,
        store_id=store_id,
        guide_id=guide_id,
    )
    return Page(items=items, next_cursor=next_cursor)


@router.post(
    "/members",
    response_model=MemberJoinRead,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "Already a member: the existing membership."}},
)
def join(
    data: MemberCreate, response: Response, session: SessionDep, scope: ScopeDep
) -> MemberJoinRead:
    """A consumer joins a brand, or staff register a consumer by phone in their store."""
    result = service.join(session=session, scope=scope, data=data)
    if not result.created:
        response.status_code = status.HTTP_200_OK
    view = service.member_view(session=session, scope=scope, member=result.member)
    outcome = result.binding
    return MemberJoinRead(
        **view.model_dump(),
        created=result.created,
        binding_result=(
            BindingResultRead(action=outcome.action.value, reason=outcome.reason)
            if outcome is not None
            else None
        ),
    )


@router.get("/members/{member_id}", response_model=MemberRead)
def read_member(member_id: int, session: SessionDep, scope: ScopeDep) -> MemberRead:
    return service.read_member(session=session, scope=scope, member_id=member_id)


@router.patch("/members/{member_id}", response_model=MemberRead)
def update_member(
    member_id: int, data: MemberUpdate, session: SessionDep, scope: ScopeDep
) -> MemberRead:
    """Change consents (the consumer, or staff recording what the consumer said)."""
    return service.update_consents(
        session=session, scope=scope, member_id=member_id, consents=data.consents
    )


@router.get("/members/{member_id}/binding", response_model=BindingHistoryPage)
def read_binding(
    member_id: int, session: SessionDep, scope: ScopeDep, cursor: Cursor = None, limit: Limit = 50
) -> BindingHistoryPage:
    """The current binding and its append-only history, oldest first."""
    return service.binding_history(
        session=session, scope=scope, member_id=member_id, cursor=cursor, limit=limit
    )


@router.put("/members/{member_id}/binding", response_model=BindingOutcomeRead)
def bind_member(
    member_id: int, data: BindingUpdate, session: SessionDep, scope: ScopeDep
) -> BindingOutcomeRead:
    """Managers bind a member by hand; this overrides the policy and its protection."""
    outcome = service.bind_manually(session=session, scope=scope, member_id=member_id, data=data)
    return service.outcome_read(outcome)


@router.get("/members/{member_id}/points", response_model=Page[PointsEntryRead])
def read_points(
    member_id: int, session: SessionDep, scope: ScopeDep, cursor: Cursor = None, limit: Limit = 50
) -> Page[PointsEntryRead]:
    items, next_cursor = service.ledger(
        session=session, scope=scope, member_id=member_id, cursor=cursor, limit=limit
    )
    return Page(items=[PointsEntryRead.model_validate(e) for e in items], next_cursor=next_cursor)


@router.post(
    "/members/{member_id}/points",
    response_model=PointsEntryRead,
    status_code=status.HTTP_201_CREATED,
)
def post_points(
    member_id: int, data: PointsEntryCreate, session: SessionDep, scope: ScopeDep
) -> PointsEntryRead:
    """Earn, spend or adjust points; a repeated (kind, reference) returns the first entry."""
    entry = service.post(session=session, scope=scope, member_id=member_id, data=data)
    return PointsEntryRead.model_validate(entry)


@router.get("/binding-policy", response_model=BindingPolicyRead)
def read_binding_policy(
    session: SessionDep, scope: ScopeDep, brand_id: int | None = None
) -> BindingPolicyRead:
    return service.get_policy(session=session, scope=scope, brand_id=brand_id)


@router.put("/binding-policy", response_model=BindingPolicyRead)
def update_binding_policy(
    data: BindingPolicyUpdate, session: SessionDep, scope: ScopeDep
) -> BindingPolicyRead:
    """Brand admins: first_wins, register_only or override, with protection and expiry."""
    return service.put_policy(session=session, scope=scope, data=data)


@router.get("/member-program", response_model=MemberProgramRead)
def read_member_program(
    session: SessionDep, scope: ScopeDep, brand_id: int | None = None
) -> MemberProgramRead:
    return service.get_programme(session=session, scope=scope, brand_id=brand_id)


@router.put("/member-program", response_model=MemberProgramRead)
def update_member_program(
    data: MemberProgramUpdate, session: SessionDep, scope: ScopeDep
) -> MemberProgramRead:
    """Brand admins: tiers (by points or spend over a window) and points expiry."""
    return service.put_programme(session=session, scope=scope, data=data)


@router.get("/guides/{guide_id}/members", response_model=Page[MemberRead])
def list_guide_members(
    guide_id: int, session: SessionDep, scope: ScopeDep, cursor: Cursor = None, limit: Limit = 50
) -> Page[MemberRead]:
    items, next_cursor = service.list_guide_members(
        session=session, scope=scope, guide_id=guide_id, cursor=cursor, limit=limit
    )
    return Page(items=items, next_cursor=next_cursor)


@router.post("/guides/{guide_id}/rebind", response_model=RebindResult)
def rebind_guide_members(
    guide_id: int, data: RebindRequest, session: SessionDep, scope: ScopeDep
) -> RebindResult:
    """Move all of a guide's members to one guide of their store, or spread them evenly."""
    return service.rebind_guide_members(session=session, scope=scope, guide_id=guide_id, data=data)
