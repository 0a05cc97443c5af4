"""Console screens for audiences: who they hold, and coupons and messages sent to them.

    GET   /console/audiences                   the brand's audiences: what each holds, its size,
                                               when it was computed; a new one from a common
                                               segment
    POST  /console/audiences                   that new audience
    GET   /console/audiences/{id}              one audience: its sends with their progress (the
                                               page reloads itself while one runs), a new send
    POST  /console/audiences/{id}/refresh      its members computed again now from the data bank
    GET   /console/audiences/{id}/members.csv  who is in it, as the API exports it
    POST  /console/audiences/{id}/push         its members who accept marketing pushed, signed,
                                               to the brand's webhooks for ad platforms
    POST  /console/audiences/{id}/sends        a coupon and/or a marketing message to its members
    POST  /console/audiences/{id}/retarget     a near-store offer: a member of the audience who
                                               comes within 3-5 km of a store is sent a coupon
                                               or a message, once per period
    POST  /console/audiences/{id}/retarget/{rule}/stop   that offer stopped

The data bank's readers (brand admins) only, as on its API. A segment is one of the rule
language's common shapes with its number of days (``audiences.segments``); an audience made through
the API with any other rule is shown as a custom rule. A send is the API's: the first
members are given it before the page answers, the worker gives the rest.
"""

import json
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from newretail.analytics.audiences import segments
from newretail.analytics.audiences import service as audiences
from newretail.analytics.audiences.models import Audience
from newretail.analytics.audiences.rules import MAX_DAYS
from newretail.analytics.outreach import service as outreach
from newretail.analytics.outreach.models import AudienceSendRun
from newretail.analytics.outreach.schemas import AudienceSendCreate, SendStatus
from newretail.analytics.reports import csvfile
from newretail.analytics.reports.access import analysed_brand
from newretail.analytics.reports.errors import RetargetRuleNotFound
from newretail.analytics.retarget import service as retarget
from newretail.analytics.retarget.models import RetargetRule
from newretail.analytics.retarget.rules import MAX_RADIUS_M, MIN_RADIUS_M
from newretail.analytics.retarget.schemas import RetargetRuleCreate
from newretail.db import utcnow
from newretail.kernel.errors import DomainError
from newretail.kernel.i18n import N_
from newretail.org.schemas import BrandRead
from newretail.promotions import service as promotions_service
from newretail.promotions.models import Status
from newretail.web import data, forms, messages
from newretail.web.console_analytics import PageWarehouse
from newretail.web.console_forms import FormState
from newretail.web.manage import form_brand
from newretail.web.nav import console_nav, url
from newretail.web.pages import FormDep, Page, PageRoute, PageSessionDep, StaffPage

router = APIRouter(route_class=PageRoute, include_in_schema=False)
NAV = "audiences"
MAX_NAME = 200
# What each segment is called (``audiences.segments`` holds their rules).
SEGMENT_LABELS = {
    "members": N_("All members"),
    "marketing": N_("Members who accept marketing"),
    "new_members": N_("Joined in the last %(days)s days"),
    "cart_no_order": N_("Added to cart online in the last %(days)s days, no order since"),
    "bought": N_("Bought in the last %(days)s days"),
    "lapsed": N_("Bought before, but not in the last %(days)s days"),
    "visited_not_member": N_("Visited a store in the last %(days)s days, not yet a member"),
}
SKIP_REASONS = {
    "already_sent": N_("given it before"),
    "coupons_exhausted": N_("coupons run out"),
    "budget_exhausted": N_("budget spent"),
    "member_limit_reached": N_("member's limit reached"),
    "claim_closed": N_("claims closed"),
    "no_marketing_consent": N_("no marketing consent"),
    "notify_rate_limited": N_("message limit reached"),
    "not_a_member": N_("no longer a member"),
}
ERROR_FIELDS = {"coupon_template_not_found": "coupon_template", "invalid_audience_send": "message"}
RETARGET_FIELDS = {"coupon_template_not_found": "rt_coupon"}
RADII_M = tuple(range(MIN_RADIUS_M, MAX_RADIUS_M + 1, 1_000))
PERIODS_H = (24, 72, 168, 720)
ERROR_TEXTS = {
    "nothing_to_give": N_("Choose a coupon, a message or both."),
    "segment": N_("Choose a segment."),
    "days": N_("Enter a number of days from 1 to 3650."),
    "rt_name": N_("Give the offer a name."),
}


def describe(page: Page, rule: dict[str, Any]) -> tuple[str, str | None]:
    """A rule in words when it is one of the segments; else "custom" and its JSON."""
    found = segments.recognise(rule)
    if found is None:
        return page.gettext("Custom rule"), json.dumps(rule, ensure_ascii=False)
    key, days = found
    return page.translate(SEGMENT_LABELS[key], days=days), None


# ---- the list -------------------------------------------------------------------------


@router.get("/console/audiences")
def audience_list(page: StaffPage, session: PageSessionDep, brand: int | None = None) -> Response:
    current = _brand(page, session, brand)
    state = FormState(page, {"segment": "cart_no_order", "days": "14"})
    return _list_page(page, session, current, state)


@router.post("/console/audiences")
def create_audience(page: StaffPage, session: PageSessionDep, fields: FormDep) -> Response:
    current = form_brand(page, session, fields)
    analysed_brand(page.caller, current.id)
    state = FormState(page, fields, error_texts=ERROR_TEXTS)
    name = fields.get("name", "").strip()
    key = fields.get("segment", "")
    if not name or len(name) > MAX_NAME:
        state.add_field_errors({"name": "missing" if not name else "too_long"})
    if key not in segments.SEGMENTS:
        state.errors["segment"] = page.translate(ERROR_TEXTS["segment"])
    days = _days(fields.get("days", ""))
    if key in segments.SEGMENTS and segments.SEGMENTS[key].takes_days and days is None:
        state.errors["days"] = page.translate(ERROR_TEXTS["days"])
    if state.errors:
        state.form_error = page.translate(messages.ERRORS["invalid_input"])
        return _list_page(page, session, current, state, status_code=422)
    try:
        made = audiences.create_audience(
            session=session,
            scope=page.caller,
            brand_id=current.id,
            name=name,
            rule=segments.rule(key, days or 1),
        )
    except DomainError as exc:
        session.rollback()
        state.add_domain_error(exc)
        return _list_page(page, session, current, state, status_code=exc.status)
    return page.redirect(
        url(f"/console/audiences/{made.id}", page.caller, current.id),
        flash="audience_created",
        name=made.name,
    )


def _days(text: str) -> int | None:
    text = text.strip()
    if not text.isdigit() or len(text) > 4:
        return None
    days = int(text)
    return days if 1 <= days <= MAX_DAYS else None


def _list_page(
    page: Page, session: Session, brand: BrandRead, state: FormState, status_code: int = 200
) -> HTMLResponse:
    rows = audiences.list_audiences(session=session, scope=page.caller, brand_id=brand.id)
    return page.render(
        "console/audiences.html",
        status_code=status_code,
        nav_items=console_nav(page, brand.id, NAV),
        brand=brand,
        audiences=[_summary(page, brand, a) for a in reversed(rows)],
        segment_options=[
            (key, page.translate(label, days="N")) for key, label in SEGMENT_LABELS.items()
        ],
        segments_with_days=[key for key, seg in segments.SEGMENTS.items() if seg.takes_days],
        action=url("/console/audiences", page.caller, brand.id),
        **state.as_context(),
    )


def _summary(page: Page, brand: BrandRead, audience: Audience) -> dict[str, Any]:
    words, custom = describe(page, audience.rule)
    return {
        "id": audience.id,
        "name": audience.name,
        "rule": words,
        "custom": custom,
        "size": audience.size,
        "computed_at": audience.computed_at,
        "url": url(f"/console/audiences/{audience.id}", page.caller, brand.id),
    }


# ---- one audience and its sends -------------------------------------------------------


@router.get("/console/audiences/{audience_id}")
def audience_page(page: StaffPage, session: PageSessionDep, audience_id: int) -> Response:
    audience, brand = _audience(page, session, audience_id)
    local = utcnow().astimezone(ZoneInfo(brand.timezone))
    values = {"key": f"send-{local:%Y%m%d-%H%M}", "message": "1"}
    return _audience_page(page, session, brand, audience, FormState(page, values))


@router.post("/console/audiences/{audience_id}/refresh")
def refresh(
    page: StaffPage, session: PageSessionDep, warehouse: PageWarehouse, audience_id: int
) -> Response:
    audience, brand = _audience(page, session, audience_id)
    audiences.refresh(
        session=session,
        scope=page.caller,
        warehouse=warehouse,
        audience_id=audience.id,
        now=utcnow(),
    )
    return page.redirect(
        url(f"/console/audiences/{audience.id}", page.caller, brand.id),
        flash="audience_refreshed",
        name=audience.name,
        size=audience.size,
    )


@router.get("/console/audiences/{audience_id}/members.csv")
def members_csv(page: StaffPage, session: PageSessionDep, audience_id: int) -> Response:
    audience, _brand = _audience(page, session, audience_id)
    rows = audiences.csv_rows(session=session, scope=page.caller, audience_id=audience.id)
    return csvfile.response(f"audience-{audience.id}.csv", rows)


@router.post("/console/audiences/{audience_id}/push")
def push(page: StaffPage, session: PageSessionDep, audience_id: int) -> Response:
    audience, brand = _audience(page, session, audience_id)
    parts = audiences.push(
        session=session, scope=page.caller, audience_id=audience.id, now=utcnow()
    )
    return page.redirect(
        url(f"/console/audiences/{audience.id}", page.caller, brand.id),
        flash="audience_pushed",
        name=audience.name,
        parts=parts,
    )


@router.post("/console/audiences/{audience_id}/sends")
def send(page: StaffPage, session: PageSessionDep, audience_id: int, fields: FormDep) -> Response:
    audience, brand = _audience(page, session, audience_id)
    state = FormState(page, fields, error_fields=ERROR_FIELDS, error_texts=ERROR_TEXTS)
    template = fields.get("coupon_template", "")
    message = fields.get("message") == "1"
    if not template and not message:
        state.form_error = page.translate(ERROR_TEXTS["nothing_to_give"])
        return _audience_page(page, session, brand, audience, state, status_code=422)
    try:
        checked = AudienceSendCreate.model_validate(
            {
                "key": fields.get("key", ""),
                "coupon_template_id": template or None,
                "message": {} if message else None,
            }
        )
        run = outreach.send_to_audience(
            session=session,
            scope=page.caller,
            audience_id=audience.id,
            data=checked,
            now=utcnow(),
        )
    except ValidationError as exc:
        renamed = {"coupon_template_id": "coupon_template"}
        state.add_field_errors({renamed.get(k, k): v for k, v in forms.field_errors(exc).items()})
        return _audience_page(page, session, brand, audience, state, status_code=422)
    except DomainError as exc:
        session.rollback()
        state.add_domain_error(exc)
        return _audience_page(page, session, brand, audience, state, status_code=exc.status)
    done = run.status == SendStatus.DONE
    return page.redirect(
        url(f"/console/audiences/{audience.id}", page.caller, brand.id),
        flash="audience_send_done" if done else "audience_send_running",
        reached=run.reached,
        members=run.members,
    )


def _audience(page: Page, session: Session, audience_id: int) -> tuple[Audience, BrandRead]:
    audience = audiences.get_audience(session=session, scope=page.caller, audience_id=audience_id)
    analysed_brand(page.caller, audience.brand_id)
    return audience, data.brand(session=session, scope=page.caller, brand_id=audience.brand_id)


def _brand(page: Page, session: Session, brand: int | None) -> BrandRead:
    current = data.brand(session=session, scope=page.caller, brand_id=brand)
    analysed_brand(page.caller, current.id)
    return current


def _audience_page(
    page: Page,
    session: Session,
    brand: BrandRead,
    audience: Audience,
    state: FormState,
    status_code: int = 200,
    failed: str = "send",
) -> HTMLResponse:
    runs = outreach.list_runs(session=session, scope=page.caller, audience_id=audience.id)
    rules = [
        rule
        for rule in retarget.list_rules(session=session, scope=page.caller, brand_id=brand.id)
        if rule.audience_id == audience.id
    ]
    sent = retarget.sent_counts(session=session, rule_ids=[rule.id for rule in rules])
    templates, _ = promotions_service.list_templates(
        session=session,
        scope=page.caller,
        status=Status.ACTIVE,
        cursor=None,
        limit=200,
        brand_id=brand.id,
    )
    names = {t.id: t.name for t in templates}
    summary = _summary(page, brand, audience)
    return page.render(
        "console/audience.html",
        status_code=status_code,
        nav_items=console_nav(page, brand.id, NAV),
        brand=brand,
        audience=summary,
        sends=[_send_row(page, run, names) for run in runs],
        rules=[_rule_row(page, rule, names, sent.get(rule.id, 0)) for rule in reversed(rules)],
        radius_options=[(m, page.translate(N_("%(km)s km"), km=m // 1_000)) for m in RADII_M],
        period_options=[(h, _period_words(page, h)) for h in PERIODS_H],
        retarget_action=f"/console/audiences/{audience.id}/retarget",
        failed=failed,
        running=any(run.status == SendStatus.RUNNING for run in runs),
        template_options=[(t.id, t.name) for t in reversed(templates)],
        back_url=url("/console/audiences", page.caller, brand.id),
        refresh_action=f"/console/audiences/{audience.id}/refresh",
        csv_url=url(f"/console/audiences/{audience.id}/members.csv", page.caller, brand.id),
        push_action=f"/console/audiences/{audience.id}/push",
        send_action=f"/console/audiences/{audience.id}/sends",
        **state.as_context(),
    )


def _send_row(page: Page, run: AudienceSendRun, names: dict[int, str]) -> dict[str, Any]:
    skipped = {str(k): int(v) for k, v in (run.skipped or {}).items()}
    walked = run.reached + sum(skipped.values())
    gives = []
    if run.coupon_template_id is not None:
        gives.append(names.get(run.coupon_template_id) or page.gettext("a coupon"))
    if run.message_template is not None:
        gives.append(page.gettext("a message"))
    reasons = [
        page.translate(SKIP_REASONS[code]) if code in SKIP_REASONS else code for code in skipped
    ]
    return {
        "id": run.id,
        "key": run.key,
        "gives": " + ".join(gives),
        "running": run.status == SendStatus.RUNNING,
        "percent": 100 if not run.members else min(100, round(walked * 100 / run.members)),
        "walked": walked,
        "members": run.members,
        "reached": run.reached,
        "coupons": run.coupons,
        "messages": run.messages,
        "skipped": [(reason, skipped[code]) for reason, code in zip(reasons, skipped, strict=True)],
        "created_at": run.created_at,
        "finished_at": run.finished_at,
    }


# ---- near-store offers ----------------------------------------------------------------


@router.post("/console/audiences/{audience_id}/retarget")
def create_offer(
    page: StaffPage, session: PageSessionDep, audience_id: int, fields: FormDep
) -> Response:
    audience, brand = _audience(page, session, audience_id)
    state = FormState(page, fields, error_fields=RETARGET_FIELDS, error_texts=ERROR_TEXTS)
    name = fields.get("rt_name", "").strip()
    template = fields.get("rt_coupon", "")
    if not name:
        state.errors["rt_name"] = page.translate(ERROR_TEXTS["rt_name"])
        state.form_error = page.translate(messages.ERRORS["invalid_input"])
        return _audience_page(page, session, brand, audience, state, 422, failed="retarget")
    try:
        checked = RetargetRuleCreate.model_validate(
            {
                "name": name,
                "audience_id": audience.id,
                "radius_m": fields.get("rt_radius", "") or MIN_RADIUS_M,
                "offer_kind": "coupon" if template else "message",
                "coupon_template_id": template or None,
                "period_hours": fields.get("rt_hours", "") or PERIODS_H[0],
                "starts_at": utcnow(),
            }
        )
        made = retarget.create_rule(session=session, scope=page.caller, data=checked, now=utcnow())
    except ValidationError as exc:
        renamed = {
            "radius_m": "rt_radius",
            "period_hours": "rt_hours",
            "coupon_template_id": "rt_coupon",
            "name": "rt_name",
        }
        state.add_field_errors({renamed.get(k, k): v for k, v in forms.field_errors(exc).items()})
        return _audience_page(page, session, brand, audience, state, 422, failed="retarget")
    except DomainError as exc:
        session.rollback()
        state.add_domain_error(exc)
        return _audience_page(page, session, brand, audience, state, exc.status, "retarget")
    return page.redirect(
        url(f"/console/audiences/{audience.id}", page.caller, brand.id),
        flash="retarget_rule_made",
        name=made.name,
    )


@router.post("/console/audiences/{audience_id}/retarget/{rule_id}/stop")
def stop_offer(
    page: StaffPage, session: PageSessionDep, audience_id: int, rule_id: int
) -> Response:
    audience, brand = _audience(page, session, audience_id)
    rule = retarget.get_rule(session=session, scope=page.caller, rule_id=rule_id)
    if rule.audience_id != audience.id:
        raise RetargetRuleNotFound()
    retarget.stop_rule(session=session, scope=page.caller, rule_id=rule.id)
    return page.redirect(
        url(f"/console/audiences/{audience.id}", page.caller, brand.id),
        flash="retarget_rule_stopped",
        name=rule.name,
    )


def _period_words(page: Page, hours: int) -> str:
    if hours % 24:
        return page.translate(N_("once every %(n)s hours"), n=hours)
    return page.translate(N_("once every %(n)s days"), n=hours // 24)


def _rule_row(page: Page, rule: RetargetRule, names: dict[int, str], sent: int) -> dict[str, Any]:
    if rule.coupon_template_id is not None:
        offer = names.get(rule.coupon_template_id) or page.gettext("a coupon")
    else:
        offer = page.gettext("a message")
    return {
        "id": rule.id,
        "name": rule.name,
        "offer": offer,
        "within": page.translate(N_("within %(km)s km"), km=f"{rule.radius_m / 1_000:g}"),
        "period": _period_words(page, rule.period_hours),
        "active": rule.active,
        "sent": sent,
        "starts_at": rule.starts_at,
        "stop_action": f"/console/audiences/{rule.audience_id}/retarget/{rule.id}/stop",
    }
