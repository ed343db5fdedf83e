"""The plan diff: exactly the changed fields for realistic changes, and how resources are matched."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.stacks import REPO_ROOT
from tooling.mock_runtime import RegisteredResource
from tooling.mock_runtime.aliases import AliasSpec
from tooling.plan.base import BaseTree
from tooling.plan.cli import main
from tooling.plan.diff import diff_resources, flatten
from tooling.plan.runner import PlanRequest, plan_jobs
from tooling.policy.wire import UNKNOWN

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "plan" / "diff"
LISTENER = "aws:lb/listener:Listener"
TG = "aws:lb/targetGroup:TargetGroup"
RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
TLS_OLD, TLS_NEW = (
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
)


def _base_tree(tmp_path: Path) -> Path:
    """This checkout's stacks/ and shared/, with the fixture configs, and in prod one more listener."""
    base = tmp_path / "base"
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(REPO_ROOT / "stacks", base / "stacks", ignore=ignore)
    shutil.copytree(REPO_ROOT / "shared", base / "shared", ignore=ignore)
    serving = base / "stacks" / "serving"
    shutil.copy(FIXTURES / "serving.dev.base.yaml", serving / "Pulumi.dev.yaml")
    for env in ("staging", "prod"):
        shutil.copy(FIXTURES / "serving.base.yaml", serving / f"Pulumi.{env}.yaml")
    with (serving / "__main__.py").open("a") as program:
        program.write((FIXTURES / "extra_listener.py").read_text())
    return base


def _changed(tmp_path: Path, env: str, fixture: str, change: Any) -> Path:
    data = yaml.safe_load((FIXTURES / fixture).read_text())
    change(data["config"])
    path = tmp_path / f"{env}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_realistic_changes_name_exactly_what_they_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """dev: a new model; staging: a TLS policy; prod: a widened CIDR and a removed listener."""
    new_model = {"name": "embeddings", "route": {"pathPrefix": "/v1/embeddings"}}
    new_model["instances"] = ["i-0d3c5e7a9b1f24680", "i-0e4d6f8b0c2a35791"]
    dev = _changed(
        tmp_path, "dev", "serving.dev.base.yaml", lambda c: c["serving:models"].append(new_model)
    )
    staging = _changed(
        tmp_path, "staging", "serving.base.yaml", lambda c: c.update({"serving:tlsPolicy": TLS_NEW})
    )
    prod = _changed(
        tmp_path,
        "prod",
        "serving.base.yaml",
        lambda c: c.update({"serving:allowedCidrs": ["10.0.0.0/8"]}),
    )
    code = main(
        ["--quiet", "--stack", "serving",
         "--base-dir", str(_base_tree(tmp_path)), "--config", f"serving:dev={dev}",
         "--config", f"serving:staging={staging}", "--config", f"serving:prod={prod}",
         "--json", str(tmp_path / "plan.json"), "--markdown", str(tmp_path / "plan.md")]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    report = json.loads((tmp_path / "plan.json").read_text())
    diffs = {s["env"]: s["diff"]["changes"] for s in report["stacks"]}

    # A new model adds that model's resources and touches nothing else.
    assert {c["action"] for c in diffs["dev"]} == {"add"}
    assert all("embeddings" in c["name"] for c in diffs["dev"])
    assert {"aws:lb/targetGroup:TargetGroup", "aws:lb/listenerRule:ListenerRule"} <= {
        c["type"] for c in diffs["dev"]
    }

    # A TLS policy change is the HTTPS listener's sslPolicy, in place.
    (tls,) = diffs["staging"]
    assert (tls["action"], tls["type"], tls["name"]) == ("change", LISTENER, "serving-https")
    assert [
        (p["path"], p["old"], p["new"], p["key"], p["replaces"]) for p in tls["properties"]
    ] == [("sslPolicy", TLS_OLD, TLS_NEW, True, False)]

    # A widened CIDR replaces the two rules named after it (cidrIpv4 and their descriptions);
    # the listener the change drops is removed.
    (removed,) = [c for c in diffs["prod"] if c["action"] == "remove"]
    assert (removed["type"], removed["name"]) == (LISTENER, "serving-legacy-8443")
    replaced = [c for c in diffs["prod"] if c["action"] == "replace"]
    assert len(replaced) == len(diffs["prod"]) - 1 == 2
    for change in replaced:
        assert change["type"] == RULE
        assert change["old_urn"].endswith(change["name"].replace("10-0-0-0-8", "10-20-0-0-16"))
        cidr, description = change["properties"]
        assert (cidr["path"], cidr["old"], cidr["new"], cidr["key"]) == (
            "cidrIpv4",
            "10.20.0.0/16",
            "10.0.0.0/8",
            True,
        )
        assert description["path"] == "description" and not description["key"]
        assert "10.20.0.0/16" in description["old"] and "10.0.0.0/8" in description["new"]

    comment = (tmp_path / "plan.md").read_text()
    assert comment.index("What this change does") < comment.index("Policy verdicts")
    assert f"**<code>sslPolicy</code>: <code>{TLS_OLD}</code> → <code>{TLS_NEW}</code>**" in comment


def test_a_change_to_one_env_renders_and_shows_only_that_env(tmp_path: Path) -> None:
    base = tmp_path / "base"
    shutil.copytree(
        REPO_ROOT / "stacks", base / "stacks", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(
        REPO_ROOT / "shared", base / "shared", ignore=shutil.ignore_patterns("__pycache__")
    )
    (base / "stacks" / "serving" / "Pulumi.prod.yaml").write_text(
        "config: {}\n"
    )  # prod differs only
    jobs = plan_jobs(PlanRequest(base=BaseTree(root=base, label="base")))
    assert [p.job.key for p in jobs if p.job.side == "base"] == ["base:serving/prod"]
    assert {p.job.key for p in jobs if p.job.side == "head"} == {
        f"head:{stack}/{env}"
        for stack in ("network", "serving")
        for env in ("dev", "staging", "prod")
    } | {"head:bootstrap/bootstrap"}
    # the base's serving render reads the change's network outputs (the network did not change)
    (serving,) = [p for p in jobs if p.job.side == "base"]
    assert serving.needs == {"organization/network/prod": "head:network/prod"}


def _resource(type_: str, name: str, parent: str = "", **fields: Any) -> RegisteredResource:
    inputs = fields.pop("inputs", {})
    chain = parent.split("::")[2] + "$" if parent else ""
    return RegisteredResource(
        type=type_, name=name, urn=f"urn:pulumi:prod::serving::{chain}{type_}::{name}", id="",
        inputs=inputs, outputs={}, parent=parent, custom=True, **fields,
    )  # fmt: skip


def test_an_alias_keeps_a_moved_resource_and_a_new_parent_without_one_replaces_it() -> None:
    component = "urn:pulumi:prod::serving::acme:serving:Front::front"
    old = _resource(TG, "tg", inputs={"port": 8080})
    kept = _resource(
        TG, "tg", parent=component, inputs={"port": 8080}, aliases=[AliasSpec(urn=old.urn)]
    )
    assert diff_resources([old], [kept]) == []
    (moved,) = diff_resources([old], [_resource(TG, "tg", parent=component, inputs={"port": 8080})])
    assert (moved.action, moved.old_urn, moved.reason) == (
        "replace", old.urn, "its URN changed (a new parent or project) and no alias keeps it",
    )  # fmt: skip


def test_a_property_the_provider_cannot_update_replaces_and_is_named() -> None:
    (change,) = diff_resources(
        [_resource(TG, "tg", inputs={"port": 8080})], [_resource(TG, "tg", inputs={"port": 9090})]
    )
    assert (change.action, change.reason) == ("replace", "port cannot change in place")
    assert [(p.path, p.old, p.new, p.replaces) for p in change.properties] == [
        ("port", 8080, 9090, True)
    ]
    listener = {"port": 443, "tags": {"team": "a"}}
    (option,) = diff_resources(
        [_resource(LISTENER, "l", inputs=listener, replace_on_changes=["tags"])],
        [
            _resource(
                LISTENER,
                "l",
                inputs={**listener, "tags": {"team": "b"}},
                replace_on_changes=["tags"],
            )
        ],
    )
    assert option.action == "replace" and option.properties[0].path == "tags.team"


def test_weights_and_protect_change_in_place_as_key_fields() -> None:
    def listener(weights: tuple[int, int], protect: bool) -> RegisteredResource:
        groups = [{"arn": UNKNOWN, "weight": w} for w in weights]
        actions = [{"type": "forward", "forward": {"targetGroups": groups}}]
        return _resource(LISTENER, "https", inputs={"defaultActions": actions}, protect=protect)

    (change,) = diff_resources([listener((90, 10), False)], [listener((50, 50), True)])
    assert change.action == "change"
    assert [(p.path, p.old, p.new, p.key) for p in change.properties] == [
        ("(protect)", False, True, True),
        ("defaultActions[0].forward.targetGroups[0].weight", 90, 50, True),
        ("defaultActions[0].forward.targetGroups[1].weight", 10, 50, True),
    ]


def test_an_unknown_value_is_compared_by_where_it_comes_from() -> None:
    a, b = _resource(TG, "blue"), _resource(TG, "green")
    rule = {"actions": [{"type": "forward", "targetGroupArn": UNKNOWN}]}
    before = _resource(
        LISTENER,
        "l",
        inputs={"defaultActions": rule["actions"]},
        property_dependencies={"defaultActions": [a.urn]},
    )
    after = _resource(
        LISTENER,
        "l",
        inputs={"defaultActions": rule["actions"]},
        property_dependencies={"defaultActions": [b.urn]},
    )
    (change,) = [c for c in diff_resources([a, b, before], [a, b, after]) if c.name == "l"]
    assert [(p.path, p.old, p.new) for p in change.properties] == [
        ("defaultActions[0].targetGroupArn", "(from blue)", "(from green)")
    ]
    assert diff_resources([a, before], [a, before]) == []


def test_a_new_resource_shows_its_key_fields() -> None:
    (added,) = diff_resources(
        [],
        [
            _resource(
                RULE,
                "ssh",
                inputs={"cidrIpv4": "0.0.0.0/0", "fromPort": 22, "toPort": 22, "description": "x"},
            )
        ],
    )
    assert added.action == "add"
    assert [(p.path, p.new) for p in added.properties] == [
        ("cidrIpv4", "0.0.0.0/0"),
        ("fromPort", 22),
        ("toPort", 22),
    ]


def test_flatten_names_every_leaf_by_its_wire_path() -> None:
    assert flatten({"a": {"b": [1, {"c": UNKNOWN}]}, "e": [], "f": {}}) == {
        "a.b[0]": 1, "a.b[1].c": "(known after deploy)", "e": [], "f": {},
    }  # fmt: skip


def test_a_base_revision_is_its_stacks_and_shared_from_git(tmp_path: Path) -> None:
    from tooling.plan.base import BaseError, extracted

    head = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    )
    with extracted("HEAD") as tree:
        assert tree.label == f"HEAD ({head.stdout.strip()[:7]})"
        assert sorted(p.name for p in tree.root.iterdir()) == ["shared", "stacks"]
        program = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "show", "HEAD:stacks/serving/__main__.py"],
            capture_output=True, check=True,
        )  # fmt: skip
        assert (tree.root / "stacks" / "serving" / "__main__.py").read_bytes() == program.stdout
        root = tree.root
    assert not root.exists()  # nothing is left behind
    for ref, message in (
        ("--upload-pack=x", "not a git revision"),
        ("no-such-ref", "not a commit"),
    ):
        with pytest.raises(BaseError, match=message), extracted(ref):
            pass
