"""The message catalogue: every user-visible string in Chinese and English, nothing missing."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from rich.cells import cell_len

import terminal_app
from engine.model import OpKind
from terminal_app import i18n
from terminal_app.roles import WORKFLOWS

NAMESPACES = ("header", "login", "menu", "workflow", "hint", "scan", "receive", "putaway",
              "count", "lookup", "link", "sync", "op", "cli")
KEY_IN_CODE = re.compile(rf"""["']((?:{"|".join(NAMESPACES)})\.[a-z_]+)["']""")


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def keys_used_in_code() -> set[str]:
    root = Path(terminal_app.__file__).parent
    used: set[str] = set()
    for source in root.rglob("*.py"):
        if source.name != "i18n.py":
            used |= set(KEY_IN_CODE.findall(source.read_text(encoding="utf-8")))
    used |= {f"workflow.{name}" for name in WORKFLOWS}  # built as f"workflow.{name}"
    used |= {f"op.{kind.value}" for kind in OpKind}  # built as f"op.{kind}"
    return used


def test_both_languages_have_the_same_keys():
    assert set(i18n.ZH) == set(i18n.EN)


@pytest.mark.parametrize("key", sorted(i18n.EN))
def test_both_languages_fill_the_same_placeholders(key):
    assert placeholders(i18n.ZH[key]) == placeholders(i18n.EN[key])
    assert i18n.ZH[key].strip() and i18n.EN[key].strip()


def test_every_key_the_code_uses_is_in_the_catalogue():
    used = keys_used_in_code()
    assert len(used) > 100
    assert sorted(used - set(i18n.EN)) == []


def test_the_chinese_catalogue_is_chinese():
    words = {k: re.sub(r"\{[^}]*\}", "", v) for k, v in i18n.ZH.items()}
    untranslated = [k for k, v in words.items() if v == re.sub(r"\{[^}]*\}", "", i18n.EN[k])
                    and re.search("[a-z]{4}", v)]
    assert untranslated == []


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_one_line_texts_fit_a_40_cell_screen(lang):
    catalogue = i18n.CATALOGUES[lang]
    one_liners = [k for k in catalogue if k.startswith(("hint.", "header.", "workflow."))
                  or k.endswith(".title")]
    too_wide = {k: catalogue[k] for k in one_liners if cell_len(catalogue[k]) > 40}
    assert too_wide == {}


def test_fields_fill_in_and_a_missing_field_shows_rather_than_crashes():
    i18n.set_language("zh")
    assert i18n._("header.pending", n=3) == "待传3"
    assert i18n._("header.pending") == "待传{n}"
    i18n.set_language("en")
    assert i18n._("header.pending", n=3) == "↑3"
    assert i18n._("no.such.key") == "no.such.key"
    with pytest.raises(ValueError):
        i18n.set_language("fr")
