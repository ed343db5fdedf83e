"""Values as a check reads them: plain Python, with one marker for what a preview cannot know.

During a preview the engine sends the values it cannot know yet (ids and ARNs of new resources, and
anything computed from them) as sentinel strings; pulumi-policy wraps the props in proxies that
raise ``UnknownValueError`` when such a value is read, which would abort the whole policy with an
advisory "can't run policy during preview". :func:`plain` copies the proxies into dicts and lists
with :data:`UNKNOWN` in place of every unknown value, so a check sees every known value and decides
deliberately what an unknown one means: a check never guesses an unknown value and never reports a
violation because of one. The readers below return ``None`` for "unknown or not judgeable".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from pulumi_policy.proxy import UnknownValueError


class _Unknown:
    """The type of :data:`UNKNOWN` (a singleton, so ``is`` compares)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN: Final[Any] = _Unknown()
"""A value a preview cannot know yet."""


def is_unknown(value: object) -> bool:
    return value is UNKNOWN


def has_unknown(value: object) -> bool:
    """True if ``value`` is unknown or holds an unknown value anywhere inside."""
    if value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(has_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(has_unknown(v) for v in value)
    return False


def plain(value: Any) -> Any:
    """Copy the SDK's unknown-checking proxies into dicts and lists, unknowns as :data:`UNKNOWN`."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key in list(value.keys()):
            try:
                out[str(key)] = plain(value[key])
            except UnknownValueError:
                out[str(key)] = UNKNOWN
        return out
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        items: list[Any] = []
        for index in range(len(value)):
            try:
                items.append(plain(value[index]))
            except UnknownValueError:
                items.append(UNKNOWN)
        return items
    return value


def as_list(value: Any) -> list[Any] | None:
    """A list property: ``[]`` when absent, ``None`` when unknown; a lone value becomes a list."""
    if value is UNKNOWN:
        return None
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def as_dict(value: Any) -> dict[str, Any] | None:
    """An object property: ``{}`` when absent or not an object, ``None`` when unknown."""
    if value is UNKNOWN:
        return None
    return value if isinstance(value, dict) else {}


def as_int(value: Any) -> int | None:
    """A number as an int (the wire sends floats, some providers strings); ``None`` if unknown or garbage."""
    if value is UNKNOWN or isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def as_bool(value: Any) -> bool | None:
    """A boolean (the provider also accepts ``"true"``/``"false"``); ``None`` if unknown or garbage."""
    if value is UNKNOWN:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None
