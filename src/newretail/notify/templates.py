"""Message templates in Chinese and English, each with the variables it declares.

A template is rendered with exactly its declared variables: one missing or one it does not
know is an error before anything is sent, so a typo cannot put ``{pickup_code}`` in a text.
Other domains name templates by their key; ``register`` adds one (a workbench, an offer).
"""

import string
from dataclasses import dataclass
from typing import Final

ZH: Final = "zh_Hans_CN"
EN: Final = "en"


@dataclass(frozen=True)
class Template:
    key: str
    variables: frozenset[str]
    subject: dict[str, str]
    body: dict[str, str]


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


class TemplateError(ValueError):
    """A template that does not exist or variables that do not fit it."""


_TEMPLATES: dict[str, Template] = {}


def register(key: str, *, zh: tuple[str, str], en: tuple[str, str]) -> Template:
    """Add a template; its variables are the fields its texts name (the same in both)."""
    names = {_fields(text) for text in (*zh, *en)}
    declared = frozenset().union(*names)
    for locale, (subject, body) in ((ZH, zh), (EN, en)):
        if _fields(subject) | _fields(body) != declared:
            raise ValueError(f"template {key!r} names other variables in {locale}")
    template = Template(key, declared, {ZH: zh[0], EN: en[0]}, {ZH: zh[1], EN: en[1]})
    _TEMPLATES[key] = template
    return template


def _fields(text: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)


def get(key: str) -> Template:
    try:
        return _TEMPLATES[key]
    except KeyError:
        raise TemplateError(f"There is no message template {key!r}.") from None


def check_variables(template: Template, variables: dict[str, object]) -> None:
    missing = sorted(template.variables - variables.keys())
    unknown = sorted(variables.keys() - template.variables)
    if missing:
        raise TemplateError(f"Template {template.key!r} needs: {', '.join(missing)}.")
    if unknown:
        raise TemplateError(f"Template {template.key!r} does not use: {', '.join(unknown)}.")


def render(template: Template, variables: dict[str, object], locale: str) -> Rendered:
    """The texts in ``locale`` (English for any locale but Chinese)."""
    check_variables(template, variables)
    lang = ZH if locale.startswith("zh") else EN
    values = {name: str(value) for name, value in variables.items()}
    return Rendered(
        template.subject[lang].format_map(values), template.body[lang].format_map(values)
    )


def all_templates() -> list[Template]:
    return sorted(_TEMPLATES.values(), key=lambda t: t.key)


SIGN_IN_CODE = register(
    "auth.sign_in_code",
    zh=("登录验证码", "您的验证码是 {code}，{minutes} 分钟内有效。请勿告诉他人。"),
    en=("Sign-in code", "Your code is {code}. It is valid for {minutes} minutes. Do not share it."),
)
register(
    "order.ready_for_pickup",
    zh=("订单可以自提了", "订单 {order_no} 已在 {store_name} 备好，取货码 {pickup_code}。"),
    en=(
        "Your order is ready",
        "Order {order_no} is ready at {store_name}. Pickup code: {pickup_code}.",
    ),
)
register(
    "order.shipped",
    zh=("订单已发货", "订单 {order_no} 已发出，运单号 {tracking_no}。"),
    en=("Your order is on its way", "Order {order_no} has shipped, tracking {tracking_no}."),
)
register(
    "order.refunded",
    zh=("退款已完成", "订单 {order_no} 已退款 {amount}。"),
    en=("Refund made", "Order {order_no}: {amount} refunded."),
)
register(
    "presale.balance_open",
    zh=("尾款开始支付", "预售 {presale} 的尾款已开放支付，截止 {closes_at}。"),
    en=("Balance window open", "You can now pay the balance of {presale}, until {closes_at}."),
)
register(
    "paylater.due_soon",
    zh=("优享购即将扣款", "订单 {order_no} 的 {amount} 将于 {due_at} 自动扣款。"),
    en=("Payment coming due", "Order {order_no}: {amount} will be charged on {due_at}."),
)
register(
    "conversation.from_guide",
    zh=("{guide_name} 给您发来消息", "{text}"),
    en=("A message from {guide_name}", "{text}"),
)
register(
    "conversation.from_member",
    zh=("{member_name} 回复了您", "{text}"),
    en=("{member_name} replied", "{text}"),
)
register(
    "notice.text",
    zh=("{title}", "{text}"),
    en=("{title}", "{text}"),
)
