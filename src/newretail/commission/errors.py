"""Commission errors, each with a stable code.

NotFound:     commission_plan_not_found, commission_rule_not_found,
              commission_line_not_found
Conflict:     commission_plan_name_taken, commission_rule_name_taken, overlapping_rules
InvalidInput: rate_out_of_range, split_not_100, invalid_commission_rule
"""

from newretail.kernel.errors import Conflict, InvalidInput, NotFound


class PlanNotFound(NotFound):
    code = "commission_plan_not_found"
    default_detail = "Commission plan not found."


class RuleNotFound(NotFound):
    code = "commission_rule_not_found"
    default_detail = "Commission rule not found."


class LineNotFound(NotFound):
    code = "commission_line_not_found"
    default_detail = "Order line not found."


class PlanNameTaken(Conflict):
    code = "commission_plan_name_taken"
    default_detail = "The brand already has a commission plan of this name."


class RuleNameTaken(Conflict):
    code = "commission_rule_name_taken"
    default_detail = "The plan already has a rule of this name."


class OverlappingRules(Conflict):
    code = "overlapping_rules"
    default_detail = "Another rule matches the same lines with the same priority."

    def __init__(self, detail: str | None = None, *, names: tuple[str, str] = ("", "")) -> None:
        super().__init__(detail)
        self.names = names  # the rule refused and the rule it overlaps


class RateOutOfRange(InvalidInput):
    code = "rate_out_of_range"
    default_detail = "A rate is between 0 and 100 % (0 to 10000 basis points)."


class SplitNot100(InvalidInput):
    code = "split_not_100"
    default_detail = "The shares of a split add up to 100 %."


class InvalidRule(InvalidInput):
    code = "invalid_commission_rule"
    default_detail = "The rule is not valid."
