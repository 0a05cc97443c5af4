"""Pure pay-later rules: who qualifies, the down payment, the due date and the retry schedule.

A member whose credit score reaches the brand's threshold takes the goods for the down
payment (¥1 by default); the rest is a deferred charge due ``term_days`` later. The worker
charges it at the due date; a declined charge is tried again after each delay of
``RETRY_DELAYS`` and, when the last retry fails too, goes to the dunning list::

    scheduled ──charged──▶ paid
        │ declined
        ▼
    retrying ──charged──▶ paid       (also: paid early, by the member, from any open state)
        │ retries used up
        ▼
    dunning ──paid by the member──▶ paid

An open charge whose order was cancelled or refunded in full is ``cancelled``: nothing is
owed for goods given back (the consumer of the order's events closes it; the worker checks
the order again before it charges, so a charge due meanwhile is never collected).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

RETRY_DELAYS = (timedelta(hours=1), timedelta(hours=6), timedelta(days=1))


class ChargeStatus(StrEnum):
    SCHEDULED = "scheduled"
    RETRYING = "retrying"
    DUNNING = "dunning"
    PAID = "paid"
    CANCELLED = "cancelled"


OPEN = frozenset({ChargeStatus.SCHEDULED, ChargeStatus.RETRYING, ChargeStatus.DUNNING})
DUE_BY_WORKER = frozenset({ChargeStatus.SCHEDULED, ChargeStatus.RETRYING})


def qualifies(score: int, threshold: int) -> bool:
    return score >= threshold


def down_payment(total: int, down: int) -> int:
    """What is paid now: the brand's down payment, never more than the order."""
    return min(down, total)


def due_at(now: datetime, term_days: int) -> datetime:
    return now + timedelta(days=term_days)


def next_attempt(failed_attempts: int, failed_at: datetime) -> datetime | None:
    """When to try again after ``failed_attempts`` declines; None: to the dunning list."""
    if failed_attempts < 1 or failed_attempts > len(RETRY_DELAYS):
        return None
    return failed_at + RETRY_DELAYS[failed_attempts - 1]


@dataclass(frozen=True)
class Terms:
    """What a member would pay now and later for an order taken on credit today."""

    now: int
    later: int
    due_at: datetime


def terms(total: int, down: int, now: datetime, term_days: int) -> Terms:
    paid_now = down_payment(total, down)
    return Terms(now=paid_now, later=total - paid_now, due_at=due_at(now, term_days))
