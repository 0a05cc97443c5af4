"""A brand's notifier settings: quiet hours, the per-person limit, and outside channels.

Only brand-wide managers change them. Channels name their secret by reference only.
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from newretail.kernel.scope import Role, Scope
from newretail.notify import errors, rules, secrets
from newretail.notify.models import NotifyChannel, NotifyPolicy

PROVIDERS = {
    rules.Channel.SMS: frozenset({"aliyun"}),
    rules.Channel.DINGTALK: frozenset({"dingtalk"}),
    rules.Channel.WECOM: frozenset({"wecom"}),
    rules.Channel.EMAIL: frozenset({"email"}),
    rules.Channel.WEBHOOK: frozenset({"webhook"}),
}


def _brand(scope: Scope, brand_id: int | None) -> int:
    scope.require(Role.BRAND_ADMIN)
    return scope.target_brand(brand_id)


def put_policy(
    *,
    session: Session,
    scope: Scope,
    brand_id: int | None,
    quiet_start_minute: int | None,
    quiet_end_minute: int | None,
    max_per_hour: int,
) -> NotifyPolicy:
    target = _brand(scope, brand_id)
    for minute in (quiet_start_minute, quiet_end_minute):
        if minute is not None and not 0 <= minute < 24 * 60:
            raise errors.ChannelConfigInvalid("Quiet hours are minutes from 0 to 1439.")
    if (quiet_start_minute is None) != (quiet_end_minute is None):
        raise errors.ChannelConfigInvalid("Quiet hours need both a start and an end.")
    if max_per_hour < 1:
        raise errors.ChannelConfigInvalid("The hourly limit is at least 1.")
    policy = session.get(NotifyPolicy, target) or NotifyPolicy(brand_id=target)
    policy.quiet_start_minute = quiet_start_minute
    policy.quiet_end_minute = quiet_end_minute
    policy.max_per_hour = max_per_hour
    session.add(policy)
    session.flush()
    return policy


def put_channel(
    *,
    session: Session,
    scope: Scope,
    brand_id: int | None,
    channel: str,
    settings: Mapping[str, Any],
    secret_ref: str | None,
    active: bool = True,
) -> NotifyChannel:
    """Create or replace a brand's settings for one outside channel."""
    target = _brand(scope, brand_id)
    try:
        name = rules.parse_channel(channel)
    except ValueError as exc:
        raise errors.ChannelInvalid(str(exc)) from exc
    if name == rules.Channel.INAPP:
        raise errors.ChannelInvalid("The in-app inbox needs no settings.")
    provider = str(settings.get("provider", name.value))
    if provider not in PROVIDERS[name]:
        raise errors.ChannelConfigInvalid(f"{name.value} has no provider {provider!r}.")
    if secret_ref is not None:
        try:
            secrets.check_ref(secret_ref)
        except ValueError as exc:
            raise errors.ChannelConfigInvalid(str(exc)) from exc
    row = session.scalar(
        select(NotifyChannel).where(
            NotifyChannel.brand_id == target, NotifyChannel.channel == name.value
        )
    ) or NotifyChannel(brand_id=target, channel=name.value)
    row.settings = dict(settings)
    row.secret_ref = secret_ref
    row.active = active
    session.add(row)
    session.flush()
    return row


def list_channels(*, session: Session, scope: Scope, brand_id: int | None) -> list[NotifyChannel]:
    target = _brand(scope, brand_id)
    return list(
        session.scalars(
            select(NotifyChannel).where(NotifyChannel.brand_id == target).order_by(NotifyChannel.id)
        )
    )
