"""Domain errors: a stable ``code``, an HTTP ``status`` and a human ``detail``.

One handler in ``app.py`` turns any of them into ``{"detail": ..., "code": ...}``.
Services raise these and never ``HTTPException``.

    DomainError
    ├── NotFound            404  (also every cross-tenant access)
    ├── Conflict            409
    ├── InvalidInput        422
    ├── Unauthenticated     401
    ├── PermissionDenied    403
    ├── TooManyRequests     429
    └── ServiceUnavailable  503  (no database connection could be had; retry later)

Each domain defines small subclasses (``StoreCodeTaken(Conflict)``) with their own code.
"""

from typing import ClassVar


class DomainError(Exception):
    code: ClassVar[str] = "error"
    status: ClassVar[int] = 400
    default_detail: ClassVar[str] = "The request could not be completed."

    def __init__(self, detail: str | None = None, *, headers: dict[str, str] | None = None):
        self.detail = detail or self.default_detail
        self.headers = headers or {}
        super().__init__(self.detail)


class NotFound(DomainError):
    code = "not_found"
    status = 404
    default_detail = "Not found."


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_detail = "The request conflicts with the current state."


class InvalidInput(DomainError):
    code = "invalid_input"
    status = 422
    default_detail = "The input is not valid."


class Unauthenticated(DomainError):
    code = "not_authenticated"
    status = 401
    default_detail = "Authentication is required."


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403
    default_detail = "You are not allowed to do this."


class TooManyRequests(DomainError):
    code = "too_many_requests"
    status = 429
    default_detail = "Too many requests; slow down."


class ServiceUnavailable(DomainError):
    code = "service_unavailable"
    status = 503
    default_detail = "The service is busy or briefly unavailable; try again shortly."


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    default_detail = "This Idempotency-Key was already used with a different request."


class InvalidToken(Unauthenticated):
    code = "invalid_token"
    default_detail = "The token is missing, malformed or expired."


class NulCharacter(InvalidInput):
    code = "nul_character"
    default_detail = "Text must not contain the NUL character (\\x00)."
