"""Errors of settlement.

NotFound
  PeriodNotFound            no such period, or not the caller's brand
  StatementNotFound         no such statement, or the caller may not see it
  ScheduleNotSet            the brand has no settlement schedule yet
Conflict
  PeriodAlreadyClosed       the period was closed already (a second close settles nothing)
  PeriodNotEnded            a period is closed only once its end has passed
  EarlierPeriodOpen         periods are closed in order
  StatementNotPrepared      only a prepared statement can be approved
  StatementNotApproved      only an approved statement can be marked paid
  StatementChanged          the statement's lines changed since the approver looked at it
PermissionDenied
  OwnStatement              the preparer of a statement cannot approve it
  ApproverNotAPerson        statements are approved by a member of staff, not by a key
"""

from newretail.kernel.errors import Conflict, NotFound, PermissionDenied


class PeriodNotFound(NotFound):
    code = "period_not_found"
    default_detail = "Settlement period not found."


class StatementNotFound(NotFound):
    code = "statement_not_found"
    default_detail = "Commission statement not found."


class ScheduleNotSet(NotFound):
    code = "schedule_not_set"
    default_detail = "The brand has no settlement schedule yet."


class PeriodAlreadyClosed(Conflict):
    code = "period_already_closed"
    default_detail = "This period is already closed; its statements were prepared once."


class PeriodNotEnded(Conflict):
    code = "period_not_ended"
    default_detail = "This period has not ended yet."


class EarlierPeriodOpen(Conflict):
    code = "earlier_period_open"
    default_detail = "Close the earlier periods first."


class StatementNotPrepared(Conflict):
    code = "statement_not_prepared"
    default_detail = "Only a prepared statement can be approved."


class StatementNotApproved(Conflict):
    code = "statement_not_approved"
    default_detail = "Only an approved statement can be marked paid."


class StatementChanged(Conflict):
    code = "statement_changed"
    default_detail = "The statement changed since you looked at it; review it again."


class OwnStatement(PermissionDenied):
    code = "own_statement"
    default_detail = "Someone other than the person who prepared a statement must approve it."


class ApproverNotAPerson(PermissionDenied):
    code = "approver_not_a_person"
    default_detail = "A statement is approved by a member of staff."
