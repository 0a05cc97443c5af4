"""A process follows committed outbox events: each once, late commits too, at most once a second."""

import uuid
from collections.abc import Sequence

from sqlalchemy import delete
from tests.statements import count_statements as counted

from newretail.db import Database
from newretail.outbox.follow import EventFollower, Seen
from newretail.outbox.models import OutboxEvent


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Listener:
    def __init__(self) -> None:
        self.seen: list[tuple[int, int | None, str]] = []
        self.resets = 0

    def events(self, events: Sequence[Seen]) -> None:
        self.seen += [(e.seq, e.brand_id, e.type) for e in events]

    def reset(self) -> None:
        self.resets += 1


def write(
    database: Database, *seqs: int, brand_id: int | None = 1, type: str = "offer.updated"
) -> None:
    with database.transaction() as session:
        for seq in seqs:
            session.add(
                OutboxEvent(
                    seq=seq,
                    event_id=str(uuid.uuid4()),
                    brand_id=brand_id,
                    type=type,
                    resource_type="offer",
                    resource_id="1",
                    payload={},
                )
            )


def following(database: Database) -> tuple[EventFollower, Listener, Clock]:
    clock = Clock()
    follower = EventFollower(database, every=1.0, clock=clock)
    listener = Listener()
    follower.listen(listener.events, listener.reset)
    return follower, listener, clock


def look(follower: EventFollower, clock: Clock) -> None:
    clock.now += 1.0
    follower.catch_up()


def test_the_first_look_starts_after_the_latest_event_and_drops_everything(
    database: Database,
) -> None:
    write(database, 1, 2)
    follower, listener, clock = following(database)
    follower.catch_up()
    assert (listener.seen, listener.resets) == ([], 1)
    write(database, 3, brand_id=7, type="store.updated")
    look(follower, clock)
    assert listener.seen == [(3, 7, "store.updated")]


def test_each_event_is_told_once_in_order(database: Database) -> None:
    follower, listener, clock = following(database)
    follower.catch_up()
    write(database, 1, 2)
    look(follower, clock)
    write(database, 3)
    look(follower, clock)
    look(follower, clock)
    assert [seq for seq, _, _ in listener.seen] == [1, 2, 3]


def test_an_event_committed_after_a_later_one_was_read_is_still_told(
    database: Database,
) -> None:
    write(database, 1)
    follower, listener, clock = following(database)
    follower.catch_up()
    write(database, 3)  # 2 is written by a transaction that commits later
    look(follower, clock)
    write(database, 2, brand_id=5)
    look(follower, clock)
    assert [(seq, brand) for seq, brand, _ in listener.seen] == [(3, 1), (2, 5)]


def test_a_table_emptied_below_what_was_read_drops_everything(database: Database) -> None:
    write(database, 1, 2, 3)
    follower, listener, clock = following(database)
    follower.catch_up()
    with database.transaction() as session:
        session.execute(delete(OutboxEvent))
    look(follower, clock)
    assert listener.resets == 2
    write(database, 1)
    look(follower, clock)
    assert [seq for seq, _, _ in listener.seen] == [1]


def test_the_follower_looks_at_most_once_a_period(database: Database) -> None:
    follower, listener, clock = following(database)
    follower.catch_up()
    write(database, 1)
    clock.now += 0.5
    with counted(database) as early:
        follower.catch_up()
    clock.now += 0.5
    with counted(database) as due:
        follower.catch_up()
    assert early == []
    assert len([s for s in due if s.lstrip().upper().startswith("SELECT")]) == 1
    assert [seq for seq, _, _ in listener.seen] == [1]
