"""Pure rules of the workbench: states, roll-ups, periods, credit and escalation."""

from datetime import UTC, date, datetime, timedelta

from newretail.workbench import rules
from newretail.workbench.rules import Escalation, Period, State, Tally


def test_reading_marks_a_delivered_task_read_and_leaves_later_states_alone() -> None:
    assert rules.after_read(State.DELIVERED) is State.READ
    for state in (State.STARTED, State.DONE, State.OVERDUE):
        assert rules.after_read(state) is state


def test_starting_never_clears_overdue_or_done() -> None:
    assert rules.after_start(State.READ) is State.STARTED
    assert rules.after_start(State.OVERDUE) is State.OVERDUE
    assert rules.after_start(State.DONE) is State.DONE


def test_a_quiz_score_is_the_percent_of_right_answers() -> None:
    quiz = [{"answer": 0}, {"answer": 1}, {"answer": 2}]
    assert rules.quiz_score(quiz, [0, 1, 0]) == 66
    assert rules.quiz_score(quiz, [0]) == 33


def test_progress_rolls_up_to_every_ancestor_and_not_sideways() -> None:
    parent_of: dict[int, int | None] = {1: None, 2: 1, 3: 1, 4: 2}
    own = {4: Tally(total=2, read=2, done=1), 3: Tally(total=1)}
    rolled = rules.roll_up(own, parent_of)
    assert rolled[1] == Tally(total=3, read=2, done=1)
    assert rolled[2] == Tally(total=2, read=2, done=1)
    assert rolled[3] == Tally(total=1)


def test_a_tally_counts_read_as_anything_past_delivered() -> None:
    counts = rules.tally([State.DELIVERED, State.READ, State.DONE, State.OVERDUE])
    assert counts == Tally(total=4, read=3, done=1, overdue=1)
    assert counts.percent_done == 25


def test_weeks_start_on_monday_and_months_on_the_first() -> None:
    wednesday = date(2026, 12, 16)
    assert rules.period_start(Period.WEEK, wednesday) == date(2026, 12, 14)
    assert rules.period_start(Period.MONTH, wednesday) == date(2026, 12, 1)
    assert rules.period_end(Period.MONTH, date(2026, 12, 1)) == date(2027, 1, 1)
    assert rules.period_end(Period.MONTH, date(2027, 2, 1)) == date(2027, 3, 1)


def test_a_period_is_bounded_in_the_stores_time_zone() -> None:
    start, end = rules.utc_bounds(Period.DAY, date(2026, 12, 16), "Asia/Shanghai")
    assert start == datetime(2026, 12, 15, 16, tzinfo=UTC)
    assert end - start == timedelta(days=1)


def test_an_online_sale_counts_for_the_members_store_a_till_sale_for_its_own() -> None:
    assert rules.credited_store("cloud_store", store_id=1, bound_store_id=2) == 2
    assert rules.credited_store("pos", store_id=1, bound_store_id=2) == 1
    assert rules.credited_store("cloud_store", store_id=1, bound_store_id=None) == 1


def test_the_referring_guide_wins_over_the_members_guide() -> None:
    assert rules.credited_guide(7, 9) == 7
    assert rules.credited_guide(None, 9) == 9


def test_the_escalation_ladder_is_reminder_sms_manager_then_stops() -> None:
    steps = [rules.next_step(level) for level in range(4)]
    assert steps == [Escalation.REMINDER, Escalation.SMS, Escalation.MANAGER, None]
    now = datetime(2026, 12, 16, tzinfo=UTC)
    assert rules.next_due(now, 10, 1) == now + timedelta(minutes=10)
    assert rules.next_due(now, 10, 3) is None


def test_a_sale_follows_a_share_only_within_the_window_after_a_view() -> None:
    view = datetime(2026, 12, 1, tzinfo=UTC)
    assert rules.within_window([view], view + timedelta(days=6))
    assert not rules.within_window([view], view + timedelta(days=8))
    assert not rules.within_window([view], view - timedelta(minutes=1))
