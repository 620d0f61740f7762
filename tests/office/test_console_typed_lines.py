"""The lines a clerk types in one field (`SKU:QTY[:PRICE]`, `SKU=QTY[@COST]`), one row per case."""

from __future__ import annotations

import pytest

from office_console.typed_lines import BadLine, TypedLine, parse_lines, parse_words


@pytest.mark.parametrize(("typed", "lines"), [
    pytest.param("SKU-1:2", [TypedLine("SKU-1", 2)], id="one line"),
    pytest.param("SKU-1:2:19.90 SKU-2:1", [TypedLine("SKU-1", 2, "19.90"), TypedLine("SKU-2", 1)],
                 id="a price on one line, spaces between"),
    pytest.param("SKU-1=10@12.50, SKU-2=4", [TypedLine("SKU-1", 10, "12.50"), TypedLine("SKU-2", 4)],
                 id="a PO's spelling, a comma between"),
    pytest.param(" 6901234500011:1 ;SKU-2:3 ", [TypedLine("6901234500011", 1), TypedLine("SKU-2", 3)],
                 id="a barcode, a semicolon, spaces around"),
    pytest.param("SKU-1：2，SKU-2＝1＠3.50", [TypedLine("SKU-1", 2), TypedLine("SKU-2", 1, "3.50")],
                 id="full-width punctuation of a Chinese keyboard"),
    pytest.param("SKU-1:0", [TypedLine("SKU-1", 0)], id="zero is the server's to refuse"),
    pytest.param("SKU-1:1:1.234", [TypedLine("SKU-1", 1, "1.234")], id="the price is the server's to judge"),
    pytest.param("", [], id="nothing typed"),
])
def test_lines_typed(typed: str, lines: list[TypedLine]) -> None:
    assert parse_lines(typed) == lines


@pytest.mark.parametrize(("typed", "token", "priced"), [
    pytest.param("SKU-1", "SKU-1", True, id="no quantity"),
    pytest.param("SKU-1:2 SKU-2:x", "SKU-2:x", True, id="a quantity that is not a number"),
    pytest.param("SKU-1:-1", "SKU-1:-1", True, id="a negative quantity"),
    pytest.param("SKU-1:1:2:3", "SKU-1:1:2:3", True, id="too many parts"),
    pytest.param(":2", ":2", True, id="no code"),
    pytest.param("SKU-1:2:9.90", "SKU-1:2:9.90", False, id="a price where none belongs"),
])
def test_what_is_not_a_line_is_named(typed: str, token: str, priced: bool) -> None:
    with pytest.raises(BadLine) as bad:
        parse_lines(typed, priced=priced)
    assert bad.value.token == token


def test_words_are_split_on_spaces_and_commas() -> None:
    assert parse_words(" A-01-01, A-01-02 ，A-02-*  ") == ["A-01-01", "A-01-02", "A-02-*"]
    assert parse_words("") == []
