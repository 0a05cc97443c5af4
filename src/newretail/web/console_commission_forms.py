"""The commission screens' forms: reading a plan, a rule or a tested line from the form, and
the words for rules and tester results."""

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from newretail.auth import service as auth_service
from newretail.commission import service as commission_service
from newretail.commission.plan_models import CommissionPlan, CommissionRule
from newretail.commission.schemas import TestResult
from newretail.kernel.errors import DomainError
from newretail.kernel.i18n import N_, format_money
from newretail.kernel.money import Money
from newretail.kernel.scope import Role
from newretail.org import service as org_service
from newretail.org.schemas import BrandRead
from newretail.web import labels
from newretail.web.console_catalog import _categories, _stores
from newretail.web.console_forms import FormState
from newretail.web.manage import parse
from newretail.web.manage_fields import FieldProblem, optional_amount, parse_amount, parse_whole
from newretail.web.pages import Page

RULE_DEFAULTS = {"kind": "cps", "freeze_days": "7", "priority": "0", "t_channel": "online"}
ERROR_FIELDS = {
    "rate_out_of_range": "rate",
    "split_not_100": "bound_share",
    "commission_plan_name_taken": "name",
    "commission_rule_name_taken": "name",
    "commission_line_not_found": "t_amount",
}
ERROR_TEXTS = {
    "rate_out_of_range": N_("A rate is between 0 and 100 %."),
    "split_not_100": N_("The two shares of a split add up to 100 %."),
    "commission_plan_name_taken": N_("The brand already has a plan of this name."),
    "commission_rule_name_taken": N_("The plan already has a rule of this name."),
    "overlapping_rules": N_("Another rule matches the same sales with the same priority."),
    "invalid_commission_rule": N_("The rule does not fit its kind: check its rate or amounts."),
    "commission_line_not_found": N_("A store, SKU or guide of the line is not found."),
}


def state(page: Page, values: dict[str, str]) -> FormState:
    return FormState(page, values, error_fields=ERROR_FIELDS, error_texts=ERROR_TEXTS)


def options(page: Page, table: dict[str, str]) -> list[tuple[str, str]]:
    return [(code, page.translate(text)) for code, text in table.items()]


def percent(bp: int | None) -> str:
    return "" if bp is None else f"{bp / 100:g} %"


def yuan(page: Page, fen: int | None) -> str:
    return "" if fen is None else format_money(Money(fen, "CNY"), page.locale)


def policy_text(page: Page, plan: CommissionPlan) -> str:
    text = labels.label(page, labels.COMMISSION_POLICIES, plan.policy)
    if plan.policy == "split":
        shares = f"{percent(plan.bound_share_bp)} / {percent(10_000 - plan.bound_share_bp)}"
        return f"{text} ({shares})"
    return text


def where_text(page: Page, rule: CommissionRule) -> str:
    parts = [
        labels.label(page, labels.CHANNELS, rule.channel) if rule.channel else "",
        labels.label(page, labels.STORE_TYPES, rule.store_type) if rule.store_type else "",
        labels.label(page, labels.GUIDE_LEVELS, rule.guide_level) if rule.guide_level else "",
        page.gettext("SKU %(id)s", id=rule.sku_id) if rule.sku_id else "",
        page.gettext("Category %(id)s", id=rule.category_id) if rule.category_id else "",
    ]
    kept = [p for p in parts if p]
    return " · ".join(kept) if kept else page.gettext("All sales")


def pays_text(page: Page, rule: CommissionRule) -> str:
    if rule.kind == "cpa":
        trigger = labels.label(page, labels.CPA_TRIGGERS, rule.cpa_trigger)
        return f"{yuan(page, rule.fixed)} · {trigger}"
    if rule.kind == "store":
        shares = [
            (labels.COMMISSION_KINDS["store_bound"], rule.store_bound_bp),
            (labels.COMMISSION_KINDS["store_selling"], rule.store_selling_bp),
            (labels.COMMISSION_KINDS["store_fulfilling"], rule.store_fulfilling_bp),
        ]
        text = ", ".join(f"{page.translate(n)} {percent(bp)}" for n, bp in shares if bp)
    else:
        text = percent(rule.rate_bp)
    if rule.cap is not None:
        text += " · " + page.gettext("at most %(cap)s a line", cap=yuan(page, rule.cap))
    return text


def freeze_text(page: Page, rule: CommissionRule) -> str:
    if rule.until_fulfilled and rule.kind != "cpa":
        return page.gettext("Until fulfilled")
    return page.gettext("%(days)s days", days=rule.freeze_days)


# ---- reading forms --------------------------------------------------------------------


def _bp(text: str) -> int:
    """A percentage typed with up to two decimals, in basis points."""
    return parse_amount(text, 2)


def _optional_bp(text: str) -> Callable[[], int]:
    return lambda: _bp(text) if text.strip() else 0


def plan_body(state: FormState, fields: dict[str, str]) -> dict[str, Any]:
    name = fields.get("name", "").strip()
    if not name:
        state.add_field_errors({"name": "missing"})
    policy = fields.get("policy", "bound")
    body: dict[str, Any] = {"name": name, "policy": policy, "is_active": bool(fields.get("active"))}
    if policy == "split":
        body["bound_share_bp"] = parse(
            state, "bound_share", lambda: _bp(fields.get("bound_share", ""))
        )
    return body


def _day(text: str, zone: ZoneInfo) -> datetime | None:
    if not text.strip():
        return None
    try:
        return datetime.combine(date.fromisoformat(text.strip()), time(0), zone)
    except ValueError as exc:
        raise FieldProblem("date") from exc


def _id(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 16 else None


def rule_body(
    page: Page, session: Session, brand: BrandRead, state: FormState, fields: dict[str, str]
) -> dict[str, Any]:
    """The rule of the form; each problem noted on its field."""
    zone = ZoneInfo(brand.timezone)
    name = fields.get("name", "").strip()
    if not name:
        state.add_field_errors({"name": "missing"})
    kind = fields.get("kind", "cps")
    get = fields.get
    body: dict[str, Any] = {
        "name": name,
        "kind": kind,
        "channel": get("channel") or None,
        "store_type": get("store_type") or None,
        "guide_level": get("guide_level") or None,
        "category_id": _id(get("category_id")),
        "sku_id": _sku(session, brand.id, state, get("sku_code", "")),
        "priority": parse(
            state, "priority", lambda: parse_whole(get("priority", "0") or "0", signed=True)
        ),
        "freeze_days": parse(
            state, "freeze_days", lambda: parse_whole(get("freeze_days", "7") or "0")
        ),
        "until_fulfilled": bool(get("until_fulfilled")),
        "own_purchases": bool(get("own_purchases")),
        "cap": parse(state, "cap", lambda: optional_amount(get("cap", ""), 2)),
        "valid_from": parse(state, "valid_from", lambda: _day(get("valid_from", ""), zone)),
        "valid_until": parse(state, "valid_until", lambda: _day(get("valid_until", ""), zone)),
    }
    if kind in ("cps", "share"):
        body["rate_bp"] = parse(state, "rate", lambda: _bp(get("rate", "")))
    elif kind == "cpa":
        body["fixed"] = parse(state, "fixed", lambda: parse_amount(get("fixed", ""), 2))
        body["cpa_trigger"] = get("cpa_trigger") or "join"
    elif kind == "store":
        for role in ("store_bound", "store_selling", "store_fulfilling"):
            body[f"{role}_bp"] = parse(state, role, _optional_bp(get(role, "")))
    return body


def _sku(session: Session, brand_id: int, state: FormState, code: str) -> int | None:
    if not code.strip():
        return None
    found = commission_service.sku_by_code(session=session, brand_id=brand_id, code=code.strip())
    if found is None:
        state.errors["sku_code"] = state.page.gettext("No SKU of the brand has this code.")
    return found


def explainer(page: Page, state: FormState) -> Callable[[DomainError], None]:
    """An overlap names both rules."""

    def explain(error: DomainError) -> None:
        names = getattr(error, "names", None)
        if error.code == "overlapping_rules" and names:
            state.form_error = page.gettext(
                "Rule “%(rule)s” overlaps rule “%(other)s”: they match the same sales with the "
                "same priority. Give one another priority or narrow it.",
                rule=names[0],
                other=names[1],
            )

    return explain


def test_body(
    page: Page, session: Session, plan: CommissionPlan, state: FormState, fields: dict[str, str]
) -> dict[str, Any]:
    get = fields.get
    return {
        "plan_id": plan.id,
        "brand_id": plan.brand_id,
        "channel": get("t_channel") or "online",
        "sku_id": _sku(session, plan.brand_id, state, get("t_sku_code", "")),
        "store_id": _id(get("t_store_id")),
        "bound_store_id": _id(get("t_bound_store_id")),
        "fulfilling_store_id": _id(get("t_fulfilling_store_id")),
        "bound_guide_id": _id(get("t_bound_guide_id")),
        "referring_guide_id": _id(get("t_referring_guide_id")),
        "amount": parse(state, "t_amount", lambda: parse_amount(get("t_amount", ""), 2)),
    }


def choices(page: Page, session: Session, brand: BrandRead) -> dict[str, Any]:
    stores = _stores(page, session, brand.id, warehouses=False)
    guides, _ = auth_service.list_staff(
        session=session, scope=page.caller, cursor=None, limit=200, role=Role.GUIDE
    )
    return {
        "kind_options": [
            (k, page.translate(labels.COMMISSION_KINDS[k]))
            for k in ("cps", "share", "store", "cpa")
        ],
        "channel_options": options(page, labels.CHANNELS),
        "store_type_options": options(page, labels.STORE_TYPES),
        "level_options": options(page, labels.GUIDE_LEVELS),
        "trigger_options": options(page, labels.CPA_TRIGGERS),
        "category_options": [(str(i), n) for i, n in _categories(session, page, brand.id)],
        "store_options": [(str(s.id), s.name) for s in stores],
        "guide_options": [(str(g.id), g.display_name) for g in guides if g.brand_id == brand.id],
    }


def result_rows(page: Page, session: Session, result: TestResult) -> list[dict[str, Any]]:
    return [
        {
            "who": _who(page, session, e.guide_id, e.store_id),
            "kind": labels.label(page, labels.COMMISSION_KINDS, e.kind),
            "amount": yuan(page, e.amount),
            "why": _why(page, e.detail),
        }
        for e in result.entries
    ]


def _who(page: Page, session: Session, guide_id: int | None, store_id: int | None) -> str:
    if guide_id is not None:
        staff = auth_service.get_staff(session=session, scope=page.caller, staff_id=guide_id)
        return staff.display_name
    store = org_service.get_store(session=session, scope=page.caller, store_id=store_id or 0)
    return store.name


def _why(page: Page, d: dict[str, Any]) -> str:
    said = page.gettext(
        "%(rate)s of %(base)s", rate=percent(d.get("rate_bp") or 0), base=yuan(page, d["base"])
    )
    if d.get("cap") is not None:
        said += ", " + page.gettext("capped at %(cap)s", cap=yuan(page, d["cap"]))
    if d.get("share_bp") is not None:
        said += ", " + page.gettext("%(share)s of the split", share=percent(d["share_bp"]))
    return f"{d['rule_name']}: {said}"
