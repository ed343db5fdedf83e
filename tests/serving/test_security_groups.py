"""Security groups: standalone rules with descriptions; nothing but 80/443 ever faces the world."""

from __future__ import annotations

import pytest

from tests.serving.conftest import EGRESS, ENVS, INGRESS, SG
from tooling.mock_runtime import Rendered

WORLD = {"0.0.0.0/0", "::/0"}


def _groups(rendered: Rendered) -> tuple[str, str]:
    alb = next(g for g in rendered.of_type(SG) if g.name.endswith("-alb"))
    targets = next(g for g in rendered.of_type(SG) if g.name.endswith("-targets"))
    return alb.id, targets.id


@pytest.mark.parametrize("env", ENVS)
def test_no_ingress_rule_opens_a_model_port_to_the_world(env: str, rendered: Rendered) -> None:
    for rule in rendered.of_type(INGRESS):
        source = rule.inputs.get("cidrIpv4") or rule.inputs.get("cidrIpv6")
        if source in WORLD:
            assert rule.inputs["fromPort"] in (80, 443)
            assert rule.inputs["toPort"] == rule.inputs["fromPort"]
        assert rule.inputs["description"]
    for group in rendered.of_type(SG):
        assert "ingress" not in group.inputs
        assert "egress" not in group.inputs
        assert group.inputs["description"]


def test_dev_alb_admits_only_the_office_on_443_and_80(dev: Rendered) -> None:
    alb_sg, _ = _groups(dev)
    rules = [r for r in dev.of_type(INGRESS) if r.inputs["securityGroupId"] == alb_sg]
    assert sorted((r.inputs["fromPort"], r.inputs["cidrIpv4"]) for r in rules) == [
        (80, "203.0.113.0/24"),
        (443, "203.0.113.0/24"),
    ]


def test_prod_is_public_by_explicit_opt_in(prod: Rendered) -> None:
    alb_sg, _ = _groups(prod)
    sources = sorted(
        (r.inputs["fromPort"], r.inputs.get("cidrIpv4") or r.inputs.get("cidrIpv6"))
        for r in prod.of_type(INGRESS)
        if r.inputs["securityGroupId"] == alb_sg
    )
    # the ALB is IPv4-only: no ::/0 rule that nothing could ever use
    assert sources == [(80, "0.0.0.0/0"), (443, "0.0.0.0/0")]


def test_staging_uses_the_prefix_list(staging: Rendered) -> None:
    alb_sg, _ = _groups(staging)
    rules = [r for r in staging.of_type(INGRESS) if r.inputs["securityGroupId"] == alb_sg]
    assert {r.inputs["prefixListId"] for r in rules} == {"pl-0a1b2c3d4e5f67890"}


def test_alb_egress_and_target_ingress_are_linked_group_to_group(staging: Rendered) -> None:
    alb_sg, targets_sg = _groups(staging)
    egress = [r for r in staging.of_type(EGRESS) if r.inputs["securityGroupId"] == alb_sg]
    assert sorted(
        (r.inputs["fromPort"], r.inputs["referencedSecurityGroupId"]) for r in egress
    ) == [
        (8000, targets_sg),
        (8080, targets_sg),
    ]
    ingress = [r for r in staging.of_type(INGRESS) if r.inputs["securityGroupId"] == targets_sg]
    assert sorted(
        (r.inputs["fromPort"], r.inputs["referencedSecurityGroupId"]) for r in ingress
    ) == [
        (8000, alb_sg),
        (8080, alb_sg),
    ]
