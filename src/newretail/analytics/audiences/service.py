"""Audiences' use cases, for the routers, the worker and other domains (import only this).

definitions.py  define, read, change and archive a brand's audiences (``rules`` holds
                the rule language, validated as Pydantic models)
membership.py   recompute who is in them (``recompute``, ``refresh``, and the worker's
                ``refresh_stale`` after each warehouse sync), with entered and left
                times; ``target_member_ids`` for coupons, guide tasks and messages
                (``targets_after`` a part at a time, ``count_targets``)
export.py       a CSV of the members; a signed push to an ad platform via the outbox
offers.py       a coupon and/or a marketing message to one member, with the caller's send
                row, all or none (re-targeting and sends to an audience give offers so)
"""

from newretail.analytics.audiences.definitions import (
    archive_audience,
    create_audience,
    get_audience,
    list_audiences,
    update_audience,
)
from newretail.analytics.audiences.export import csv_rows, push
from newretail.analytics.audiences.membership import (
    count_targets,
    current_members,
    history,
    recompute,
    refresh,
    refresh_stale,
    target_member_ids,
    targets_after,
)

__all__ = [
    "archive_audience",
    "count_targets",
    "create_audience",
    "csv_rows",
    "current_members",
    "get_audience",
    "history",
    "list_audiences",
    "push",
    "recompute",
    "refresh",
    "refresh_stale",
    "target_member_ids",
    "targets_after",
    "update_audience",
]
