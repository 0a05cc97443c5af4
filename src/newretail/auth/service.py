"""Logging in, resolving a caller's scope, staff accounts and API keys."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, exists, select, update
from sqlalchemy.orm import Session

from newretail.audit import service as audit_service
from newretail.auth import errors, security
from newretail.auth.cache import ScopeCache, cache_of
from newretail.auth.levels import GuideLevel
from newretail.auth.models import ApiKey, LoginThrottle, RoleAssignment, Staff
from newretail.auth.schemas import ApiKeyCreate, RoleGrant, StaffCreate, StaffUpdate
from newretail.config import get_settings
from newretail.db import Database, database_of, utcnow
from newretail.kernel import upserts, visibility
from newretail.kernel.errors import PermissionDenied, TooManyRequests
from newretail.kernel.pagination import paginate
from newretail.kernel.scope import BRAND_WIDE_ROLES, REGION_ROLES, STORE_ROLES, Role, Scope
from newretail.org import service as org_service
from newretail.outbox import service as outbox_service

# ---- login ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginResult:
    staff: Staff | None
    retry_after: int = 0


def _throttle_key(username: str) -> str:
    return f"staff:{username.strip().lower()}"


def login(*, session: Session, username: str, password: str) -> LoginResult:
    """Check a password. Failures are counted (the caller must commit even on failure)."""
    key = _throttle_key(username)
    now = utcnow()
    throttle = session.get(LoginThrottle, key)
    if throttle and throttle.locked_until and throttle.locked_until > now:
        wait = int((throttle.locked_until - now).total_seconds()) + 1
        return LoginResult(staff=None, retry_after=wait)
    staff = session.scalar(select(Staff).where(Staff.username == username.strip()))
    ok = security.verify_password(staff.password_hash if staff else None, password)
    if ok and staff is not None:
        session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == key)
            .values(failures=0, locked_until=None, updated_at=now)
        )
        return LoginResult(staff=staff)
    _count_failure(session, key, now)
    return LoginResult(staff=None)


def _count_failure(session: Session, key: str, now: datetime) -> None:
    """Atomically add one failure; past the allowance, lock for a doubling period."""
    settings = get_settings()
    stmt = upserts.insert(session, LoginThrottle).values(key=key, failures=1, updated_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=[LoginThrottle.key],
        set_={"failures": LoginThrottle.failures + 1, "updated_at": now},
    )
    session.execute(stmt)
    failures = session.scalar(select(LoginThrottle.failures).where(LoginThrottle.key == key)) or 0
    over = failures - settings.login_max_failures
    if over >= 0:
        seconds = min(
            settings.login_lockout_base_seconds * 2**over, settings.login_lockout_max_seconds
        )
        session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == key)
            .values(locked_until=now + timedelta(seconds=seconds))
        )


def check_login(result: LoginResult) -> Staff:
    """Turn a login result into the staff member or the right error."""
    if result.retry_after:
        raise TooManyRequests(
            "Too many failed logins; try again later.",
            headers={"Retry-After": str(result.retry_after)},
        )
    if result.staff is None:
        raise errors.BadCredentials()
    return result.staff


def issue_staff_token(*, staff: Staff, ttl_seconds: int | None = None) -> tuple[str, datetime]:
    return security.issue_token(
        subject_type="staff", subject_id=staff.id, brand_id=staff.brand_id, ttl_seconds=ttl_seconds
    )


def issue_consumer_token(
    *, consumer_id: int, ttl_seconds: int | None = None
) -> tuple[str, datetime]:
    """A consumer's bearer token; members check that the consumer still exists on use."""
    return security.issue_token(
        subject_type="consumer", subject_id=consumer_id, brand_id=None, ttl_seconds=ttl_seconds
    )


# ---- resolving scopes -----------------------------------------------------------------
#
# A consumer token carries all its scope needs (the consumer's id), signed and short-lived:
# no database read. A staff token or an API key is resolved from the database once and
# then kept in this process's scope cache (see ``auth.cache``) for a few seconds.


def known_scope(*, database: Database | None, token: str) -> Scope | None:
    """The scope of ``token`` if it is known without reading the database, else None.

    Raises InvalidToken for a token that can never be valid (bad signature, expired).
    """
    if token.startswith(security.API_KEY_PREFIX + "_"):
        parts = security.split_api_key(token)
        if parts is None:
            raise errors.InvalidToken()
        return _cached_api_key(cache_of(database), *parts)
    claims = _claims(token)
    if claims.subject_type == "consumer":
        return _consumer_scope(claims)
    cache = cache_of(database)
    return None if cache is None else cache.get(("staff", claims.subject_id))


def scope_from_token(*, session: Session, token: str) -> Scope:
    """The scope of a bearer token: a staff or consumer access token, or an integration API key."""
    database = database_of(session)
    known = known_scope(database=database, token=token)
    if known is not None:
        return known
    cache = cache_of(database)
    generation = cache.generation if cache is not None else 0
    if token.startswith(security.API_KEY_PREFIX + "_"):
        key, scope = _scope_for_api_key(session, token)
        if cache is not None:
            cache.put(("api_key", key.prefix), (key.secret_hash, scope), generation=generation)
        return scope
    claims = _claims(token)
    if claims.subject_type != "staff":
        raise errors.InvalidToken()
    staff = session.get(Staff, claims.subject_id)
    if staff is None:
        raise errors.InvalidToken()
    scope = scope_for_staff(session=session, staff=staff)
    if cache is not None:
        cache.put(("staff", staff.id), scope, generation=generation)
    return scope


def _claims(token: str) -> security.TokenClaims:
    claims = security.read_token(token)
    if claims is None or claims.subject_type not in ("staff", "consumer"):
        raise errors.InvalidToken()
    return claims


def _consumer_scope(claims: security.TokenClaims) -> Scope:
    return Scope(actor_type="consumer", actor_id=claims.subject_id, roles=frozenset())


def _cached_api_key(cache: ScopeCache | None, prefix: str, secret: str) -> Scope | None:
    """A key seen lately, if ``secret`` matches the hash it was stored with."""
    entry = cache.get(("api_key", prefix)) if cache is not None else None
    if entry is None:
        return None
    secret_hash, scope = entry
    if not security.secrets_match(secret_hash, secret):
        raise errors.InvalidToken()
    assert isinstance(scope, Scope)
    return scope


def _scope_for_api_key(session: Session, token: str) -> tuple[ApiKey, Scope]:
    parts = security.split_api_key(token)
    if parts is None:
        raise errors.InvalidToken()
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[0]))
    if (
        key is None
        or key.revoked_at is not None
        or not security.secrets_match(key.secret_hash, parts[1])
    ):
        raise errors.InvalidToken()
    if org_service.live_brand(session=session, brand_id=key.brand_id) is None:
        raise errors.BrandDeleted()
    scope = Scope(
        actor_type="api_key",
        actor_id=key.id,
        roles=frozenset({Role.INTEGRATION}),
        brand_id=key.brand_id,
        display_name=key.name,
    )
    return key, scope


def scope_for_staff(*, session: Session, staff: Staff) -> Scope:
    if not staff.is_active:
        raise errors.AccountInactive()
    if (
        staff.brand_id is not None
        and org_service.live_brand(session=session, brand_id=staff.brand_id) is None
    ):
        raise errors.BrandDeleted()
    roles = frozenset(Role(assignment.role) for assignment in staff.roles)
    base = {
        "actor_type": "staff",
        "actor_id": staff.id,
        "roles": roles,
        "brand_id": staff.brand_id,
        "display_name": staff.display_name,
        "locale": staff.locale,
    }
    if Role.PLATFORM_ADMIN in roles or roles & BRAND_WIDE_ROLES or staff.brand_id is None:
        return Scope(**base)  # type: ignore[arg-type]
    region_roots = {a.region_id for a in staff.roles if a.region_id and a.role in REGION_ROLES}
    regions = org_service.subtree_region_ids(
        session=session, brand_id=staff.brand_id, root_ids=region_roots
    )
    stores = org_service.store_ids_in_regions(
        session=session, brand_id=staff.brand_id, region_ids=regions
    )
    own_stores = {a.store_id for a in staff.roles if a.store_id and a.role in STORE_ROLES}
    stores |= own_stores
    regions |= org_service.region_ids_of_stores(session=session, store_ids=own_stores)
    return Scope(**base, region_ids=frozenset(regions), store_ids=frozenset(stores))  # type: ignore[arg-type]


# ---- staff ----------------------------------------------------------------------------


def _assigned(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(RoleAssignment.staff_id == Staff.id, condition)


# Staff are seen where they hold a role: at a store or in a region the caller sees.
STAFF = visibility.Ladder(
    brand=Staff.brand_id,
    regions=(visibility.Link(lambda ids: _assigned(RoleAssignment.region_id.in_(ids))),),
    stores=(visibility.Link(lambda ids: _assigned(RoleAssignment.store_id.in_(ids))),),
)
# API keys are the brand's alone: only brand-wide callers see them.
API_KEYS = visibility.Ladder(brand=ApiKey.brand_id)


def _staff_query(scope: Scope) -> Select[Staff]:
    return visibility.restrict(select(Staff), scope, STAFF)


def get_staff(*, session: Session, scope: Scope, staff_id: int) -> Staff:
    staff = session.scalar(_staff_query(scope).where(Staff.id == staff_id))
    if staff is None:
        raise errors.StaffNotFound()
    return staff


def list_staff(
    *,
    session: Session,
    scope: Scope,
    cursor: str | None,
    limit: int,
    role: Role | None = None,
    store_id: int | None = None,
) -> tuple[list[Staff], str | None]:
    query = _staff_query(scope)
    if role is not None or store_id is not None:
        assignment = exists().where(RoleAssignment.staff_id == Staff.id)
        if role is not None:
            assignment = assignment.where(RoleAssignment.role == role.value)
        if store_id is not None:
            assignment = assignment.where(RoleAssignment.store_id == store_id)
        query = query.where(assignment)
    return paginate(session=session, query=query, id_column=Staff.id, cursor=cursor, limit=limit)


def _check_grant(session: Session, scope: Scope, brand_id: int | None, grant: RoleGrant) -> None:
    """A caller may grant a role only inside their own scope, never above their own level."""
    role = grant.role
    if role == Role.PLATFORM_ADMIN:
        scope.require(Role.PLATFORM_ADMIN)
        if brand_id is not None or grant.region_id or grant.store_id:
            raise errors.InvalidRoleScope("A platform admin belongs to no brand.")
        return
    if brand_id is None:
        raise errors.InvalidRoleScope("Brand roles need a brand.")
    if role in BRAND_WIDE_ROLES:
        scope.require(Role.BRAND_ADMIN)
        if grant.region_id or grant.store_id:
            raise errors.InvalidRoleScope(f"{role} is brand-wide; give no region or store.")
    elif role in REGION_ROLES:
        scope.require(Role.BRAND_ADMIN, Role.REGION_MANAGER)
        if grant.region_id is None or grant.store_id is not None:
            raise errors.InvalidRoleScope(f"{role} needs a region_id and no store_id.")
        region = org_service.get_region(session=session, scope=scope, region_id=grant.region_id)
        if region.brand_id != brand_id:
            raise errors.InvalidRoleScope("The region belongs to another brand.")
    else:
        allowed = [Role.BRAND_ADMIN, Role.REGION_MANAGER]
        if role != Role.STORE_MANAGER:
            allowed.append(Role.STORE_MANAGER)
        scope.require(*allowed)
        if grant.store_id is None or grant.region_id is not None:
            raise errors.InvalidRoleScope(f"{role} needs a store_id and no region_id.")
        store = org_service.get_store(session=session, scope=scope, store_id=grant.store_id)
        if store.brand_id != brand_id:
            raise errors.InvalidRoleScope("The store belongs to another brand.")


def _assignments(brand_id: int | None, grants: list[RoleGrant]) -> list[RoleAssignment]:
    unique = {(g.role.value, g.region_id, g.store_id) for g in grants}
    return [
        RoleAssignment(brand_id=brand_id, role=role, region_id=region_id, store_id=store_id)
        for role, region_id, store_id in sorted(unique, key=str)
    ]


def create_staff(*, session: Session, scope: Scope, data: StaffCreate) -> Staff:
    platform_only = all(grant.role == Role.PLATFORM_ADMIN for grant in data.roles)
    brand_id = None if platform_only and scope.is_platform else scope.target_brand(data.brand_id)
    if brand_id is not None:
        org_service.get_brand(session=session, scope=scope, brand_id=brand_id)
    for grant in data.roles:
        _check_grant(session, scope, brand_id, grant)
    if session.scalar(select(exists().where(Staff.username == data.username))):
        raise errors.UsernameTaken()
    staff = Staff(
        brand_id=brand_id,
        username=data.username,
        display_name=data.display_name,
        password_hash=security.hash_password(data.password.get_secret_value()),
        locale=data.locale,
        roles=_assignments(brand_id, data.roles),
    )
    session.add(staff)
    session.flush()
    roles = [grant.model_dump(mode="json") for grant in data.roles]
    audit_service.write(
        session=session,
        scope=scope,
        action="staff.created",
        target_type="staff",
        target_id=staff.id,
        brand_id=brand_id,
        details={"username": staff.username, "roles": roles},
    )
    outbox_service.record(
        session=session,
        brand_id=brand_id,
        type="staff.created",
        resource_type="staff",
        resource_id=staff.id,
        payload={
            "id": staff.id,
            "username": staff.username,
            "display_name": staff.display_name,
            "roles": roles,
        },
    )
    return staff


def update_staff(*, session: Session, scope: Scope, staff_id: int, data: StaffUpdate) -> Staff:
    staff = get_staff(session=session, scope=scope, staff_id=staff_id)
    if scope.actor_id != staff.id or scope.actor_type != "staff":
        scope.require(Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "is_active" in changes and changes["is_active"] != staff.is_active:
        if staff.id == scope.actor_id and scope.actor_type == "staff":
            raise PermissionDenied("You cannot deactivate yourself.")
        staff.is_active = changes["is_active"]
        staff.left_at = None if staff.is_active else utcnow()
        audit_service.write(
            session=session,
            scope=scope,
            action="staff.activation_changed",
            target_type="staff",
            target_id=staff.id,
            brand_id=staff.brand_id,
            details={"is_active": staff.is_active},
        )
    if data.password is not None:
        staff.password_hash = security.hash_password(data.password.get_secret_value())
        audit_service.write(
            session=session,
            scope=scope,
            action="staff.password_changed",
            target_type="staff",
            target_id=staff.id,
            brand_id=staff.brand_id,
        )
    for field in ("display_name", "locale"):
        if field in changes:
            setattr(staff, field, changes[field])
    if "guide_level" in data.model_fields_set:
        set_guide_level(session=session, scope=scope, staff=staff, level=data.guide_level)
    session.flush()
    return staff


def set_guide_level(
    *, session: Session, scope: Scope, staff: Staff, level: GuideLevel | None
) -> None:
    """A manager sets a guide's level (never their own); the change is audited."""
    if staff.id == scope.actor_id and scope.actor_type == "staff":
        raise PermissionDenied("You cannot set your own level.")
    scope.require(Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER)
    value = level.value if level is not None else None
    if value == staff.guide_level:
        return
    staff.guide_level = value
    audit_service.write(
        session=session,
        scope=scope,
        action="staff.guide_level_changed",
        target_type="staff",
        target_id=staff.id,
        brand_id=staff.brand_id,
        details={"guide_level": value},
    )


def replace_roles(
    *, session: Session, scope: Scope, staff_id: int, grants: list[RoleGrant]
) -> Staff:
    """Replace all of a staff member's roles; the caller must be able to grant each one."""
    staff = get_staff(session=session, scope=scope, staff_id=staff_id)
    if staff.id == scope.actor_id and scope.actor_type == "staff":
        raise PermissionDenied("You cannot change your own roles.")
    for grant in grants:
        _check_grant(session, scope, staff.brand_id, grant)
    for assignment in staff.roles:
        _check_grant(
            session,
            scope,
            staff.brand_id,
            RoleGrant.model_validate(
                {
                    "role": assignment.role,
                    "region_id": assignment.region_id,
                    "store_id": assignment.store_id,
                }
            ),
        )
    before = sorted(a.role for a in staff.roles)
    staff.roles.clear()
    session.flush()
    staff.roles.extend(_assignments(staff.brand_id, grants))
    session.flush()
    audit_service.write(
        session=session,
        scope=scope,
        action="staff.roles_changed",
        target_type="staff",
        target_id=staff.id,
        brand_id=staff.brand_id,
        details={"before": before, "after": [g.model_dump(mode="json") for g in grants]},
    )
    return staff


# ---- API keys -------------------------------------------------------------------------


def create_api_key(*, session: Session, scope: Scope, data: ApiKeyCreate) -> tuple[ApiKey, str]:
    """A new key and its full secret, which is returned this once and never stored."""
    scope.require(Role.BRAND_ADMIN)
    brand_id = scope.target_brand(data.brand_id)
    org_service.get_brand(session=session, scope=scope, brand_id=brand_id)
    full, prefix, secret_hash = security.new_api_key()
    key = ApiKey(
        brand_id=brand_id,
        name=data.name,
        prefix=prefix,
        secret_hash=secret_hash,
        created_by=scope.actor_id,
    )
    session.add(key)
    session.flush()
    audit_service.write(
        session=session,
        scope=scope,
        action="api_key.created",
        target_type="api_key",
        target_id=key.id,
        brand_id=brand_id,
        details={"name": key.name, "prefix": prefix},
    )
    return key, full


def _api_key_query(scope: Scope) -> Select[ApiKey]:
    return visibility.restrict(select(ApiKey), scope, API_KEYS)


def list_api_keys(
    *, session: Session, scope: Scope, cursor: str | None, limit: int
) -> tuple[list[ApiKey], str | None]:
    scope.require(Role.BRAND_ADMIN)
    return paginate(
        session=session,
        query=_api_key_query(scope),
        id_column=ApiKey.id,
        cursor=cursor,
        limit=limit,
    )


def get_api_key(*, session: Session, scope: Scope, api_key_id: int) -> ApiKey:
    key = session.scalar(_api_key_query(scope).where(ApiKey.id == api_key_id))
    if key is None:
        raise errors.ApiKeyNotFound()
    scope.require(Role.BRAND_ADMIN)
    return key


def revoke_api_key(*, session: Session, scope: Scope, api_key_id: int) -> ApiKey:
    key = get_api_key(session=session, scope=scope, api_key_id=api_key_id)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        audit_service.write(
            session=session,
            scope=scope,
            action="api_key.revoked",
            target_type="api_key",
            target_id=key.id,
            brand_id=key.brand_id,
        )
        session.flush()
    return key
