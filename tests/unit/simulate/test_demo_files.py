"""The record a finished demo build leaves beside its database, and the address it serves."""

from pathlib import Path

from newretail.simulate import demo_files
from newretail.simulate.demo_files import BuildRecord, DemoLogin

LOGIN = DemoLogin(role="brand_admin", username="yd.admin", password="newretail", scope="跃动体育")


def built(tmp_path: Path, record: BuildRecord) -> Path:
    database_file = tmp_path / "demo.db"
    database_file.write_bytes(b"SQLite format 3\x00")
    demo_files.save_record(database_file, record)
    return database_file


def test_a_saved_record_reads_back_the_same(tmp_path: Path) -> None:
    record = BuildRecord(seed=7, schema="abc", logins=(LOGIN,), sheets_base_url="http://x:1")

    database_file = built(tmp_path, record)

    assert demo_files.read_record(database_file) == record


def test_a_build_with_the_same_seed_and_schema_is_reused(tmp_path: Path) -> None:
    database_file = built(tmp_path, BuildRecord(seed=7, schema="abc", logins=(LOGIN,)))

    assert demo_files.reusable(database_file, seed=7, schema="abc") is not None


def test_another_seed_or_an_older_schema_is_built_again(tmp_path: Path) -> None:
    database_file = built(tmp_path, BuildRecord(seed=7, schema="abc", logins=(LOGIN,)))

    assert demo_files.reusable(database_file, seed=8, schema="abc") is None
    assert demo_files.reusable(database_file, seed=7, schema="newer") is None


def test_a_database_without_a_record_is_an_interrupted_build(tmp_path: Path) -> None:
    database_file = tmp_path / "demo.db"
    database_file.write_bytes(b"SQLite format 3\x00")

    assert demo_files.reusable(database_file, seed=7, schema="abc") is None


def test_a_record_without_its_database_is_not_reused(tmp_path: Path) -> None:
    database_file = built(tmp_path, BuildRecord(seed=7, schema="abc", logins=(LOGIN,)))
    database_file.unlink()

    assert demo_files.reusable(database_file, seed=7, schema="abc") is None


def test_a_damaged_record_is_not_reused(tmp_path: Path) -> None:
    database_file = built(tmp_path, BuildRecord(seed=7, schema="abc", logins=(LOGIN,)))
    demo_files.record_path(database_file).write_text('{"seed": 7', encoding="utf-8")

    assert demo_files.reusable(database_file, seed=7, schema="abc") is None


def test_removing_drops_the_record_and_every_sqlite_file(tmp_path: Path) -> None:
    database_file = built(tmp_path, BuildRecord(seed=7, schema="abc", logins=(LOGIN,)))
    Path(f"{database_file}-wal").write_bytes(b"")

    demo_files.remove(database_file)

    assert list(tmp_path.iterdir()) == []


def test_the_served_address_names_the_host_and_port() -> None:
    assert demo_files.served_url("127.0.0.1", 8123) == "http://127.0.0.1:8123"
    assert demo_files.served_url("192.168.1.20", 8000) == "http://192.168.1.20:8000"


def test_a_wildcard_host_is_reached_on_this_machine_through_loopback() -> None:
    assert demo_files.served_url("0.0.0.0", 8000) == "http://127.0.0.1:8000"
    assert demo_files.served_url("::", 8000) == "http://127.0.0.1:8000"


def test_an_ipv6_host_is_bracketed() -> None:
    assert demo_files.served_url("::1", 8000) == "http://[::1]:8000"
