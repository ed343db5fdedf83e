"""Look-ups that run now, while the program checks its inputs, so that a missing thing stops it
before anything is registered: each failure is one ``ConfigError`` naming the key and the value."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from shared.config import config_error
from shared.errors import first_line

T = TypeVar("T")


def look_up(what: str, key: str, value: str, invoke: Callable[[], T]) -> T:
    """Run ``invoke`` (a synchronous provider look-up); its failure blames ``key = value``."""
    try:
        return invoke()
    except Exception as exc:  # the provider's look-up error, whatever its type
        raise config_error(key, value, f"{what} look-up failed: {first_line(exc)}") from None
