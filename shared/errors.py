"""One line of an error, for the one-line messages every tool and program prints."""

from __future__ import annotations


def first_line(error: BaseException | str, *, last: bool = False) -> str:
    """The first (or, with ``last``, the last) non-blank line of an error or a text.

    An exception without a message is named by its type, so a line is never empty.
    """
    text = error if isinstance(error, str) else str(error)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines:
        return lines[-1] if last else lines[0]
    return "no details" if isinstance(error, str) else type(error).__name__
