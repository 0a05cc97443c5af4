"""The visibility ladder, rung by rung: the SQL clause and the in-Python predicate agree.

A small table of its own (in an in-memory SQLite database) holds one row per kind of owner:

    id  brand  region  store  guide  consumer
    1   1      -       -      -      -          shared by brand 1
    2   1      10      -      -      -          region 10 (north: store 100)
    3   1      11      -      -      -          region 11 (south: store 101)
    4   1      -       100    -      -
    5   1      -       101    -      -
    6   1      -       100    7      -          guide 7 works at store 100
    7   1      -       101    7      -          names guide 7 at another store
    8   1      -       101    -      50         a consumer's, at store 101
    9   2      -       200    -      50         another brand, the same consumer
    10  2      -       -      -      -          shared by brand 2
"""

from collections.abc import Iterator

import pytest
from sqlalchemy import ForeignKey, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from newretail.kernel import visibility
from newretail.kernel.scope import SYSTEM, Role, Scope
from newretail.kernel.visibility import Ladder, Link, Rung


class _Base(DeclarativeBase):
    pass


class Thing(_Base):
    __tablename__ = "thing"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int]
    region_id: Mapped[int | None]
    store_id: Mapped[int | None]
    guide_id: Mapped[int | None]
    consumer_id: Mapped[int | None]


class Note(_Base):
    """A child row seen through its thing (as a return is seen through its order)."""

    __tablename__ = "note"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int]
    thing_id: Mapped[int] = mapped_column(ForeignKey("thing.id"))


ROWS = [
    (1, 1, None, None, None, None),
    (2, 1, 10, None, None, None),
    (3, 1, 11, None, None, None),
    (4, 1, None, 100, None, None),
    (5, 1, None, 101, None, None),
    (6, 1, None, 100, 7, None),
    (7, 1, None, 101, 7, None),
    (8, 1, None, 101, None, 50),
    (9, 2, None, 200, None, 50),
    (10, 2, None, None, None, None),
]

FULL = Ladder(
    brand=Thing.brand_id,
    regions=(Thing.region_id,),
    stores=(Thing.store_id,),
    guides=(Thing.guide_id,),
    consumers=(Thing.consumer_id,),
    shared_if_null=(Thing.region_id, Thing.store_id),
)
OWN_ONLY_GUIDES = Ladder(
    brand=Thing.brand_id,
    regions=(Thing.region_id,),
    stores=(Thing.store_id,),
    guides=(Thing.guide_id,),
    consumers=(Thing.consumer_id,),
    guides_see_stores=False,
)
WHOLE_BRAND = Ladder(brand=Thing.brand_id, brand_staff_see_all=True)
STORES_ONLY = Ladder(brand=Thing.brand_id, stores=(Thing.store_id,))


def staff(*roles: Role, brand_id: int | None = 1, actor_id: int = 7, **fields: object) -> Scope:
    return Scope(
        actor_type="staff",
        actor_id=actor_id,
        roles=frozenset(roles),
        brand_id=brand_id,
        **fields,  # type: ignore[arg-type]
    )


BRAND_ADMIN = staff(Role.BRAND_ADMIN)
INTEGRATION = Scope(
    actor_type="api_key", actor_id=3, roles=frozenset({Role.INTEGRATION}), brand_id=1
)
OTHER_BRAND_ADMIN = staff(Role.BRAND_ADMIN, brand_id=2)
NORTH_MANAGER = staff(Role.REGION_MANAGER, region_ids=frozenset({10}), store_ids=frozenset({100}))
SOUTH_STORE_MANAGER = staff(
    Role.STORE_MANAGER, region_ids=frozenset({11}), store_ids=frozenset({101})
)
SOUTH_CASHIER = staff(Role.CASHIER, region_ids=frozenset({11}), store_ids=frozenset({101}))
GUIDE_7 = staff(Role.GUIDE, region_ids=frozenset({10}), store_ids=frozenset({100}))
GUIDE_7_MANAGING_SOUTH = staff(
    Role.GUIDE, Role.STORE_MANAGER, region_ids=frozenset({11}), store_ids=frozenset({101})
)
NO_ROLES = staff(region_ids=frozenset(), store_ids=frozenset())
NO_BRAND = staff(Role.STORE_MANAGER, brand_id=None)
CONSUMER = Scope(actor_type="consumer", actor_id=50, roles=frozenset())


@pytest.fixture(scope="module")
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    _Base.metadata.create_all(engine)
    with Session(engine) as session:
        columns = ("id", "brand_id", "region_id", "store_id", "guide_id", "consumer_id")
        session.add_all(Thing(**dict(zip(columns, row, strict=True))) for row in ROWS)
        session.add_all(Note(id=n, brand_id=brand, thing_id=n) for n, brand, *_ in ROWS)
        session.commit()
        yield session
    engine.dispose()


def seen(
    session: Session, scope: Scope, ladder: Ladder = FULL, consumer_id: int | None = None
) -> set[int]:
    """The ids ``scope`` sees, asserting that SQL and the Python predicate agree on them."""
    query = visibility.restrict(select(Thing.id), scope, ladder, consumer_id=consumer_id)
    in_sql = set(session.scalars(query))
    things = session.scalars(select(Thing)).all()
    in_python = {
        t.id for t in things if visibility.admits(scope, ladder, t, consumer_id=consumer_id)
    }
    assert in_sql == in_python
    return in_sql


# ---- the rungs --------------------------------------------------------------------------


def test_the_platform_sees_every_row_of_every_brand(session: Session) -> None:
    assert seen(session, SYSTEM) == set(range(1, 11))


def test_a_brand_admin_sees_every_row_of_their_brand_and_nothing_of_another(
    session: Session,
) -> None:
    assert seen(session, BRAND_ADMIN) == {1, 2, 3, 4, 5, 6, 7, 8}


def test_an_integration_key_sees_what_its_brand_admin_sees(session: Session) -> None:
    assert seen(session, INTEGRATION) == {1, 2, 3, 4, 5, 6, 7, 8}


def test_another_brand_admin_sees_only_their_own_brand(session: Session) -> None:
    assert seen(session, OTHER_BRAND_ADMIN) == {9, 10}


def test_a_region_manager_sees_shared_rows_their_regions_and_their_stores(
    session: Session,
) -> None:
    assert seen(session, NORTH_MANAGER) == {1, 2, 4, 6}


def test_a_store_manager_sees_shared_rows_their_store_and_its_region(session: Session) -> None:
    assert seen(session, SOUTH_STORE_MANAGER) == {1, 3, 5, 7, 8}


def test_a_cashier_sees_what_their_store_manager_sees(session: Session) -> None:
    assert seen(session, SOUTH_CASHIER) == {1, 3, 5, 7, 8}


def test_a_guide_sees_their_store_and_also_rows_naming_them_elsewhere(session: Session) -> None:
    assert seen(session, GUIDE_7) == {1, 2, 4, 6, 7}


def test_where_guides_see_only_their_own_a_guide_sees_only_rows_naming_them(
    session: Session,
) -> None:
    assert seen(session, GUIDE_7, OWN_ONLY_GUIDES) == {6, 7}


def test_a_guide_who_also_manages_a_store_sees_that_store_and_their_own_rows(
    session: Session,
) -> None:
    assert seen(session, GUIDE_7_MANAGING_SOUTH, OWN_ONLY_GUIDES) == {3, 5, 6, 7, 8}


def test_a_consumer_sees_rows_naming_them_in_every_brand(session: Session) -> None:
    assert seen(session, CONSUMER, consumer_id=50) == {8, 9}


def test_a_consumer_whose_record_is_gone_sees_nothing(session: Session) -> None:
    assert seen(session, CONSUMER, consumer_id=None) == set()


def test_a_consumer_sees_nothing_of_a_table_that_names_no_consumer(session: Session) -> None:
    assert seen(session, CONSUMER, STORES_ONLY, consumer_id=50) == set()


def test_staff_holding_no_role_see_nothing(session: Session) -> None:
    assert seen(session, NO_ROLES) == set()


def test_staff_of_no_brand_below_the_platform_see_nothing(session: Session) -> None:
    assert seen(session, NO_BRAND) == set()


def test_a_table_open_to_the_brand_is_seen_whole_by_every_member_of_its_staff(
    session: Session,
) -> None:
    assert seen(session, GUIDE_7, WHOLE_BRAND) == {1, 2, 3, 4, 5, 6, 7, 8}


def test_a_store_scoped_caller_missing_its_store_list_sees_no_store_rows(
    session: Session,
) -> None:
    assert seen(session, staff(Role.STORE_MANAGER), STORES_ONLY) == set()


# ---- links, the select and the rung -----------------------------------------------------


def test_a_link_widens_the_sql_and_admits_only_through_its_ids_of(session: Session) -> None:
    by_consumer = Link(lambda ids: Thing.consumer_id.in_(sorted(ids)))
    ladder = Ladder(brand=Thing.brand_id, stores=(by_consumer,))
    manager = staff(Role.STORE_MANAGER, store_ids=frozenset({50}))
    in_sql = set(session.scalars(visibility.restrict(select(Thing.id), manager, ladder)))
    row_8 = session.get_one(Thing, 8)
    with_ids_of = Ladder(
        brand=Thing.brand_id, stores=(Link(by_consumer.where, lambda t: [t.consumer_id]),)
    )
    assert (in_sql, visibility.admits(manager, ladder, row_8)) == ({8}, False)
    assert visibility.admits(manager, with_ids_of, row_8)


def test_a_child_row_is_seen_through_its_parent(session: Session) -> None:
    ladder = Ladder(
        brand=Note.brand_id,
        stores=(visibility.via(Note.thing_id, Thing.id, FULL.stores),),
        guides=(visibility.via(Note.thing_id, Thing.id, FULL.guides),),
        consumers=(visibility.via(Note.thing_id, Thing.id, FULL.consumers),),
    )
    notes = {
        name: set(session.scalars(visibility.restrict(select(Note.id), scope, ladder, **extra)))
        for name, scope, extra in (
            ("manager", SOUTH_STORE_MANAGER, {}),
            ("guide", GUIDE_7, {}),
            ("consumer", CONSUMER, {"consumer_id": 50}),
        )
    }
    assert notes == {"manager": {5, 7, 8}, "guide": {4, 6, 7}, "consumer": {8, 9}}


def test_the_platform_query_is_left_unchanged() -> None:
    query = select(Thing.id)
    assert visibility.restrict(query, SYSTEM, FULL) is query


@pytest.mark.parametrize(
    ("scope", "rung"),
    [
        (SYSTEM, Rung.PLATFORM),
        (BRAND_ADMIN, Rung.BRAND),
        (INTEGRATION, Rung.BRAND),
        (NORTH_MANAGER, Rung.REGION),
        (SOUTH_STORE_MANAGER, Rung.STORE),
        (SOUTH_CASHIER, Rung.STORE),
        (GUIDE_7, Rung.GUIDE),
        (GUIDE_7_MANAGING_SOUTH, Rung.STORE),
        (CONSUMER, Rung.CONSUMER),
        (NO_ROLES, Rung.NONE),
        (NO_BRAND, Rung.NONE),
    ],
)
def test_each_caller_stands_on_the_highest_rung_they_hold(scope: Scope, rung: Rung) -> None:
    assert visibility.rung_of(scope) is rung


@pytest.mark.parametrize(
    ("scope", "limit"),
    [
        (SYSTEM, None),
        (BRAND_ADMIN, None),
        (NORTH_MANAGER, frozenset({100})),
        (GUIDE_7, frozenset({100})),
        (CONSUMER, frozenset()),
        (NO_ROLES, frozenset()),
        (staff(Role.STORE_MANAGER), frozenset()),
    ],
)
def test_the_store_limit_is_none_only_for_brand_wide_callers(
    scope: Scope, limit: frozenset[int] | None
) -> None:
    assert visibility.store_limit(scope) == limit
