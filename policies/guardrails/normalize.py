"""Raw input spellings turned into one canonical value each, so a check compares facts, not text.

The provider and AWS accept several spellings of the same thing (``"http"`` and ``"HTTP"``,
``"6"`` and ``"tcp"``, ``"true"`` and ``True``); a check that compared raw strings would let the
other spelling through. Unknown values stay :data:`~guardrails.values.UNKNOWN`.
"""

from __future__ import annotations

from typing import Any

from guardrails.values import UNKNOWN, as_int, is_unknown

IP_PROTOCOL_NUMBERS = {"6": "TCP", "17": "UDP", "1": "ICMP", "58": "ICMPV6", "-1": "ALL"}
"""Security group protocols by IANA number (AWS accepts the number or the name)."""
PORTED_PROTOCOLS = ("TCP", "UDP")
PORTLESS_PROTOCOLS = ("ICMP", "ICMPV6")
"""ICMP rules carry an ICMP type and code in fromPort/toPort, not ports."""


def upper(value: Any, default: str | None = None) -> Any:
    """A text value upper-cased and stripped; ``default`` if absent; UNKNOWN stays UNKNOWN."""
    if is_unknown(value):
        return UNKNOWN
    if value is None or value == "":
        return default
    return str(value).strip().upper()


def lower(value: Any, default: str | None = None) -> Any:
    """A text value lower-cased and stripped; ``default`` if absent; UNKNOWN stays UNKNOWN."""
    if is_unknown(value):
        return UNKNOWN
    if value is None or value == "":
        return default
    return str(value).strip().lower()


def ip_protocol(value: Any) -> Any:
    """A security group rule's protocol: ``TCP``, ``UDP``, ``ICMP``, ``ICMPV6``, ``ALL`` or the number.

    ``-1``, ``all`` and a missing protocol (the provider requires one) are every protocol, the
    widest reading.
    """
    if is_unknown(value):
        return UNKNOWN
    number = as_int(value)
    text = str(number) if number is not None else str(value or "-1").strip().upper()
    if text in ("ALL", "-1"):
        return "ALL"
    return IP_PROTOCOL_NUMBERS.get(text, text)


def split_list(value: Any) -> Any:
    """A comma-separated value (``"ELB,EBS"``) as upper-cased items; UNKNOWN stays UNKNOWN."""
    if is_unknown(value):
        return UNKNOWN
    if value is None:
        return []
    return [item.strip().upper() for item in str(value).split(",") if item.strip()]
