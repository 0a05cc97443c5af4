"""The catalogs are complete and current: what the code says is what translators saw."""

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from newretail.kernel import i18n

ROOT = Path(__file__).resolve().parents[3]
LOCALE_DIR = i18n.LOCALE_DIR


def _po(locale: str) -> Catalog:
    with open(LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=locale)


def _pot_ids() -> set[object]:
    with open(LOCALE_DIR / "messages.pot", "rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


def _translated(string: object) -> bool:
    return any(string) if isinstance(string, tuple) else bool(string)


def _plain(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value


def _translations(catalog: Catalog) -> dict[object, object]:
    """Translated messages as ``{id: string}``; plural ids and strings as tuples."""
    return {
        _plain(m.id): _plain(m.string)
        for m in catalog
        if m.id and not m.fuzzy and _translated(_plain(m.string))
    }


def test_every_message_has_a_chinese_translation() -> None:
    zh = {m.id: m for m in _po(i18n.ZH) if m.id}
    untranslated = sorted(
        str(msgid)
        for msgid in _pot_ids()
        if msgid not in zh or zh[msgid].fuzzy or not _translated(zh[msgid].string)
    )
    assert untranslated == []


def _effective(catalog: Catalog) -> dict[object, object]:
    """What gettext will answer per message: the translation, or the id for an untranslated one."""
    return {
        _plain(m.id): _plain(m.string) if _translated(_plain(m.string)) else _plain(m.id)
        for m in catalog
        if m.id and not m.fuzzy
    }


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_compiled_catalogs_match_their_po_files(locale: str) -> None:
    with open(LOCALE_DIR / locale / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        compiled = _translations(read_mo(handle))
    expected = _effective(_po(locale))
    assert {msgid: compiled.get(msgid, msgid) for msgid in expected} == expected
    assert set(compiled) <= set(expected)


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_po_files_hold_exactly_the_template_messages(locale: str) -> None:
    assert {m.id for m in _po(locale) if m.id} == _pot_ids()


def test_template_holds_every_message_of_the_code() -> None:
    with open(ROOT / "babel.cfg") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found = {
        message[2]
        for message in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords, comment_tags=()
        )
    }
    found_ids = {msgid[0] if isinstance(msgid, tuple) else msgid for msgid in found}
    pot_ids = {msgid[0] if isinstance(msgid, tuple) else msgid for msgid in _pot_ids()}
    assert found_ids == pot_ids, "run `make messages` and translate the new texts"
