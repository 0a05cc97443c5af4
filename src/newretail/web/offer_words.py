"""Promotions and coupons in words: what an offer takes off, where it applies, its stacking
group, what a return does, and the optimiser's reasons for a coupon package.

Every code goes through ``labels.label``, so an unknown code reads "Other", never raw.
"""

from typing import Any

from newretail.kernel.i18n import N_, format_money
from newretail.kernel.money import Money
from newretail.web import labels, messages
from newretail.web.pages import Page

PROMOTION_KINDS = {
    "spend_save": N_("Spend and save"),
    "nth_item": N_("Nth item at a discount"),
    "buy_get": N_("Buy some, get some free"),
    "set_price": N_("Fixed price for a set"),
    "tier_price": N_("Member price"),
}
COUPON_KINDS = {
    "fixed": N_("Amount off"),
    "threshold": N_("Amount off above a spend"),
    "percent": N_("Percent off"),
    "free_gift": N_("Free gift"),
    "service": N_("Service or free trial"),
    "paid": N_("Paid voucher"),
}
KINDS = PROMOTION_KINDS | COUPON_KINDS
STACKING = {
    "stackable": N_("Stacks with other offers"),
    "exclusive": N_("Exclusive: only with universal offers"),
    "universal": N_("Universal: goes with every offer"),
}
OFFER_STATUSES = {"active": N_("Running"), "paused": N_("Paused"), "archived": N_("Archived")}
RETURN_RULES = {
    "forfeit": N_("Stays used when the order is returned"),
    "restore": N_("Comes back when the whole order is refunded"),
}
PACKAGE_KINDS = {
    "district": N_("District package"),
    "industry": N_("Industry package"),
    "scenario": N_("Scenario package"),
}
PACKAGE_STATUSES = {
    "draft": N_("Awaiting review"),
    "published": N_("Published"),
    "closed": N_("Closed"),
}
# The optimiser's verdict on a candidate benefit, and why a candidate could not take part.
VERDICTS = {
    "picked": N_("Picked"),
    "no_value": N_("Expected to save nothing"),
    "over_budget": N_("Its face value alone is over the budget"),
    "brand_taken": N_("Its brand gives a better benefit"),
    "conflict": N_("Conflicts with a picked benefit"),
    "package_full": N_("The package holds as many benefits as allowed"),
    "budget_left": N_("Does not fit in the budget the picks leave"),
    "template_inactive": N_("The template is paused or archived"),
    "claim_closed": N_("Cannot be claimed when the package opens"),
    "exhausted": N_("No coupons or budget left"),
    "no_face_value": N_("A percent coupon without a maximum has no face value"),
    "not_in_district": N_("Not usable in the district's stores"),
    "sold_not_given": N_("A paid voucher is sold, not given in a package"),
}
LIST_SEPARATOR = N_(", ")  # between the names of a list: "、" in Chinese
CLAIM_CHANNELS = {
    "guide_push": N_("Sent by a guide"),
    "code_scan": N_("Code scanned"),
    "cloud_store": N_("Cloud store page"),
    "district_page": N_("District page"),
    "pos": N_("At the till"),
    "import": N_("Imported from the brand's system"),
    "purchase": N_("Bought"),
}
SOURCES = {"promotion": N_("Promotions"), "coupon": N_("Coupons"), "manual": N_("Staff discounts")}


def money(page: Page, amount: int, currency: str) -> str:
    return format_money(Money(amount, currency), page.locale)


def terms_text(page: Page, kind: str, terms: dict[str, Any], currency: str) -> str:
    """What an offer takes off, in a sentence: "Spend ¥599, save ¥100"."""

    def cash(name: str) -> str:
        return money(page, int(terms.get(name) or 0), currency)

    if kind == "spend_save":
        tiers = sorted((int(t["threshold"]), int(t["off"])) for t in terms.get("tiers", []))
        return "; ".join(
            page.gettext(
                "Spend %(spend)s, save %(off)s",
                spend=money(page, spend, currency),
                off=money(page, off, currency),
            )
            for spend, off in tiers
        )
    if kind == "nth_item":
        return page.gettext(
            "One in every %(n)s items at %(percent)s%% off",
            n=terms.get("every"),
            percent=terms.get("percent_off"),
        )
    if kind == "buy_get":
        return page.gettext(
            "Buy %(buy)s, get %(free)s free", buy=terms.get("every"), free=terms.get("free")
        )
    if kind == "set_price":
        return page.gettext("%(n)s for %(price)s", n=terms.get("every"), price=cash("set_price"))
    if kind == "tier_price":
        if terms.get("unit_price") is not None:
            return page.gettext("Members pay %(price)s", price=cash("unit_price"))
        return page.gettext("Members save %(percent)s%%", percent=terms.get("percent_off"))
    return _coupon_terms(page, kind, terms, currency)


def _coupon_terms(page: Page, kind: str, terms: dict[str, Any], currency: str) -> str:
    threshold = int(terms.get("threshold") or 0)
    spend = money(page, threshold, currency)
    worth = money(page, int(terms.get("amount") or 0), currency)
    if kind == "service":
        return page.gettext("A service worth %(worth)s, used once in store", worth=worth)
    if kind == "free_gift":
        text = page.gettext("A free gift worth %(worth)s", worth=worth)
    elif kind == "paid":
        price = money(page, int(terms.get("price") or 0), currency)
        text = page.gettext("%(amount)s off, sold for %(price)s", amount=worth, price=price)
    elif kind == "percent":
        text = page.gettext("%(percent)s%% off", percent=terms.get("percent_off"))
        if terms.get("max_off") is not None:
            most = money(page, int(terms["max_off"]), currency)
            text = page.gettext("%(text)s, at most %(most)s", text=text, most=most)
    else:
        text = page.gettext(
            "%(amount)s off", amount=money(page, int(terms.get("amount") or 0), currency)
        )
    if threshold:
        return page.gettext("%(text)s on %(spend)s or more", text=text, spend=spend)
    return text


def reach_text(
    page: Page, reach: dict[str, Any], stores: dict[int, str], categories: dict[int, str]
) -> list[str]:
    """Where an offer applies, one phrase per limit; empty when it applies everywhere."""
    out: list[str] = []
    sep = page.translate(LIST_SEPARATOR)
    if reach.get("stores"):
        names = [stores.get(int(s), "#" + str(s)) for s in reach["stores"]]
        out.append(page.gettext("Stores: %(names)s", names=sep.join(names)))
    if reach.get("channels"):
        names = [labels.label(page, messages.CHANNELS, c) for c in reach["channels"]]
        out.append(page.gettext("Channels: %(names)s", names=sep.join(names)))
    if reach.get("tiers"):
        out.append(page.gettext("Member tiers: %(names)s", names=sep.join(reach["tiers"])))
    if reach.get("categories"):
        names = [categories.get(int(c), "#" + str(c)) for c in reach["categories"]]
        out.append(page.gettext("Categories: %(names)s", names=sep.join(names)))
    if reach.get("skus"):
        out.append(page.gettext("%(count)s chosen SKUs", count=len(reach["skus"])))
    excluded = len(reach.get("exclude_skus") or []) + len(reach.get("exclude_categories") or [])
    if excluded:
        out.append(page.gettext("%(count)s exclusions", count=excluded))
    return out
