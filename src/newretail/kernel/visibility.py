"""Who sees which rows: the visibility ladder, written once for every table.

    rung      who                           sees
    platform  platform admin                every row
    brand     brand admin, integration key  every row of their brand
    region    region manager                rows of their brand that are shared, of a region
                                            of their subtree or of one of its stores
    store     store manager, cashier        rows of their brand that are shared, of their
                                            stores or of the regions those stores are in
    guide     guide                         like a store, plus the rows naming them; where a
                                            table says ``guides_see_stores=False``, only the
                                            rows naming them and the shared ones
    consumer  a consumer token              rows naming them
    none      anyone else                   nothing

A table says where it records each rung in a ``Ladder``: its brand column and the columns
(or ``Link``s through other tables) naming a region, a store, a guide or a consumer.
``where`` turns a scope into the WHERE clause, ``restrict`` applies it to a select and
``admits`` answers the same question for a loaded row. A row outside the caller's view does
not exist for them: services answer ``NotFound`` (404), never ``PermissionDenied``.

Which consumer a consumer token stands for is the members domain's business (records
merge), so the caller passes the live consumer id in.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute

from newretail.kernel.scope import Role, Scope

Ts = TypeVarTuple("Ts")
Ids = frozenset[int]
Column = InstrumentedAttribute[Any]


class Rung(StrEnum):
    PLATFORM = "platform"
    BRAND = "brand"
    REGION = "region"
    STORE = "store"
    GUIDE = "guide"
    CONSUMER = "consumer"
    NONE = "none"


_STORE_STAFF = frozenset({Role.STORE_MANAGER, Role.CASHIER})


def rung_of(scope: Scope) -> Rung:
    """The highest rung the caller stands on."""
    if scope.actor_type == "consumer":
        return Rung.CONSUMER
    if scope.is_platform:
        return Rung.PLATFORM
    if scope.brand_id is None:
        return Rung.NONE
    if scope.is_brand_wide:
        return Rung.BRAND
    if Role.REGION_MANAGER in scope.roles:
        return Rung.REGION
    if scope.roles & _STORE_STAFF:
        return Rung.STORE
    if Role.GUIDE in scope.roles:
        return Rung.GUIDE
    return Rung.NONE


def store_limit(scope: Scope) -> Ids | None:
    """The stores a caller's view is limited to; None for the platform and brand-wide callers."""
    rung = rung_of(scope)
    if rung in (Rung.PLATFORM, Rung.BRAND):
        return None
    if rung in (Rung.CONSUMER, Rung.NONE):
        return frozenset()
    return scope.store_ids or frozenset()


@dataclass(frozen=True, eq=False)
class Link:
    """Rows tied to a region, store, guide or consumer through another table.

    ``where(ids)`` is the SQL condition "this row is tied to one of ``ids``"; ``ids_of(row)``
    gives the ids a loaded row is tied to, for ``admits``. A link without ``ids_of`` counts
    in SQL only: ``admits`` never lets a row in through it.
    """

    where: Callable[[Ids], ColumnElement[bool]]
    ids_of: Callable[[Any], Iterable[int | None]] | None = None


Target = Column | Link


@dataclass(frozen=True, eq=False)
class Ladder:
    """Where a table records whom each row belongs to.

    ``shared_if_null``: a row naming none of these columns (all NULL) belongs to the whole
    brand, and every member of its staff sees it (a brand-level offer, a brand-wide
    activity). ``brand_staff_see_all``: every row does (the catalogue, the brand itself).
    ``guides_see_stores``: False when a guide (holding no other store role) sees only the
    rows naming them, not everything of their store (members, codes).
    """

    brand: Column
    regions: tuple[Target, ...] = ()
    stores: tuple[Target, ...] = ()
    guides: tuple[Target, ...] = ()
    consumers: tuple[Target, ...] = ()
    shared_if_null: tuple[Column, ...] = ()
    brand_staff_see_all: bool = False
    guides_see_stores: bool = True


def where(scope: Scope, ladder: Ladder, *, consumer_id: int | None = None) -> ColumnElement[bool]:
    """The condition on ``ladder``'s table for the rows ``scope`` sees (``true`` for all)."""
    rung = rung_of(scope)
    if rung is Rung.PLATFORM:
        return true()
    if rung is Rung.CONSUMER:
        ids = frozenset({consumer_id}) if consumer_id is not None else frozenset()
        return _tied(ladder.consumers, ids)
    if rung is Rung.NONE:
        return false()
    in_brand = ladder.brand == scope.brand_id
    if rung is Rung.BRAND or ladder.brand_staff_see_all:
        return in_brand
    below: list[ColumnElement[bool]] = []
    if ladder.shared_if_null:
        below.append(and_(*(column.is_(None) for column in ladder.shared_if_null)))
    for targets, ids in _rungs_below_brand(scope, rung, ladder):
        below.append(_tied(targets, ids))
    return and_(in_brand, or_(false(), *below))


def restrict(
    query: Select[*Ts], scope: Scope, ladder: Ladder, *, consumer_id: int | None = None
) -> Select[*Ts]:
    """``query`` limited to the rows ``scope`` sees (unchanged for the platform)."""
    if rung_of(scope) is Rung.PLATFORM:
        return query
    return query.where(where(scope, ladder, consumer_id=consumer_id))


def admits(scope: Scope, ladder: Ladder, row: Any, *, consumer_id: int | None = None) -> bool:
    """Whether ``scope`` sees a loaded ``row`` of ``ladder``'s table (the rule of ``where``)."""
    rung = rung_of(scope)
    if rung is Rung.PLATFORM:
        return True
    if rung is Rung.CONSUMER:
        return consumer_id is not None and _row_tied(ladder.consumers, row, {consumer_id})
    if rung is Rung.NONE or getattr(row, ladder.brand.key) != scope.brand_id:
        return False
    if rung is Rung.BRAND or ladder.brand_staff_see_all:
        return True
    if ladder.shared_if_null and all(
        getattr(row, column.key) is None for column in ladder.shared_if_null
    ):
        return True
    return any(
        _row_tied(targets, row, ids) for targets, ids in _rungs_below_brand(scope, rung, ladder)
    )


def via(column: Column, parent_id: Column, targets: tuple[Target, ...]) -> Link:
    """A link through a parent row: ``column`` points at a parent tied by one of ``targets``.

    A return is its order's stores', guide's and consumer's through ``return.order_id``.
    """

    def parent_tied(ids: Ids) -> ColumnElement[bool]:
        return column.in_(select(parent_id).where(_tied(targets, ids)))

    return Link(parent_tied)


def _rungs_below_brand(
    scope: Scope, rung: Rung, ladder: Ladder
) -> list[tuple[tuple[Target, ...], Ids]]:
    """Each kind of target a staff caller below the brand reaches, with the ids it reaches."""
    reached: list[tuple[tuple[Target, ...], Ids]] = []
    if rung is not Rung.GUIDE or ladder.guides_see_stores:
        if ladder.regions and scope.region_ids:
            reached.append((ladder.regions, scope.region_ids))
        if ladder.stores and scope.store_ids:
            reached.append((ladder.stores, scope.store_ids))
    if ladder.guides and Role.GUIDE in scope.roles and scope.actor_id is not None:
        reached.append((ladder.guides, frozenset({scope.actor_id})))
    return reached


def _tied(targets: tuple[Target, ...], ids: Ids) -> ColumnElement[bool]:
    if not targets or not ids:
        return false()
    return or_(*(_target_clause(target, ids) for target in targets))


def _target_clause(target: Target, ids: Ids) -> ColumnElement[bool]:
    if isinstance(target, Link):
        return target.where(ids)
    if len(ids) == 1:
        return target == next(iter(ids))
    return target.in_(sorted(ids))


def _row_tied(targets: tuple[Target, ...], row: Any, ids: Iterable[int]) -> bool:
    wanted = set(ids)
    for target in targets:
        if isinstance(target, Link):
            values: Iterable[int | None] = target.ids_of(row) if target.ids_of else ()
        else:
            values = (getattr(row, target.key),)
        if any(value in wanted for value in values if value is not None):
            return True
    return False
