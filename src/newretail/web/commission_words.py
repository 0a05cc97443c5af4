"""Words and explanations for commission on the pages: why a line was earned, the statuses
of lines, statements and periods, and each line's sum written out (base × rate = result).

Every code goes through ``labels.label``, so an unknown code reads "Other", never raw.
"""

from dataclasses import dataclass
from typing import Any

from newretail.commission.models import CommissionEntry
from newretail.kernel.i18n import N_, format_money
from newretail.kernel.money import Money
from newretail.web import labels, messages
from newretail.web.pages import Page

REASONS = {
    "bound_guide": N_("Your bound member bought"),
    "referring_guide": N_("Bought through your referral"),
    "split": N_("Shared between guides"),
    "share_link": N_("Bought through your share link"),
    "store_bound": N_("The member's bound store"),
    "store_selling": N_("The selling store"),
    "store_fulfilling": N_("The fulfilling store"),
    "cpa_join": N_("New member joined"),
    "cpa_first_order": N_("New member's first order"),
    "refund": N_("Refund: commission taken back"),
    "return": N_("Return: commission taken back"),
}
ENTRY_STATUSES = {
    "pending": N_("Pending"),
    "settled": N_("Settled"),
    "paid": N_("Paid"),
    "cancelled": N_("Cancelled"),
}
STATEMENT_STATUSES = {
    "prepared": N_("Awaiting approval"),
    "approved": N_("Approved"),
    "paid": N_("Paid"),
    "carried": N_("Carried forward"),
}
PERIOD_STATUSES = {"open": N_("Not closed"), "closed": N_("Closed for settlement")}
BENEFICIARIES = {"guide": N_("Guide"), "store": N_("Store")}
SCHEDULE_KINDS = {"monthly": N_("Monthly"), "every_n_days": N_("Every N days")}
TONES = {
    "pending": "neutral",
    "prepared": "neutral",
    "open": "neutral",
    "settled": "success",
    "approved": "success",
    "paid": "success",
    "closed": "neutral",
    "carried": "danger",
    "cancelled": "danger",
}


@dataclass(frozen=True)
class LineView:
    id: int
    title: str
    reason: str
    order_number: str
    member_id: int | None
    channel: str
    formula: str
    rule: str
    amount: Money
    status: str
    status_code: str
    tone: str
    earned_at: Any
    release_at: Any


def _money(page: Page, amount: Any, currency: str) -> str | None:
    if isinstance(amount, int) and not isinstance(amount, bool):
        return format_money(Money(amount, currency), page.locale)
    return None


def formula(page: Page, detail: dict[str, Any], amount: Money) -> str:
    """How the amount was reached: ``¥200.00 × 5% = ¥10.00``, a fixed amount, a share, a cap."""
    currency = amount.currency
    result = format_money(amount, page.locale)
    base = _money(page, detail.get("base"), currency)
    rate = detail.get("rate_bp")
    fixed = _money(page, detail.get("fixed"), currency)
    parts: list[str] = []
    if isinstance(rate, int) and base is not None:
        parts.append(f"{base} × {rate / 100:g}%")
    elif fixed is not None:
        parts.append(page.gettext("fixed %(amount)s", amount=fixed))
    share = detail.get("share_bp")
    if isinstance(share, int):
        parts.append(page.gettext("your share %(share)s%%", share=f"{share / 100:g}"))
    text = " × ".join(parts)
    cap = _money(page, detail.get("cap"), currency)
    if cap is not None:
        text += " " + page.gettext("(capped at %(cap)s)", cap=cap)
    return f"{text} = {result}" if text else result


def line_view(page: Page, entry: CommissionEntry) -> LineView:
    detail = entry.detail or {}
    amount = Money(entry.amount, entry.currency)
    title = str(detail.get("title") or "")
    quantity = detail.get("quantity")
    if title and isinstance(quantity, int) and quantity > 1:
        title = f"{title} × {quantity}"
    rule = " · ".join(str(detail[k]) for k in ("plan_name", "rule_name") if detail.get(k))
    channel = detail.get("channel") or entry.channel
    member = detail.get("member_id") or entry.member_id
    return LineView(
        id=entry.id,
        title=title or labels.label(page, REASONS, detail.get("reason")),
        reason=labels.label(page, REASONS, detail.get("reason")),
        order_number=str(detail.get("order_number") or ""),
        member_id=member if isinstance(member, int) else None,
        channel=labels.label(page, messages.CHANNELS, channel),
        formula=formula(page, detail, amount),
        rule=rule,
        amount=amount,
        status=labels.label(page, ENTRY_STATUSES, entry.status),
        status_code=entry.status,
        tone=TONES.get(entry.status, "neutral"),
        earned_at=entry.earned_at,
        release_at=entry.release_at,
    )
