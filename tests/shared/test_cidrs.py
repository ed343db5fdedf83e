"""CIDRs as AWS reads them, and when a set of them is the world."""

from __future__ import annotations

import ipaddress

import pytest

from shared.cidrs import canonical_cidr, covers_world, internet_reach, parse_cidr


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("0.0.0.0/0", "0.0.0.0/0"),
        (" 0.0.0.0/0 ", "0.0.0.0/0"),
        ("1.2.3.4/0", "0.0.0.0/0"),  # host bits: AWS acts on the network
        ("10.1.2.3/8", "10.0.0.0/8"),
        ("010.000.0.0/8", "10.0.0.0/8"),  # leading zeros are decimal to AWS, never octal
        ("0.0.0.0/00", "0.0.0.0/0"),
        ("::/0", "::/0"),
        ("0::/0", "::/0"),
        ("0:0:0:0:0:0:0:0/0", "::/0"),
        ("2001:DB8::1/32", "2001:db8::/32"),
    ],
)
def test_every_spelling_of_a_network_is_one_network(text: str, canonical: str) -> None:
    assert canonical_cidr(text) == canonical
    assert parse_cidr(text) == ipaddress.ip_network(canonical)


@pytest.mark.parametrize(
    "text", ["", "0.0.0.0", "0.0.0.0/33", "::/129", "10.0.0/8", "1.2.3.4.5/8", "x/8", "10.0.0.0/-1"]
)
def test_what_is_not_a_cidr_is_none(text: str) -> None:
    assert parse_cidr(text) is None
    assert canonical_cidr(text) is None


@pytest.mark.parametrize(
    "cidrs",
    [
        ["0.0.0.0/0"],
        ["::/0"],
        ["0::/0"],
        ["0.0.0.0/1", "128.0.0.0/1"],
        ["0.0.0.0/1"],  # half the internet is the world
        ["2000::/3"],  # every routed IPv6 address
        ["2000::/4"],
        ["11.0.0.0/8", "12.0.0.0/8"],  # two /8s of internet: wider than one /8
        [f"{n}.0.0.0/9" for n in range(0, 256, 2)],  # many narrow blocks, disjoint
        ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"],
    ],
)
def test_sources_that_reach_a_broad_share_of_the_internet_are_the_world(cidrs: list[str]) -> None:
    assert covers_world(cidrs)


@pytest.mark.parametrize(
    "cidrs",
    [
        [],
        ["203.0.113.0/24", "198.51.100.0/24"],
        ["11.0.0.0/8"],  # exactly one /8 is not wider than a /8
        ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"],  # not the internet
        ["224.0.0.0/3"],  # multicast and reserved
        ["fc00::/7", "fe80::/10"],  # ULA and link-local
        ["2001:db8::/32"],
        ["2000::/8"],
    ],
)
def test_narrow_or_private_sources_are_not_the_world(cidrs: list[str]) -> None:
    assert not covers_world(cidrs)


def test_the_broadest_prefix_is_tunable_and_the_whole_space_is_always_the_world() -> None:
    assert covers_world(["1.0.0.0/9"], broadest_prefix=16)
    assert not covers_world(["1.0.0.0/9"], broadest_prefix=8)
    assert not covers_world(["0.0.0.0/1"], broadest_prefix=0)
    assert not covers_world(["0.0.0.0/9"], broadest_prefix=16)  # inside 0.0.0.0/8: not the internet
    assert covers_world(["0.0.0.0/1", "128.0.0.0/1"], broadest_prefix=0)
    assert covers_world(["::/1", "8000::/1"], broadest_prefix=0)
    with pytest.raises(ValueError, match="broadest_prefix 33 is not between 0 and 32"):
        covers_world(["0.0.0.0/0"], broadest_prefix=33)


def test_reach_counts_the_union_once_and_skips_what_is_not_the_internet() -> None:
    assert internet_reach(["203.0.113.0/24", "203.0.113.128/25"]) == {4: 256, 6: 0}
    assert internet_reach(["10.0.0.0/8"]) == {4: 0, 6: 0}
    assert internet_reach(["2001:db8::/126"]) == {4: 0, 6: 4}


def test_a_source_that_is_not_a_cidr_is_an_error_naming_it() -> None:
    with pytest.raises(ValueError, match=r"^'0.0.0.0/33' is not a CIDR block$"):
        covers_world(["10.0.0.0/8", "0.0.0.0/33"])
