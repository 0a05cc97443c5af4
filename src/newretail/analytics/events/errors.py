"""Errors of event collection, each with a stable code.

A batch is refused whole only for its size or shape; each event inside is judged on its own
and refused with a reason code (``rules.Reject``) while the rest are kept.

DomainError
├── PayloadTooLarge (413)   batch_too_large (too many events or bytes)
├── InvalidInput (422)      empty_batch, invalid_batch, events_rejected (every event refused)
├── NotFound (404)          foreign_events (every event named another brand's store or brand)
└── Unauthenticated (401)   events_token_required, invalid_page_token
"""

from typing import ClassVar

from newretail.kernel.errors import DomainError, InvalidInput, NotFound, Unauthenticated


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


class EventsRejected(InvalidInput):
    code = "events_rejected"
    default_detail = "Every event of the batch was refused; see 'rejected' for the reasons."


class ForeignEvents(NotFound):
    code = "foreign_events"
    default_detail = "Every event of the batch named a store or brand that is not the sender's."
