from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from newretail.auth import service as auth_service
from newretail.kernel.http import ApiRoute, Cursor, Limit, ScopeDep, SessionDep
from newretail.kernel.schemas import Id, Page
from newretail.members import service
from newretail.members.schemas import (
    AddressCreate,
    AddressFields,
    AddressRead,
    ConsumerMeRead,
    ConsumerRead,
    ConsumerTokenRead,
    ConsumerTokenRequest,
    IdentifierCreate,
    MergeCreate,
    MergeRead,
    OtpRequest,
    OtpSent,
)

router = APIRouter(tags=["consumers"], route_class=ApiRoute)
_log_sender = service.LogOtpSender()


def _sender(request: Request) -> service.OtpSender:
    """The app's sender (``app.state.otp_sender``), else the demo sender that logs codes."""
    sender: service.OtpSender | None = getattr(request.app.state, "otp_sender", None)
    return sender if sender is not None else _log_sender


@router.post("/consumers/otp", response_model=OtpSent, status_code=status.HTTP_202_ACCEPTED)
def send_otp(data: OtpRequest, request: Request, session: SessionDep) -> OtpSent:
    """Text a one-time login code to a phone (sign-up and log-in are the same flow)."""
    sent = service.send_code(
        session=session, phone=data.phone, sender=_sender(request), brand_id=data.brand_id
    )
    return OtpSent(phone=sent.phone, expires_at=sent.expires_at, resend_after=sent.resend_after)


@router.post("/consumers/token", response_model=ConsumerTokenRead)
def create_consumer_token(data: ConsumerTokenRequest, session: SessionDep) -> ConsumerTokenRead:
    """Trade a phone and its code for a consumer token; a new phone signs the consumer up."""
    result = service.verify_code(
        session=session, phone=data.phone, code=data.code, brand_id=data.brand_id
    )
    session.commit()  # wrong tries must count even though we answer with an error
    phone = service.check_otp(result)
    extra = [
        (kind, value)
        for kind, value in (
            (service.IdentifierKind.UNION_ID, data.union_id),
            (service.IdentifierKind.DEVICE, data.device_id),
            (service.IdentifierKind.ANONYMOUS, data.anonymous_id),
        )
        if value is not None
    ]
    consumer_id, created = service.sign_in(session=session, phone=phone, extra=extra)
    token, expires = auth_service.issue_consumer_token(consumer_id=consumer_id)
    return ConsumerTokenRead(
        access_token=token, expires_at=expires, consumer_id=consumer_id, created=created
    )


@router.get("/consumers/me", response_model=ConsumerMeRead)
def read_me(session: SessionDep, scope: ScopeDep) -> ConsumerMeRead:
    return service.me(session=session, scope=scope)


@router.post(
    "/consumers/me/identifiers", response_model=ConsumerMeRead, status_code=status.HTTP_201_CREATED
)
def add_identifier(data: IdentifierCreate, session: SessionDep, scope: ScopeDep) -> ConsumerMeRead:
    """Link a union, device or anonymous id; a record holding it merges in where allowed."""
    kind = service.IdentifierKind(data.kind)
    return service.add_identifier(session=session, scope=scope, kind=kind, value=data.value)


# ---- the address book ------------------------------------------------------------------

AddressBrand = Annotated[Id, Query(description="The brand whose address book to use.")]


@router.get("/consumers/me/addresses", response_model=list[AddressRead])
def list_addresses(
    session: SessionDep, scope: ScopeDep, brand_id: AddressBrand
) -> list[AddressRead]:
    """The signed-in consumer's addresses with one brand, the default first."""
    items = service.list_addresses(session=session, scope=scope, brand_id=brand_id)
    return [AddressRead.model_validate(a) for a in items]


@router.post(
    "/consumers/me/addresses", response_model=AddressRead, status_code=status.HTTP_201_CREATED
)
def add_address(data: AddressCreate, session: SessionDep, scope: ScopeDep) -> AddressRead:
    """Keep a delivery address (at most 20 a brand); the first one becomes the default."""
    fields = AddressFields.model_validate(data.model_dump(exclude={"brand_id"}))
    address = service.add_address(session=session, scope=scope, brand_id=data.brand_id, data=fields)
    return AddressRead.model_validate(address)


@router.get("/consumers/me/addresses/{address_id}", response_model=AddressRead)
def read_address(address_id: int, session: SessionDep, scope: ScopeDep) -> AddressRead:
    return AddressRead.model_validate(
        service.get_address(session=session, scope=scope, address_id=address_id)
    )


@router.put("/consumers/me/addresses/{address_id}", response_model=AddressRead)
def change_address(
    address_id: int, data: AddressFields, session: SessionDep, scope: ScopeDep
) -> AddressRead:
    """Replace an address; ``is_default`` true makes it the default."""
    address = service.change_address(session=session, scope=scope, address_id=address_id, data=data)
    return AddressRead.model_validate(address)


@router.post("/consumers/me/addresses/{address_id}/default", response_model=AddressRead)
def make_default_address(address_id: int, session: SessionDep, scope: ScopeDep) -> AddressRead:
    address = service.make_default(session=session, scope=scope, address_id=address_id)
    return AddressRead.model_validate(address)


@router.delete("/consumers/me/addresses/{address_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_address(address_id: int, session: SessionDep, scope: ScopeDep) -> None:
    """Delete an address; when it was the default, the latest changed one left takes over."""
    service.delete_address(session=session, scope=scope, address_id=address_id)


@router.get("/consumers", response_model=Page[ConsumerRead])
def lookup_consumers(
    session: SessionDep,
    scope: ScopeDep,
    phone: Annotated[str | None, Query(max_length=32, description="Exact, any format.")] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[ConsumerRead]:
    """Staff: consumers who are members of your brand; by exact phone, across the brand."""
    items, next_cursor = service.lookup(
        session=session, scope=scope, phone=phone, cursor=cursor, limit=limit
    )
    return Page(items=items, next_cursor=next_cursor)


@router.get("/consumers/merges", response_model=Page[MergeRead])
def list_merges(
    session: SessionDep,
    scope: ScopeDep,
    consumer_id: int | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[MergeRead]:
    """Platform operators: the merge log."""
    items, next_cursor = service.list_merges(
        session=session, scope=scope, consumer_id=consumer_id, cursor=cursor, limit=limit
    )
    return Page(items=[MergeRead.model_validate(m) for m in items], next_cursor=next_cursor)


@router.post("/consumers/merges", response_model=MergeRead, status_code=status.HTTP_201_CREATED)
def merge_consumers(data: MergeCreate, session: SessionDep, scope: ScopeDep) -> MergeRead:
    """Platform operators: merge two records of one person (the same rules as automatic ones)."""
    merge = service.merge_consumers(
        session=session, scope=scope, consumer_id=data.consumer_id, other_id=data.other_consumer_id
    )
    return MergeRead.model_validate(merge)


@router.post("/consumers/merges/{merge_id}/undo", response_model=MergeRead)
def undo_merge(merge_id: int, session: SessionDep, scope: ScopeDep) -> MergeRead:
    """Platform operators: split a merged consumer back exactly as it was."""
    return MergeRead.model_validate(
        service.undo_merge(session=session, scope=scope, merge_id=merge_id)
    )
