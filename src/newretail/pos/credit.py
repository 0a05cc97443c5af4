"""Members' store credit: a balance with the brand, spent as a tender at the till.

Every change is one guarded ``UPDATE ... WHERE balance + delta >= 0 RETURNING balance``
plus one entry, in a savepoint, so the balance never goes negative and always equals its
entries; a reference is posted once (a replayed sale or refund changes nothing twice).
Managers issue or take back credit (audited); a tender spends it; a refund of a tender
gives it back (``consumers.py``).
"""

from uuid import uuid4

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from newretail.audit import service as audit_service
from newretail.db import utcnow
from newretail.kernel.scope import Scope
from newretail.members import service as members_service
from newretail.pos import access, errors
from newretail.pos.models import StoreCredit, StoreCreditEntry


def balance(*, session: Session, member_id: int) -> int:
    found = session.scalar(select(StoreCredit.balance).where(StoreCredit.member_id == member_id))
    return int(found or 0)


def _account(session: Session, brand_id: int, member_id: int) -> int:
    found = session.scalar(select(StoreCredit.id).where(StoreCredit.member_id == member_id))
    if found is not None:
        return int(found)
    try:
        with session.begin_nested():
            account = StoreCredit(brand_id=brand_id, member_id=member_id, balance=0)
            session.add(account)
            session.flush()
            return account.id
    except IntegrityError:  # opened by a concurrent change: use it
        return int(
            session.scalar(select(StoreCredit.id).where(StoreCredit.member_id == member_id)) or 0
        )


def post(
    *,
    session: Session,
    scope: Scope,
    brand_id: int,
    member_id: int,
    delta: int,
    reference: str,
    reason: str = "",
) -> int:
    """Change the balance by ``delta`` once per reference; the balance after."""
    account_id = _account(session, brand_id, member_id)
    first = session.scalar(
        select(StoreCreditEntry.balance_after).where(
            StoreCreditEntry.account_id == account_id, StoreCreditEntry.reference == reference
        )
    )
    if first is not None:
        return int(first)
    try:
        with session.begin_nested():
            after = session.execute(
                update(StoreCredit)
                .where(StoreCredit.id == account_id, StoreCredit.balance + delta >= 0)
                .values(balance=StoreCredit.balance + delta, updated_at=utcnow())
                .returning(StoreCredit.balance)
                .execution_options(synchronize_session=False)
            ).scalar()
            if after is None:
                raise errors.StoreCreditInsufficient()
            session.add(
                StoreCreditEntry(
                    brand_id=brand_id,
                    account_id=account_id,
                    delta=delta,
                    balance_after=int(after),
                    reference=reference[:80],
                    reason=reason[:200],
                    actor_type=scope.actor_type,
                    actor_id=scope.actor_id,
                )
            )
            session.flush()
    except IntegrityError:
        return balance(session=session, member_id=member_id)  # posted concurrently
    return int(after)


def issue(*, session: Session, scope: Scope, member_id: int, amount: int, reason: str) -> int:
    """A manager gives (or, negative, takes back) store credit; audited."""
    member = members_service.get_brand_member(session=session, scope=scope, member_id=member_id)
    access.require_manager(scope)
    after = post(
        session=session,
        scope=scope,
        brand_id=member.brand_id,
        member_id=member.id,
        delta=amount,
        reference=f"issue:{uuid4()}",
        reason=reason,
    )
    audit_service.write(
        session=session,
        scope=scope,
        action="pos.store_credit_issued",
        target_type="membership",
        target_id=member.id,
        brand_id=member.brand_id,
        details={"amount": amount, "reason": reason, "balance": after},
    )
    return after
