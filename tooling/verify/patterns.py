"""ALB wildcard patterns: ``*`` matches 0 or more characters, ``?`` exactly one, ``\\*``/``\\?`` the
literal character (query strings). Used by the rule evaluator and the bucket-policy checks (IAM
resource ARNs use the same two wildcards)."""

from __future__ import annotations

import re
from functools import cache

Token = tuple[str, str]
"""``("*", "")``, ``("?", "")`` or ``("char", c)``."""


@cache
def tokens(pattern: str) -> tuple[Token, ...]:
    out: list[Token] = []
    escaped = False
    for char in pattern:
        if escaped:
            out.append(("char", char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "*?":
            out.append((char, ""))
        else:
            out.append(("char", char))
    if escaped:
        out.append(("char", "\\"))
    return tuple(out)


@cache
def _regex(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    parts = [
        ".*" if kind == "*" else "." if kind == "?" else re.escape(c) for kind, c in tokens(pattern)
    ]
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def glob_match(pattern: str, text: str, *, ignore_case: bool = False) -> bool:
    """The whole of ``text`` matches ``pattern``."""
    return _regex(pattern, ignore_case).fullmatch(text) is not None


def globs_overlap(first: str, second: str, *, ignore_case: bool = False) -> bool:
    """Some string matches both patterns (so a rule with one can take requests meant for the other)."""
    a = tokens(first.lower() if ignore_case else first)
    b = tokens(second.lower() if ignore_case else second)

    @cache
    def meet(i: int, j: int) -> bool:
        if i == len(a) or j == len(b):
            rest = a[i:] if j == len(b) else b[j:]
            return all(kind == "*" for kind, _ in rest)
        (kind_a, char_a), (kind_b, char_b) = a[i], b[j]
        if kind_a == "*":
            return meet(i + 1, j) or meet(i, j + 1)
        if kind_b == "*":
            return meet(i, j + 1) or meet(i + 1, j)
        same = "?" in (kind_a, kind_b) or char_a == char_b
        return same and meet(i + 1, j + 1)

    return meet(0, 0)
