"""The notifier's use cases, for routers, the worker and other domains (import only this).

    rules.py       states, purposes, channels, consent, quiet hours, backoff (pure)
    templates.py   message templates in zh and en with their declared variables (pure)
    recipients.py  who a send reaches: locale, timezone, consents, addresses
    sending.py     ``send``: checks, then one row per person and channel
    inbox.py       the in-app inbox, marking read, each message's state
    setup.py       a brand's quiet hours, hourly limit and channel settings
    conversations.py  guides writing to their members, members answering, reading
    threads.py     who sees which conversation; lists and threads
    cards.py       product, coupon and pre-sale cards with the guide's share link
    notices.py     orders telling their buyer (outbox consumer) and timed reminders (job)
    codes.py       sign-in codes: the members' OtpSender, texted after commit, never stored
    delivery.py    the worker job: outside channels, retries with backoff, quiet hours' end
    channels/      adapters: sandbox and Alibaba Cloud SMS, SMTP, webhook, DingTalk, WeCom

Delivery to outside channels runs in the worker, after the send's transaction commits.
"""

from newretail.notify.cards import card
from newretail.notify.codes import NotifierOtpSender
from newretail.notify.conversations import Card, guide_writes, member_replies, write_in
from newretail.notify.conversations import mark_read as mark_conversation_read
from newretail.notify.delivery import NotificationDeliverer
from newretail.notify.inbox import (
    get_message,
    list_inbox,
    list_messages,
    mark_all_read,
    mark_read,
    reader_of,
    require_sender,
    unread_count,
)
from newretail.notify.notices import RemindJob
from newretail.notify.rules import Channel, Purpose, Recipient, Status
from newretail.notify.sending import (
    Delivery,
    MessageRecord,
    Policy,
    batch_states,
    configured_channels,
    policy_of,
    send,
    sends_of_one_brand,
)
from newretail.notify.setup import list_channels, put_channel, put_policy
from newretail.notify.templates import register as register_template
from newretail.notify.threads import get_conversation, list_conversations, messages_of

__all__ = [
    "Card",
    "Channel",
    "Delivery",
    "MessageRecord",
    "NotificationDeliverer",
    "NotifierOtpSender",
    "Policy",
    "Purpose",
    "Recipient",
    "RemindJob",
    "Status",
    "batch_states",
    "card",
    "configured_channels",
    "get_conversation",
    "get_message",
    "guide_writes",
    "list_channels",
    "list_conversations",
    "list_inbox",
    "list_messages",
    "mark_all_read",
    "mark_conversation_read",
    "mark_read",
    "member_replies",
    "messages_of",
    "policy_of",
    "put_channel",
    "put_policy",
    "reader_of",
    "register_template",
    "require_sender",
    "send",
    "sends_of_one_brand",
    "unread_count",
    "write_in",
]
