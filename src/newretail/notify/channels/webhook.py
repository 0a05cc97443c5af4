"""A brand's own endpoint that receives each message, signed as outbound webhooks are.

Settings: ``url``; secret: the signing secret. The body is the message as JSON; the
headers are the integrations' (``Webhook-Id`` = ``notification-<id>``, stable across
retries, ``Webhook-Timestamp``, ``Webhook-Signature``), so a receiver verifies both kinds
of delivery with one piece of code.
"""

import json
import time

import httpx

# The signature scheme is the integrations' pure rule, shared so receivers verify alike.
from newretail.integrations.rules import signed_headers
from newretail.notify.channels.base import SENT, ChannelConfig, Outcome, Outgoing, http_failure


def body_of(outgoing: Outgoing) -> bytes:
    document = {
        "id": outgoing.message_id,
        "brand_id": outgoing.brand_id,
        "recipient": {"kind": outgoing.recipient_kind, "id": outgoing.recipient_id},
        "template": outgoing.template,
        "subject": outgoing.subject,
        "body": outgoing.body,
        "data": dict(outgoing.data),
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def deliver(client: httpx.Client, outgoing: Outgoing, config: ChannelConfig) -> Outcome:
    url = config.text("url")
    if not url or config.secret is None:
        return Outcome.failed("the webhook channel needs a url and a secret", retry=False)
    body = body_of(outgoing)
    headers = signed_headers(
        secret=config.secret,
        event_id=f"notification-{outgoing.message_id}",
        timestamp=int(time.time()),
        body=body,
    )
    try:
        response = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return http_failure(exc)
    if 200 <= response.status_code < 300:
        return SENT
    return Outcome.failed(f"HTTP {response.status_code}")
