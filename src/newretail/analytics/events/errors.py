"""Errors of event collection, each with a stable code.

A batch is refused whole only for its size or shape; each event inside is judged on its own
and refused with a reason code (``rules.Reject``) while the rest are kept.

DomainError
├── PayloadTooLarge (413)   batch_too_large (too many events or bytes)
├── InvalidInput (422)      empty_batch, invalid_batch
└── Unauthenticated (401)   events_token_required, invalid_page_token
"""

from typing import ClassVar

from newretail.kernel.errors import DomainError, InvalidInput, Unauthenticated


class BatchTooLarge(DomainError):
    code = "batch_too_large"
    status: ClassVar[int] = 413
    default_detail = "The batch is too large; send fewer events per batch."


class EmptyBatch(InvalidInput):
    code = "empty_batch"
    default_detail = "The batch holds no events."


class InvalidBatch(InvalidInput):
    code = "invalid_batch"
    default_detail = "The body must be a JSON object with a list under 'batch'."


class EventsTokenRequired(Unauthenticated):
    code = "events_token_required"
    default_detail = "Events need the brand's API key, a staff token or a page token."


class InvalidPageToken(Unauthenticated):
    code = "invalid_page_token"
    default_detail = "The page token is not valid or has expired."
