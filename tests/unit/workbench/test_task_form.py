"""The console's task form: quiz lines, checked targets and the deadline's time zone."""

from newretail.web.console_tasks_forms import checked_ids, local_datetime, parse_quiz


def test_a_quiz_line_marks_its_right_option_with_a_star() -> None:
    assert parse_quiz("Wash wool? | hot | *dry clean\n\n") == [
        {"question": "Wash wool?", "options": ["hot", "dry clean"], "answer": 1}
    ]


def test_a_quiz_line_without_a_right_option_is_left_for_the_schema_to_refuse() -> None:
    assert parse_quiz("Colour? | red | blue")[0]["answer"] == -1


def test_only_checked_boxes_of_a_kind_are_targets() -> None:
    fields = {"region_3": "1", "region_x": "1", "store_7": "1", "store_8": "", "regions": "1"}
    assert checked_ids(fields, "region") == [3]
    assert checked_ids(fields, "store") == [7]


def test_a_deadline_is_read_on_the_brands_clock() -> None:
    assert local_datetime("2026-12-08T18:00", "Asia/Shanghai") == "2026-12-08T18:00:00+08:00"
    assert local_datetime("tomorrow", "Asia/Shanghai") == "tomorrow"
