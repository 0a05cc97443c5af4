"""Following committed outbox events from inside one process, to drop what a cache holds.

Every API process keeps caches of its own, so each must learn of every change another
process commits. ``EventFollower`` reads the events committed since it last looked (one
indexed query on ``outbox_event.seq``), at most once per ``every`` seconds, and hands
them to its listeners. Reading is all it does: nothing is marked, so any number of
processes follow the same events.

Sequence numbers are handed out when an event is written, not when it commits, so on
PostgreSQL a lower number can commit after a higher one was read. Numbers skipped over
are kept as *holes* and asked for again on every look until they show up (committed) or
are ``hole_ttl`` seconds old (rolled back, most likely). When the table is emptied or
restarted (a restore, a test), when too many holes open at once, and on the first look,
listeners are told to drop everything (``reset``), since no event can say what changed.
"""

import threading
import time
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from newretail.db import Database
from newretail.outbox.models import OutboxEvent

MAX_HOLES = 1000
HOLE_TTL_SECONDS = 600.0
BATCH = 1000


@dataclass(frozen=True)
class Seen:
    """What a follower tells its listeners of an event."""

    seq: int
    brand_id: int | None
    type: str


@dataclass
class Position:
    """How far a follower has read: the highest ``seq`` seen and the holes below it.

    ``holes`` maps a missing ``seq`` to the clock time it was first missed.
    """

    watermark: int = 0
    holes: dict[int, float] = field(default_factory=dict)


def advance(position: Position, seqs: Iterable[int], now: float, *, hole_ttl: float) -> bool:
    """Take in the ``seqs`` just read; False when so many holes open that tracking stops.

    ``seqs`` are the numbers read above the watermark and the holes that showed up.
    """
    found = sorted(set(seqs))
    for seq in found:
        position.holes.pop(seq, None)
    above = [seq for seq in found if seq > position.watermark]
    if above:
        top = above[-1]
        missing = top - position.watermark - len(above)
        if missing + len(position.holes) > MAX_HOLES:
            return False
        present = set(above)
        for seq in range(position.watermark + 1, top):
            if seq not in present:
                position.holes[seq] = now
        position.watermark = top
    expired = [seq for seq, since in position.holes.items() if now - since >= hole_ttl]
    for seq in expired:
        del position.holes[seq]
    return True


def read_after(
    *, session: Session, position: Position, limit: int = BATCH
) -> tuple[list[Seen], int | None]:
    """Events above the watermark or in a hole, in order; and the highest ``seq`` there is.

    One statement: the latest event comes along, so a table that was emptied or restarted
    below the watermark shows.
    """
    latest = select(OutboxEvent.seq).order_by(OutboxEvent.seq.desc()).limit(1).scalar_subquery()
    wanted = [OutboxEvent.seq > position.watermark, OutboxEvent.seq == latest]
    if position.holes:
        wanted.append(OutboxEvent.seq.in_(sorted(position.holes)))
    query = (
        select(OutboxEvent.seq, OutboxEvent.brand_id, OutboxEvent.type)
        .where(or_(*wanted))
        .order_by(OutboxEvent.seq)
        .limit(limit + 1)
    )
    rows = [Seen(seq, brand_id, type_) for seq, brand_id, type_ in session.execute(query)]
    top = rows[-1].seq if rows else None
    return rows[:limit], top


def read_latest(*, session: Session, limit: int = BATCH) -> list[int]:
    """The ``seq`` of the latest events, newest first: where a new follower starts."""
    query = select(OutboxEvent.seq).order_by(OutboxEvent.seq.desc()).limit(limit)
    return list(session.scalars(query))


Listener = Callable[[Sequence[Seen]], None]
Reset = Callable[[], None]


class EventFollower:
    """Reads newly committed events for this process's caches, at most once per ``every`` s.

    ``catch_up`` is cheap to call on every request: it returns at once unless a look is
    due, and only one thread looks at a time (the others go on with what they have).
    """

    def __init__(
        self,
        database: Database,
        *,
        every: float = 1.0,
        hole_ttl: float = HOLE_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.database = database
        self.every = every
        self.hole_ttl = hole_ttl
        self.clock = clock
        self.position: Position | None = None
        self._looked_at = -float("inf")
        self._looking = threading.Lock()
        self._listeners: list[tuple[Listener, Reset]] = []

    def listen(self, on_events: Listener, on_reset: Reset) -> None:
        self._listeners.append((on_events, on_reset))

    def due(self) -> bool:
        return self.clock() - self._looked_at >= self.every

    def look_needed(self) -> bool:
        """Whether a caller should look now: a look is due and nobody is looking yet."""
        return self.due() and not self._looking.locked()

    def catch_up(self) -> None:
        """Look for new events if a look is due and no other thread is looking."""
        if not self.due() or not self._looking.acquire(blocking=False):
            return
        try:
            if self.due():
                self._look()
        finally:
            self._looking.release()

    def _look(self) -> None:
        now = self.clock()
        # Whatever happens, the next look is a period away: a database that is down is not
        # asked again by every request.
        self._looked_at = now
        with self.database.transaction(read_only=True) as session:
            if self.position is None:
                self._start(session, now)
            else:
                self._follow(session, self.position, now)

    def _start(self, session: Session, now: float) -> None:
        latest = read_latest(session=session)
        position = Position(watermark=min(latest) - 1 if latest else 0)
        if not advance(position, latest, now, hole_ttl=self.hole_ttl):
            position = Position(watermark=max(latest))
        self._reset(position)

    def _follow(self, session: Session, position: Position, now: float) -> None:
        seen: list[Seen] = []
        while True:
            rows, top = read_after(session=session, position=position)
            if _restarted(position, top):
                self._reset(Position(watermark=top or 0))
                return
            seen += [
                row for row in rows if row.seq > position.watermark or row.seq in position.holes
            ]
            if not advance(position, (row.seq for row in rows), now, hole_ttl=self.hole_ttl):
                self._reset(Position(watermark=max(row.seq for row in rows)))
                return
            if len(rows) < BATCH:
                break
        if seen:
            for on_events, _ in self._listeners:
                on_events(seen)

    def _reset(self, position: Position) -> None:
        self.position = position
        for _, on_reset in self._listeners:
            on_reset()


def _restarted(position: Position, top: int | None) -> bool:
    """Whether the table now ends below what was read from it: emptied or restarted."""
    if top is None:
        return position.watermark > 0
    return top < position.watermark


_followers: "weakref.WeakKeyDictionary[Database, EventFollower]" = weakref.WeakKeyDictionary()
_followers_lock = threading.Lock()


def follower_for(database: Database) -> EventFollower:
    """This process's follower of ``database``'s outbox, shared by every cache."""
    with _followers_lock:
        found = _followers.get(database)
        if found is None:
            found = _followers[database] = EventFollower(database)
        return found
