"""The one enforcement-level resolver: a policy's entry, then ``all``, then the default."""

from __future__ import annotations

import pytest

from tooling.policy.config import resolve_level
from tooling.policy.errors import PolicyPackError
from tooling.policy_docs import level


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({}, "advisory"),
        ({"all": "mandatory"}, "mandatory"),
        ({"all": "mandatory", "p": "disabled"}, "disabled"),
        ({"all": "mandatory", "p": {"enforcementLevel": "advisory", "x": 1}}, "advisory"),
        ({"all": "mandatory", "p": {"x": 1}}, "mandatory"),
        ({"p": {"x": 1}}, "advisory"),
    ],
)
def test_entry_then_all_then_default(config: dict[str, object], expected: str) -> None:
    assert resolve_level("p", config, default="advisory") == expected
    assert level(config, "p") == expected  # the README's table resolves the same way


def test_a_bad_level_is_one_line() -> None:
    with pytest.raises(PolicyPackError, match=r"^prod.json: p: enforcement level 'strict' is not"):
        resolve_level("p", {"p": "strict"}, default="advisory", source="prod.json")
    with pytest.raises(PolicyPackError, match=r"^policy config: p = 3: expected an enforcement"):
        resolve_level("p", {"p": 3}, default="advisory")
