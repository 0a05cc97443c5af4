from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy.orm import Session

from newretail.auth import service
from newretail.auth.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    MeRead,
    StaffCreate,
    StaffRead,
    StaffRolesUpdate,
    StaffUpdate,
    TokenRead,
    TokenRequest,
)
from newretail.kernel.http import ApiRoute, Cursor, Limit, ScopeDep, SessionDep
from newretail.kernel.schemas import Page
from newretail.kernel.scope import Role

router = APIRouter(tags=["auth"], route_class=ApiRoute)


def _commit(session: Session) -> None:
    session.commit()


@router.post("/auth/token", response_model=TokenRead)
def create_token(data: TokenRequest, session: SessionDep) -> TokenRead:
    """Log in with username and password; get a short-lived bearer token."""
    result = service.login(
        session=session, username=data.username, password=data.password.get_secret_value()
    )
    _commit(session)  # failed attempts must be counted even though we answer with an error
    staff = service.check_login(result)
    service.scope_for_staff(session=session, staff=staff)
    token, expires = service.issue_staff_token(staff=staff)
    return TokenRead(access_token=token, expires_at=expires)


@router.get("/auth/me", response_model=MeRead)
async def me(scope: ScopeDep) -> MeRead:
    return MeRead(
        actor_type=scope.actor_type,
        actor_id=scope.actor_id,
        display_name=scope.display_name,
        brand_id=scope.brand_id,
        roles=sorted(scope.roles),
        store_ids=sorted(scope.store_ids) if scope.store_ids is not None else None,
    )


@router.post("/staff", response_model=StaffRead, status_code=status.HTTP_201_CREATED)
def create_staff(data: StaffCreate, session: SessionDep, scope: ScopeDep) -> StaffRead:
    return StaffRead.model_validate(service.create_staff(session=session, scope=scope, data=data))


@router.get("/staff", response_model=Page[StaffRead])
def list_staff(
    session: SessionDep,
    scope: ScopeDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    role: Annotated[Role | None, Query()] = None,
    store_id: int | None = None,
) -> Page[StaffRead]:
    items, next_cursor = service.list_staff(
        session=session, scope=scope, cursor=cursor, limit=limit, role=role, store_id=store_id
    )
    return Page(items=[StaffRead.model_validate(s) for s in items], next_cursor=next_cursor)


@router.get("/staff/{staff_id}", response_model=StaffRead)
def get_staff(staff_id: int, session: SessionDep, scope: ScopeDep) -> StaffRead:
    return StaffRead.model_validate(
        service.get_staff(session=session, scope=scope, staff_id=staff_id)
    )


@router.patch("/staff/{staff_id}", response_model=StaffRead)
def update_staff(
    staff_id: int, data: StaffUpdate, session: SessionDep, scope: ScopeDep
) -> StaffRead:
    staff = service.update_staff(session=session, scope=scope, staff_id=staff_id, data=data)
    return StaffRead.model_validate(staff)


@router.put("/staff/{staff_id}/roles", response_model=StaffRead)
def replace_roles(
    staff_id: int, data: StaffRolesUpdate, session: SessionDep, scope: ScopeDep
) -> StaffRead:
    staff = service.replace_roles(
        session=session, scope=scope, staff_id=staff_id, grants=data.roles
    )
    return StaffRead.model_validate(staff)


@router.post("/api-keys", response_model=ApiKeyCreated, status_code=status.HTTP_201_CREATED)
def create_api_key(data: ApiKeyCreate, session: SessionDep, scope: ScopeDep) -> ApiKeyCreated:
    key, full = service.create_api_key(session=session, scope=scope, data=data)
    return ApiKeyCreated.model_validate(
        {**ApiKeyRead.model_validate(key).model_dump(), "key": full}
    )


@router.get("/api-keys", response_model=Page[ApiKeyRead])
def list_api_keys(
    session: SessionDep, scope: ScopeDep, cursor: Cursor = None, limit: Limit = 50
) -> Page[ApiKeyRead]:
    items, next_cursor = service.list_api_keys(
        session=session, scope=scope, cursor=cursor, limit=limit
    )
    return Page(items=[ApiKeyRead.model_validate(k) for k in items], next_cursor=next_cursor)


@router.get("/api-keys/{api_key_id}", response_model=ApiKeyRead)
def get_api_key(api_key_id: int, session: SessionDep, scope: ScopeDep) -> ApiKeyRead:
    key = service.get_api_key(session=session, scope=scope, api_key_id=api_key_id)
    return ApiKeyRead.model_validate(key)


@router.delete("/api-keys/{api_key_id}", response_model=ApiKeyRead)
def revoke_api_key(api_key_id: int, session: SessionDep, scope: ScopeDep) -> ApiKeyRead:
    """Revoke a key: it stops working at once. The record stays for the audit trail."""
    key = service.revoke_api_key(session=session, scope=scope, api_key_id=api_key_id)
    return ApiKeyRead.model_validate(key)
