"""The cloud store's use cases, for routers, pages and other domains (import only this module).

stores.py    public codes, stores near a point, where else a store can sell from
home.py      the section registry and the parallel, budgeted fetch
sections.py  the home page's sections (``REGISTRY``)
admin.py     brand policy, store activities and featured SKUs (staff, scoped)
"""

from dataclasses import dataclass
from datetime import datetime

from newretail.cloudstore import sections
from newretail.cloudstore.admin import (
    create_activity,
    current_activities,
    delete_activity,
    featured_for_store,
    get_activity,
    get_featured,
    get_settings,
    list_activities,
    policy_for,
    put_settings,
    set_featured,
    update_activity,
)
from newretail.cloudstore.home import Fetch, HomeContext, SectionResult, fetch_sections
from newretail.cloudstore.stores import (
    CloudStore,
    NearbyStore,
    fulfilment,
    get_cloud_store,
    nearby_stores,
    stocked_elsewhere,
)
from newretail.db import Database, utcnow

__all__ = [
    "CloudStore",
    "Home",
    "HomeContext",
    "NearbyStore",
    "create_activity",
    "current_activities",
    "delete_activity",
    "featured_for_store",
    "fulfilment",
    "get_activity",
    "get_cloud_store",
    "get_featured",
    "get_settings",
    "home",
    "list_activities",
    "nearby_stores",
    "policy_for",
    "put_settings",
    "set_featured",
    "stocked_elsewhere",
    "update_activity",
]


@dataclass(frozen=True)
class Home:
    context: HomeContext
    sections: dict[str, SectionResult]


def home(
    *, database: Database, code: str, fetch: Fetch = "parallel", now: datetime | None = None
) -> Home:
    """The home page of the cloud store ``code``: 404 for no such store, never for a section.

    The store is looked up in a short transaction of its own, so no connection is held
    while the sections run, each in its own read-only session.
    """
    now = now or utcnow()
    with database.transaction(read_only=True) as session:
        store = get_cloud_store(session=session, code=code)
        policy = policy_for(session=session, brand_id=store.brand_id)
    context = HomeContext(store=store, policy=policy, now=now)
    results = fetch_sections(
        database=database, context=context, registry=sections.REGISTRY, fetch=fetch
    )
    return Home(context=context, sections=results)
