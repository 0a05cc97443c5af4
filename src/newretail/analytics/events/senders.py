"""Who may send events, and for which brand and store."""

from datetime import datetime, timedelta

from newretail.analytics.events import errors, rules
from newretail.analytics.events.validate import Sender
from newretail.kernel.errors import PermissionDenied
from newretail.kernel.scope import Scope

PAGE_TOKEN_TTL = timedelta(hours=12)


def issue_page_token(*, secret: str, brand_id: int, store_id: int, now: datetime) -> str:
    """The token a cloud store page hands its event script (anonymous events of that store)."""
    return rules.page_token(
        secret=secret, brand_id=brand_id, store_id=store_id, expires_at=now + PAGE_TOKEN_TTL
    )


def page_sender(token: str, *, secret: str, now: datetime) -> Sender:
    grant = rules.read_page_token(token, secret=secret, now=now)
    if grant is None:
        raise errors.InvalidPageToken()
    return Sender(brand_id=grant.brand_id, store_id=grant.store_id, may_name_users=False)


def sender_for(scope: Scope) -> Sender:
    """A brand's staff or API key send for their brand (store staff: for their stores);
    anyone else needs a page token."""
    if scope.actor_type == "consumer" or scope.brand_id is None:
        raise PermissionDenied("Events are sent with the brand's API key or a page token.")
    if scope.is_brand_wide or scope.store_ids is None:
        return Sender(brand_id=scope.brand_id)
    return Sender(brand_id=scope.brand_id, store_ids=frozenset(scope.store_ids))


def is_page_token(token: str) -> bool:
    return token.startswith(rules.PAGE_TOKEN_PREFIX)
