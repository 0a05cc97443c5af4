"""Errors of the analyses, each with a stable code.

NotFound:      report_not_found, audience_not_found, retarget_rule_not_found,
               coupon_template_not_found (an offer's coupon: none, or another brand's)
InvalidInput:  invalid_period (end before start, or longer than a year),
               invalid_report (a saved definition that no longer validates),
               invalid_attribution (an unknown touch type, a window out of 1-90 days),
               invalid_audience_rule, invalid_retarget_rule and invalid_audience_send
               (a message template that does not exist or takes other variables)
ServiceUnavailable: warehouse_unavailable (no analytics store is configured or reachable)
"""

from newretail.kernel.errors import InvalidInput, NotFound, ServiceUnavailable


class ReportNotFound(NotFound):
    code = "report_not_found"
    default_detail = "Report not found."


class AudienceNotFound(NotFound):
    code = "audience_not_found"
    default_detail = "Audience not found."


class AudienceSendNotFound(NotFound):
    code = "audience_send_not_found"
    default_detail = "Send to the audience not found."


class RetargetRuleNotFound(NotFound):
    code = "retarget_rule_not_found"
    default_detail = "Re-targeting rule not found."


class CouponTemplateNotFound(NotFound):
    code = "coupon_template_not_found"
    default_detail = "Coupon template not found."


class InvalidPeriod(InvalidInput):
    code = "invalid_period"
    default_detail = "The period must end after it starts and last at most a year."


class InvalidReport(InvalidInput):
    code = "invalid_report"
    default_detail = "The saved report's definition is not valid."


class InvalidAttribution(InvalidInput):
    code = "invalid_attribution"
    default_detail = "The attribution settings are not valid."


class InvalidAudienceRule(InvalidInput):
    code = "invalid_audience_rule"
    default_detail = "The audience rule is not valid."


class InvalidRetargetRule(InvalidInput):
    code = "invalid_retarget_rule"
    default_detail = "The re-targeting rule is not valid."


class InvalidAudienceSend(InvalidInput):
    code = "invalid_audience_send"
    default_detail = "The send to the audience is not valid."


class WarehouseUnavailable(ServiceUnavailable):
    code = "warehouse_unavailable"
    default_detail = "The analytics store is not available."
