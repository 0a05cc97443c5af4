"""The cloud store's use cases, for routers, pages and other domains (import only this module).

stores.py     public codes, stores near a point (``org_service``), where else a store sells from
sections.py   what the home page is made of, read in the page's session
home.py       the page in parts (shared, stock, the member's own), and its section registries
homecache.py  this process's cache of home pages: single flight, events, stock every second
cache.py      the single-flight slot the cache is made of
benefits.py   the member's own part of the page
admin.py      brand policy, store activities and featured SKUs (staff, scoped)
"""

from datetime import datetime

from sqlalchemy.orm import Session

from newretail.cloudstore.admin import (
    create_activity,
    delete_activity,
    get_activity,
    get_featured,
    get_settings,
    list_activities,
    policy_for,
    put_settings,
    set_featured,
    update_activity,
)
from newretail.cloudstore.home import (
    MEMBER_SECTIONS,
    SECTIONS,
    Home,
    Reader,
    Registry,
    Timed,
    compose,
    read_member,
    read_shared,
    read_stock,
)
from newretail.cloudstore.homecache import Caller, HomeCache, home_cache
from newretail.cloudstore.sections import HomeContext
from newretail.cloudstore.stores import (
    CloudStore,
    fulfilment,
    get_cloud_store,
    nearby_stores,
    stocked_elsewhere,
)
from newretail.db import Database, utcnow
from newretail.kernel.scope import Scope

__all__ = [
    "MEMBER_SECTIONS",
    "SECTIONS",
    "Caller",
    "CloudStore",
    "Home",
    "HomeCache",
    "HomeContext",
    "Reader",
    "Registry",
    "Timed",
    "cached_home",
    "create_activity",
    "delete_activity",
    "fulfilment",
    "get_activity",
    "get_cloud_store",
    "get_featured",
    "get_settings",
    "home",
    "home_cache",
    "list_activities",
    "nearby_stores",
    "policy_for",
    "put_settings",
    "set_featured",
    "stocked_elsewhere",
    "update_activity",
]


def home(
    *,
    session: Session,
    code: str,
    member: Scope | None = None,
    now: datetime | None = None,
    extra: Registry[Reader] = SECTIONS,
) -> Home:
    """The home page of cloud store ``code`` read afresh in ``session`` (and nothing else).

    ``CloudStoreNotFound`` for no such store; any database error is the caller's.
    """
    now = now or utcnow()
    shared = read_shared(session=session, code=code, now=now, extra=extra)
    stock = read_stock(session=session, shared=shared, now=now)
    personal = read_member(session=session, shared=shared, member=member, now=now)
    return compose(shared, stock, personal, now)


def cached_home(
    *,
    database: Database,
    code: str,
    caller: Caller | None = None,
    name: str = "api",
    extra: Registry[Reader] = SECTIONS,
) -> Home:
    """The home page of cloud store ``code`` from this process's cache ``name`` (see
    ``homecache``); only the member's own part is read for the request, in a session where
    ``caller`` says who the member is."""
    cache = home_cache(database, name=name, extra=extra)
    return cache.home(code=code, caller=caller)
