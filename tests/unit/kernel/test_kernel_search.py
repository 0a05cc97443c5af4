"""Search text is matched literally: LIKE's wildcards and the escape character are escaped."""

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from newretail.kernel import search


class _Base(DeclarativeBase):
    pass


class Word(_Base):
    __tablename__ = "word"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str]


WORDS = {1: "50% off", 2: "a_b", 3: "back\\slash", 4: "plain", 5: "Apple"}


@pytest.fixture(scope="module")
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    _Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all(Word(id=i, text=t) for i, t in WORDS.items())
        session.commit()
        yield session
    engine.dispose()


def _containing(session: Session, text: str) -> set[int]:
    return set(session.scalars(select(Word.id).where(search.contains(Word.text, text))))


def test_escaping_doubles_the_escape_character_and_escapes_both_wildcards() -> None:
    assert search.escape_like("5%_\\x") == "5\\%\\_\\\\x"


@pytest.mark.parametrize(
    ("text", "ids"), [("%", {1}), ("_", {2}), ("\\", {3}), ("a_b", {2}), ("% o", {1})]
)
def test_wildcards_match_only_themselves(session: Session, text: str, ids: set[int]) -> None:
    assert _containing(session, text) == ids


def test_contains_ignores_case(session: Session) -> None:
    assert _containing(session, "aPPL") == {5}


def test_ends_with_matches_the_tail_literally(session: Session) -> None:
    query = select(Word.id).where(search.ends_with(Word.text, "%_b"))
    assert set(session.scalars(query)) == set()
    assert set(session.scalars(select(Word.id).where(search.ends_with(Word.text, "_b")))) == {2}
