from newretail.kernel.errors import Conflict, InvalidInput, InvalidToken, NotFound, Unauthenticated

__all__ = ["InvalidToken"]


class BadCredentials(Unauthenticated):
    code = "bad_credentials"
    default_detail = "Wrong username or password."


class BrandDeleted(Unauthenticated):
    code = "brand_deleted"
    default_detail = "This brand has been deleted; its tokens and keys no longer work."


class AccountInactive(Unauthenticated):
    code = "account_inactive"
    default_detail = "This account is no longer active."


class StaffNotFound(NotFound):
    code = "staff_not_found"
    default_detail = "Staff member not found."


class ApiKeyNotFound(NotFound):
    code = "api_key_not_found"
    default_detail = "API key not found."


class UsernameTaken(Conflict):
    code = "username_taken"
    default_detail = "This username is already taken."


class InvalidRoleScope(InvalidInput):
    code = "invalid_role_scope"
    default_detail = "The role does not fit the region or store it was given."
