"""The notifier template re-targeting sends by default, and the check of a rule's own."""

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from newretail.analytics.audiences import offers
from newretail.analytics.reports.errors import InvalidRetargetRule
from newretail.notify import service as notify_service

NEARBY_OFFER = "analytics.nearby_offer"
STORE = "store"

notify_service.register_template(
    NEARBY_OFFER,
    zh=("附近门店有礼", "您就在{store}附近，到店即可享受专属优惠。"),
    en=("An offer near you", "You are near {store}: drop in for an offer kept for you."),
)


def variables(rule_variables: Mapping[str, str], store_name: str) -> dict[str, str]:
    return {**rule_variables, STORE: store_name}


def check(
    *, session: Session, brand_id: int, key: str, rule_variables: Mapping[str, str], now: datetime
) -> None:
    """The template exists and takes exactly the rule's variables and ``store``."""
    problem = offers.message_problem(
        session=session,
        brand_id=brand_id,
        template=key,
        variables=variables(rule_variables, "-"),
        now=now,
    )
    if problem is not None:
        raise InvalidRetargetRule(problem)
