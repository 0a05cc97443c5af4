"""Errors of touchpoint codes, each with a stable code.

NotFound (404)          code_not_found (also another brand's code), code_inactive (a
                        deactivated code, for the public scan and join), store_not_found,
                        guide_not_found, product_not_found
InvalidInput (422)      invalid_code_target, guide_not_at_store (members)
Unauthenticated (401)   consumer_token_required (joining through a code over the API)
"""

from newretail.kernel.errors import InvalidInput, NotFound, Unauthenticated


class CodeNotFound(NotFound):
    code = "code_not_found"
    default_detail = "Code not found."


class CodeInactive(NotFound):
    code = "code_inactive"
    default_detail = "This code is no longer in use."


class InvalidCodeTarget(InvalidInput):
    code = "invalid_code_target"
    default_detail = "The code's target does not fit its product."


class ConsumerTokenRequired(Unauthenticated):
    code = "consumer_token_required"
    default_detail = "Joining through a code needs a consumer token."
