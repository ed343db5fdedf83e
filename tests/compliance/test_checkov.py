"""Checkov on the rendered fixture prod stacks: every finding is fixed or accepted with a reason,
every accepted finding still occurs (the list stays true), and a resource that breaks a control is
caught through the whole path (render -> plan JSON -> Checkov)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.renders import shared_render
from tooling.compliance.accepted import ACCEPTED, accepted
from tooling.compliance.checkov import CHECKOV, Finding, run_checkov
from tooling.compliance.terraform_plan import terraform_plan, unconverted
from tooling.mock_runtime import RegisteredResource

CHECKOV_MISSING = pytest.mark.skipif(
    not CHECKOV.is_file(), reason=f"{CHECKOV} not found: make setup installs Checkov there"
)
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"


def _prod() -> list[RegisteredResource]:
    return [
        *shared_render("network", "prod").resources,
        *shared_render("serving", "prod").resources,
    ]


def _tampered() -> RegisteredResource:
    """A launch template with IMDSv1 allowed and a hop limit the container can use."""
    template = next(
        r for r in shared_render("serving", "prod").resources if r.type == LAUNCH_TEMPLATE
    )
    bad = copy.deepcopy(template)
    bad.name, bad.urn = "tampered", template.urn.rsplit("::", 1)[0] + "::tampered"
    bad.inputs["metadataOptions"] = {
        "httpEndpoint": "enabled",
        "httpTokens": "optional",
        "httpPutResponseHopLimit": 3,
    }
    return bad


@pytest.fixture(scope="module")
def findings() -> list[Finding]:
    return run_checkov(terraform_plan([*_prod(), _tampered()]))


@CHECKOV_MISSING
def test_every_prod_finding_is_fixed_or_accepted(findings: list[Finding]) -> None:
    failed = [f for f in findings if not f.passed and f.resource != "aws_launch_template.tampered"]
    assert [
        f"{f.check} {f.resource}" for f in failed if accepted(f.check, f.terraform_type) is None
    ] == []
    fixed = {f.check for f in findings if f.passed}
    # What issue 13 asked for: versioning, a year of logs, hop limit 1.
    assert {"CKV_AWS_21", "CKV_AWS_338", "CKV_AWS_341"} <= fixed
    assert len(fixed) > 40


@CHECKOV_MISSING
def test_every_accepted_finding_still_occurs(findings: list[Finding]) -> None:
    occurring = {(f.check, f.terraform_type) for f in findings if not f.passed}
    assert [a.check for a in ACCEPTED if (a.check, a.terraform_type) not in occurring] == []


@CHECKOV_MISSING
def test_a_resource_that_breaks_a_control_is_caught(findings: list[Finding]) -> None:
    caught = {
        f.check for f in findings if not f.passed and f.resource == "aws_launch_template.tampered"
    }
    assert {"CKV_AWS_79", "CKV_AWS_341"} <= caught


def test_checkov_sees_every_resource_the_stacks_render() -> None:
    everything = [
        r for stack in ("network", "serving") for env in ("dev", "staging", "prod")
        for r in shared_render(stack, env).resources
    ]  # fmt: skip
    assert unconverted(everything) == set()


def test_the_plan_speaks_terraform() -> None:
    plan: dict[str, Any] = terraform_plan(shared_render("serving", "prod").resources)
    by_address = {
        r["address"]: r["values"] for r in plan["planned_values"]["root_module"]["resources"]
    }
    http = by_address["aws_lb_listener.serving-http-redirect"]
    assert http["port"] == 80  # an int, as Terraform writes it (the wire sends 80.0)
    assert http["default_action"][0]["redirect"] == [
        {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}
    ]
    assert isinstance(by_address["aws_lb.serving-alb"]["tags"], dict)  # maps stay maps
    group = next(v for a, v in by_address.items() if a.startswith("aws_autoscaling_group."))
    assert {t["key"] for t in group["tag"]} >= {"env", "team"} and "vpc_zone_identifier" in group
    linked = {
        r["address"]: r["expressions"] for r in plan["configuration"]["root_module"]["resources"]
    }["aws_s3_bucket_versioning.serving-logs"]
    assert linked["bucket"]["references"] == [
        "aws_s3_bucket.serving-logs.id",
        "aws_s3_bucket.serving-logs",
    ]


def test_the_readme_lists_the_accepted_findings() -> None:
    from shared.stacks import REPO_ROOT
    from tooling.compliance.accepted import markdown_table

    readme = (REPO_ROOT / "README.md").read_text()
    section = readme.split("<!-- BEGIN accepted-table -->\n", 1)[1].split("\n<!-- END", 1)[0]
    assert section == markdown_table()
