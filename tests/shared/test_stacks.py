from __future__ import annotations

import pytest

from shared.environments import ENVIRONMENTS, parse_environment
from shared.stacks import STACKS, dependants, deploy_order, destroy_order


def test_deploy_order_puts_referenced_stacks_first() -> None:
    assert [s.name for s in deploy_order()] == ["network", "serving"]
    assert [s.name for s in destroy_order()] == ["serving", "network"]
    assert [s.name for s in deploy_order("serving")] == ["serving"]
    assert [s.name for s in dependants("network")] == ["serving"]


def test_unknown_stack_lists_the_valid_ones() -> None:
    with pytest.raises(
        ValueError, match="unknown stack 'db'; expected one of: network, serving, all"
    ):
        deploy_order("db")


def test_every_stack_has_a_project_file_and_a_config_per_env() -> None:
    for spec in STACKS.values():
        assert (spec.directory / "Pulumi.yaml").is_file()
        for env in ENVIRONMENTS:
            assert spec.config_file(env).is_file(), spec.config_file(env)


def test_environments() -> None:
    assert ENVIRONMENTS == ("dev", "staging", "prod")
    assert parse_environment("prod") == "prod"
    with pytest.raises(ValueError, match="expected one of: dev, staging, prod"):
        parse_environment("production")
