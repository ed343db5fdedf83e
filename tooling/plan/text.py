"""Program-made text (resource names, values, error messages) made safe to show.

A program chooses its resource names and values, and its errors' text: shown raw, they could
move a terminal's cursor (escape sequences), forge a line of the gate's output (newlines), or
ping a team, link away or break the table in a PR comment (Markdown and HTML).
"""

from __future__ import annotations

import html
import re
from typing import Any

from tooling.mock_runtime.render import KNOWN_AFTER_DEPLOY
from tooling.policy.wire import is_unknown

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~#!])")


def clean(text: Any, *, one_line: bool = True) -> str:
    """No control characters (nor bidi overrides); one line unless asked."""
    value = str(text)
    if one_line:
        value = value.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    return _CONTROL.sub("?", value)


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def value_text(value: Any, limit: int = 80) -> str:
    """A property value as a reviewer reads it (values may be shortened; names never are)."""
    if value is None:
        return "(none)"
    if is_unknown(value) or value == KNOWN_AFTER_DEPLOY:
        return KNOWN_AFTER_DEPLOY
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value in ([], {}):
        return str(value)
    return shorten(clean(value), limit)


def md_code(text: Any) -> str:
    """Inline code in a GitHub table cell: nothing in it renders, links or mentions."""
    escaped = html.escape(clean(text), quote=True).replace("|", "&#124;").replace("`", "&#96;")
    return f"<code>{escaped}</code>"


def md_text(text: Any) -> str:
    """Prose in a GitHub comment: shown as written, without Markdown, HTML, mentions or links."""
    value = _MD_SPECIAL.sub(r"\\\1", html.escape(clean(text), quote=False))
    return value.replace("@", "@\u2060").replace("://", ":\u2060//").replace("www.", "www\u2060.")
