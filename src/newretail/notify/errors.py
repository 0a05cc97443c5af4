"""Errors of the notifier and the conversations.

DomainError
├── NotFound
│   ├── MessageNotFound          notification_not_found
│   ├── ConversationNotFound     conversation_not_found
│   └── RecipientNotFound        recipient_not_found (not the brand's, or not the guide's)
├── InvalidInput
│   ├── TemplateInvalid          template_invalid (unknown, missing or unknown variables)
│   ├── ChannelInvalid           channel_invalid
│   ├── NoRecipients             no_recipients
│   ├── MessageEmpty             message_empty
│   └── ChannelConfigInvalid     channel_config_invalid
├── PermissionDenied
│   ├── NoMarketingConsent       no_marketing_consent
│   └── NotYourMember            not_your_member
└── TooManyRequests
    └── RecipientRateLimited     notify_rate_limited
"""

from newretail.kernel.errors import InvalidInput, NotFound, PermissionDenied, TooManyRequests


class MessageNotFound(NotFound):
    code = "notification_not_found"
    default_detail = "Notification not found."


class ConversationNotFound(NotFound):
    code = "conversation_not_found"
    default_detail = "Conversation not found."


class RecipientNotFound(NotFound):
    code = "recipient_not_found"
    default_detail = "A recipient is not one of this brand's people."


class TemplateInvalid(InvalidInput):
    code = "template_invalid"
    default_detail = "The message template or its variables are not valid."


class ChannelInvalid(InvalidInput):
    code = "channel_invalid"
    default_detail = "Unknown notification channel."


class NoRecipients(InvalidInput):
    code = "no_recipients"
    default_detail = "A message needs at least one recipient."


class MessageEmpty(InvalidInput):
    code = "message_empty"
    default_detail = "A message needs text or a card."


class ChannelConfigInvalid(InvalidInput):
    code = "channel_config_invalid"
    default_detail = "The channel settings are not valid."


class NoMarketingConsent(PermissionDenied):
    code = "no_marketing_consent"
    default_detail = "A recipient has not agreed to marketing messages; nothing was sent."


class NotYourMember(PermissionDenied):
    code = "not_your_member"
    default_detail = "A recipient is not one of your members; nothing was sent."


class RecipientRateLimited(TooManyRequests):
    code = "notify_rate_limited"
    default_detail = "Too many messages to this person for now; nothing was sent."
