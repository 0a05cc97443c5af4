"""The notifier's use cases, for routers, the worker and other domains (import only this).

    rules.py       states, purposes, channels, consent, quiet hours, backoff (pure)
    templates.py   message templates in zh and en with their declared variables (pure)
    recipients.py  who a send reaches: locale, timezone, consents, addresses
    sending.py     ``send``: checks, then one row per person and channel
    inbox.py       the in-app inbox, marking read, each message's state

Delivery to outside channels runs in the worker, after the send's transaction commits.
"""

from newretail.notify.inbox import (
    get_message,
    list_inbox,
    list_messages,
    mark_all_read,
    mark_read,
    reader_of,
    unread_count,
)
from newretail.notify.rules import Channel, Purpose, Recipient, Status
from newretail.notify.sending import (
    MessageRecord,
    Policy,
    configured_channels,
    policy_of,
    send,
)
from newretail.notify.templates import register as register_template

__all__ = [
    "Channel",
    "MessageRecord",
    "Policy",
    "Purpose",
    "Recipient",
    "Status",
    "configured_channels",
    "get_message",
    "list_inbox",
    "list_messages",
    "mark_all_read",
    "mark_read",
    "policy_of",
    "reader_of",
    "register_template",
    "send",
    "unread_count",
]
