"""Errors of the workbench, each with a stable code.

NotFound (404)          task_not_found, target_not_found, content_not_found, ding_not_found
                        (also another brand's or outside the caller's view),
                        share_not_found (a content link with a bad or altered ref)
PermissionDenied (403)  target_out_of_scope (a task, target or DING aimed outside the
                        sender's scope: nothing is created), not_an_assignee, not_a_guide
InvalidInput (422)      no_assignees (targeting that reaches nobody), ding_without_recipients,
                        proof_required, quiz_failed, count_required, due_before_start,
                        goal_not_reached, task_already_done, invalid_content, no_manager
TooManyRequests (429)   too_many_dings (a sender's DINGs in the last hour are capped)
"""

from newretail.kernel.errors import InvalidInput, NotFound, PermissionDenied, TooManyRequests


class TaskNotFound(NotFound):
    code = "task_not_found"
    default_detail = "Task not found."


class TargetNotFound(NotFound):
    code = "target_not_found"
    default_detail = "Target not found."


class ContentNotFound(NotFound):
    code = "content_not_found"
    default_detail = "Content not found."


class ShareNotFound(NotFound):
    code = "share_not_found"
    default_detail = "This share link is not valid."


class DingNotFound(NotFound):
    code = "ding_not_found"
    default_detail = "DING not found."


class TargetOutOfScope(PermissionDenied):
    code = "target_out_of_scope"
    default_detail = "You may only aim at regions, stores and guides within your own scope."


class NotAGuide(PermissionDenied):
    code = "not_a_guide"
    default_detail = "Only a guide working at a store may do this."


class NotAnAssignee(PermissionDenied):
    code = "not_an_assignee"
    default_detail = "This task was not sent to you."


class NoAssignees(InvalidInput):
    code = "no_assignees"
    default_detail = "The targeting reaches nobody: choose regions, stores or guides with staff."


class DingWithoutRecipients(InvalidInput):
    code = "ding_without_recipients"
    default_detail = "A DING needs at least one recipient."


class ProofRequired(InvalidInput):
    code = "proof_required"
    default_detail = "This task needs a photo as proof."


class QuizFailed(InvalidInput):
    code = "quiz_failed"
    default_detail = "Not enough right answers to pass the quiz; try again."


class GoalNotReached(InvalidInput):
    code = "goal_not_reached"
    default_detail = "The recruitment goal is not reached yet."


class TaskAlreadyDone(InvalidInput):
    code = "task_already_done"
    default_detail = "This task is already done."


class InvalidContent(InvalidInput):
    code = "invalid_content"
    default_detail = "This content needs its image, video link or product."


class NoManager(InvalidInput):
    code = "no_manager"
    default_detail = "No manager was found to receive this DING."


class DueBeforeStart(InvalidInput):
    code = "due_before_start"
    default_detail = "The deadline must come after the start."


class CountRequired(InvalidInput):
    code = "count_required"
    default_detail = "A stock count needs the number counted."


class TooManyDings(TooManyRequests):
    code = "too_many_dings"
    default_detail = "You have sent many DINGs this hour; wait before sending another."
