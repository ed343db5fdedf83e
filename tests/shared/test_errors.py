from __future__ import annotations

from shared.errors import first_line


def test_first_line_skips_blank_lines_and_strips() -> None:
    assert first_line(ValueError("\n  boom: bad value  \nTraceback ...")) == "boom: bad value"


def test_last_line_is_where_a_cli_says_error() -> None:
    assert first_line("warning: x\n\nerror: no stack named 'dev' found\n", last=True) == (
        "error: no stack named 'dev' found"
    )


def test_an_empty_error_is_named_by_its_type() -> None:
    assert first_line(KeyError()) == "KeyError"
    assert first_line("   ") == "no details"
