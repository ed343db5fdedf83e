"""CIDR blocks as AWS reads them, and whether a set of them reaches the world.

Pure Python (``ipaddress``, no Pulumi), so the policy pack and the stacks' config validators judge
sources the same way:

- :func:`parse_cidr` reads a CIDR the way AWS would act on it: surrounding blanks ignored, host
  bits dropped (``10.1.2.3/8`` is ``10.0.0.0/8``), IPv4 octets with leading zeros read as decimal,
  every IPv6 spelling (``0::/0``, ``0:0:0:0:0:0:0:0/0``) reduced to one network.
- :func:`covers_world` says whether sources together reach a broad share of the internet: more
  addresses than one ``/broadest_prefix`` block holds (by default anything wider than a /8), or all
  of it. Private and reserved ranges (RFC 1918, CGNAT, loopback, link-local, multicast, IPv6 ULA)
  are not the internet, so ``10.0.0.0/8`` + ``172.16.0.0/12`` is not the world while
  ``0.0.0.0/1`` + ``128.0.0.0/1`` is.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_BROADEST_PREFIX = 8
"""Sources reaching more internet addresses than one /8 holds count as the world."""

_NOT_INTERNET_V4 = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",  # RFC 1918
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local
        "172.16.0.0/12",  # RFC 1918
        "192.168.0.0/16",  # RFC 1918
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and the broadcast address
    )
)
_INTERNET_V6 = ipaddress.IPv6Network("2000::/3")
"""IANA's global unicast space: every IPv6 address the internet routes today."""
_INTERNET_V4_SIZE = 2**32 - sum(n.num_addresses for n in _NOT_INTERNET_V4)


def parse_cidr(text: str) -> Network | None:
    """The network ``text`` names, as AWS would act on it; ``None`` if it is not a CIDR block."""
    if not isinstance(text, str):
        return None
    address, slash, prefix = text.strip().partition("/")
    if not slash or not prefix.strip().isdigit():
        return None
    if "." in address and ":" not in address:
        octets = address.split(".")
        if len(octets) != 4 or not all(o.isdigit() and len(o) <= 3 for o in octets):
            return None
        address = ".".join(str(int(o)) for o in octets)  # 010 is ten to AWS, not octal
    try:
        return ipaddress.ip_network(f"{address}/{int(prefix)}", strict=False)
    except ValueError:
        return None


def canonical_cidr(text: str) -> str | None:
    """``text`` as one canonical CIDR string (``0::/0`` -> ``::/0``); ``None`` if not a CIDR."""
    network = parse_cidr(text)
    return None if network is None else str(network)


def _networks(cidrs: Iterable[str | Network]) -> list[Network]:
    networks: list[Network] = []
    for cidr in cidrs:
        network = cidr if isinstance(cidr, Network) else parse_cidr(cidr)
        if network is None:
            raise ValueError(f"{cidr!r} is not a CIDR block")
        networks.append(network)
    return networks


def _overlap(a: Network, b: Network) -> int:
    """Addresses two networks share (CIDR blocks are nested or disjoint)."""
    if a.version != b.version or not a.overlaps(b):  # type: ignore[arg-type]
        return 0
    return min(a.num_addresses, b.num_addresses)


def internet_reach(cidrs: Iterable[str | Network]) -> dict[int, int]:
    """How many internet addresses the union of ``cidrs`` holds, per IP version (4 and 6).

    Raises ``ValueError`` naming the first entry that is not a CIDR block.
    """
    networks = _networks(cidrs)
    reach = {4: 0, 6: 0}
    for version in (4, 6):
        same = [n for n in networks if n.version == version]
        for block in ipaddress.collapse_addresses(same):  # type: ignore[type-var]
            if version == 4:
                reach[4] += block.num_addresses - sum(_overlap(block, n) for n in _NOT_INTERNET_V4)
            else:
                reach[6] += _overlap(block, _INTERNET_V6)
    return reach


def covers_world(
    cidrs: Iterable[str | Network], broadest_prefix: int = DEFAULT_BROADEST_PREFIX
) -> bool:
    """True if the union of ``cidrs`` reaches the world.

    That is, in either IP version, more internet addresses than one ``/broadest_prefix`` block holds
    (``0.0.0.0/1``, ``2000::/4``, or ``0.0.0.0/9`` + ``128.0.0.0/9``... with the default 8), or every
    internet address (so ``0.0.0.0/1`` + ``128.0.0.0/1`` is the world even with ``broadest_prefix=0``).
    Raises ``ValueError`` naming the first entry that is not a CIDR block.
    """
    if not 0 <= broadest_prefix <= 32:
        raise ValueError(f"broadest_prefix {broadest_prefix} is not between 0 and 32")
    reach = internet_reach(cidrs)
    return (
        reach[4] > 2 ** (32 - broadest_prefix)
        or reach[6] > 2 ** (128 - broadest_prefix)
        or reach[4] == _INTERNET_V4_SIZE
        or reach[6] == _INTERNET_V6.num_addresses
    )


__all__ = [
    "DEFAULT_BROADEST_PREFIX",
    "Network",
    "canonical_cidr",
    "covers_world",
    "internet_reach",
    "parse_cidr",
]
