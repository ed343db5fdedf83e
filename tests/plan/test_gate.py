"""The offline gate end to end: real programs, real configs, the real pack over gRPC."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.stacks import REPO_ROOT
from tooling.plan.cli import main
from tooling.plan.report import PlanReport

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "plan"


def _plan(tmp_path: Path, *args: str) -> tuple[int, PlanReport]:
    out = tmp_path / "report.json"
    code = main(["--quiet", "--json", str(out), "--markdown", str(tmp_path / "plan.md"), *args])
    return code, PlanReport.model_validate_json(out.read_text())


def test_the_committed_configs_plan_clean(tmp_path: Path) -> None:
    code, report = _plan(tmp_path)
    assert code == 0
    assert [(s.stack, s.env) for s in report.stacks] == [
        ("bootstrap", "bootstrap"),
        ("network", "dev"), ("serving", "dev"),
        ("network", "staging"), ("serving", "staging"),
        ("network", "prod"), ("serving", "prod"),
    ]  # fmt: skip
    assert all(s.status in ("clean", "advisory") for s in report.stacks)
    assert not any(s.mandatory for s in report.stacks)
    serving = [s for s in report.stacks if s.stack == "serving"]
    assert all(s.resource_count > 0 and s.failover is not None for s in serving)
    assert all(
        r.urn.startswith(f"urn:pulumi:{s.env}::serving::") for s in serving for r in s.resources
    )
    assert (tmp_path / "plan.md").read_text().startswith("## Offline plan and policy gate")


INSECURE = [
    ("world-open 8080", ["--program", f"serving={FIXTURES / 'programs' / 'world_open_8080'}"], {"sg-no-world-ingress", "sg-no-high-risk-ports"}),
    ("HTTP forward listener", ["--program", f"serving={FIXTURES / 'programs' / 'http_forward'}"], {"alb-http-redirects-to-https"}),
    ("no access logs", ["--program", f"serving={FIXTURES / 'programs' / 'no_access_logs'}"], {"alb-access-logs-enabled"}),
    ("missing tags (the seed)", ["--program", f"serving={FIXTURES / 'programs' / 'seed'}"], {"required-tags", "alb-http-redirects-to-https", "alb-access-logs-enabled", "sg-no-high-risk-ports"}),
    ("TLS 1.0", ["--config", f"serving:prod={FIXTURES / 'serving-tls10.prod.yaml'}"], {"alb-tls-policy-allowed"}),
    ("slow failover", ["--config", f"serving:prod={FIXTURES / 'serving-slow-failover.prod.yaml'}"], {"tg-failover-detection"}),
    ("too few AZs for prod", ["--config", f"network:prod={FIXTURES / 'network-two-az.prod.yaml'}"], {"alb-multi-az"}),
]  # fmt: skip


@pytest.mark.parametrize(("case", "args", "expected"), INSECURE, ids=[c[0] for c in INSECURE])
def test_insecure_changes_are_caught(
    tmp_path: Path, case: str, args: list[str], expected: set[str]
) -> None:
    code, report = _plan(tmp_path, "--env", "prod", "--stack", "serving", *args)
    assert code == 1
    (serving,) = report.stacks
    assert serving.status == "mandatory"
    mandatory = {v.policy for v in serving.mandatory}
    assert expected <= mandatory, mandatory
    for violation in serving.mandatory:
        assert violation.controls
        assert violation.resource_urn.startswith("urn:pulumi:prod::serving::")


def test_the_markdown_names_the_violation_and_its_controls(tmp_path: Path) -> None:
    _plan(
        tmp_path,
        "--env",
        "prod",
        "--stack",
        "serving",
        "--config",
        f"serving:prod={FIXTURES / 'serving-tls10.prod.yaml'}",
    )
    text = (tmp_path / "plan.md").read_text()
    assert "| serving | prod |" in text
    assert "<code>alb-tls-policy-allowed</code>" in text
    assert "TLS policy ELBSecurityPolicy-TLS-1-0-2015-04 is not allowed" in text
    assert "SecurityHub ELB.17, CKV\\_AWS\\_103, CKV2\\_AWS\\_74" in text  # Markdown-escaped


def test_a_config_error_exits_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # In-process (the SDK is imported already); the gate's exit 2 through a process and make is
    # test_make.py's, its child processes' ends are test_hostile.py's.
    monkeypatch.chdir(REPO_ROOT)
    code = main(
        ["--env", "prod", "--stack", "serving", "--quiet",
         "--config", f"serving:prod={FIXTURES / 'serving-bad-port.prod.yaml'}", "--out-dir", str(tmp_path)]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 2
    # the file named is the one that was read, not Pulumi.prod.yaml
    assert err == (
        "plan: serving/prod: tests/fixtures/plan/serving-bad-port.prod.yaml: "
        "serving:models[0].port = 70000: Input should be less than or equal to 65535\n"
    )
    assert "Traceback" not in out + err
    data = json.loads((tmp_path / "prod" / "serving.json").read_text())
    assert data["exit_code"] == 2
    assert data["stacks"][0]["status"] == "error"


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--program", "serving=/nonexistent"], "plan: --program 'serving=/nonexistent': no /nonexistent/__main__.py"),
        (["--program", "web=/tmp"], "plan: --program 'web=/tmp': expected STACK=DIR with STACK in bootstrap, network, serving"),
        (["--config", "serving=x.yaml"], "plan: --config 'serving=x.yaml': expected STACK:ENV=FILE with STACK in network, serving and ENV in dev, staging, prod"),
        (["--config", "serving:prod=/nonexistent.yaml"], "plan: --config 'serving:prod=/nonexistent.yaml': no such file /nonexistent.yaml"),
        (["--env", "qa"], "plan: argument --env: invalid choice: 'qa' (choose from 'dev', 'staging', 'prod') (see --help)"),
        (["--timeout", "0"], "plan: argument --timeout: '0': expected more than 0 seconds (see --help)"),
        (["--base", "no-such-ref-anywhere"], "plan: --base 'no-such-ref-anywhere': not a commit in " + str(REPO_ROOT)),
    ],
)  # fmt: skip
def test_a_bad_option_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], line: str
) -> None:
    code = main([*args, "--quiet", "--out-dir", str(tmp_path)])
    assert code == 2
    assert capsys.readouterr().err == line + "\n"


def test_default_outputs_go_per_env_and_stack(tmp_path: Path) -> None:
    code = main(["--quiet", "--env", "dev", "--out-dir", str(tmp_path)])
    assert code == 0
    for stack in ("network", "serving"):
        data = json.loads((tmp_path / "dev" / f"{stack}.json").read_text())
        assert set(data) == {"schema_version", "mode", "exit_code", "error", "base", "stacks"}
        assert data["stacks"][0]["stack"] == stack
    assert (tmp_path / "plan.md").is_file()


def test_progress_names_each_stack_and_env_as_it_goes() -> None:
    from tooling.plan.policy import PolicyPackStackAnalyzer
    from tooling.plan.runner import PlanRequest, plan

    lines: list[str] = []
    with PolicyPackStackAnalyzer() as analyzer:  # the pack serves once the renders have ended
        report = plan(
            PlanRequest(envs=("dev", "prod"), stacks=("serving",)), analyzer, progress=lines.append
        )
    assert sorted(lines) == [
        "rendering network/dev",
        "rendering network/prod",
        "rendering serving/dev",
        "rendering serving/prod",
    ]
    assert lines.index("rendering network/dev") < lines.index("rendering serving/dev")
    # network is rendered to feed serving's StackReference, but only serving is reported
    assert [(s.stack, s.env) for s in report.stacks] == [("serving", "dev"), ("serving", "prod")]


def test_bad_yaml_through_the_gate_is_one_line_with_file_line_and_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    syntax = tmp_path / "syntax.yaml"
    syntax.write_text("config:\n  serving:team: [ml\n")
    listed = tmp_path / "listed.yaml"
    listed.write_text("- config\n")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n")
    monkeypatch.chdir(REPO_ROOT)
    code = main(
        ["--quiet", "--stack", "serving",
         "--config", f"serving:dev={syntax}", "--config", f"serving:staging={listed}",
         "--config", f"serving:prod={binary}", "--out-dir", str(tmp_path / "out")]
    )  # fmt: skip
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"plan: serving/dev: {syntax}:3:1: not valid YAML (expected ',' or ']', but got '<stream end>')",
        f"plan: serving/staging: {listed}:1:1: the file must be a mapping, not a list",
        f"plan: serving/prod: {binary}:1:1: not a text file (byte 0x89 is not UTF-8)",
    ]


def test_a_crash_of_the_gate_itself_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tooling.plan import cli

    def boom(*args: object) -> None:
        raise KeyError("a bug in the gate")

    monkeypatch.setattr(cli, "_run", boom)
    assert main(["--quiet", "--out-dir", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        "plan: internal error: KeyError: 'a bug in the gate' (run with --debug for the traceback)\n"
    )
    assert "💥 The gate failed" in (tmp_path / "plan.md").read_text()
    assert json.loads((tmp_path / "prod" / "serving.json").read_text())["exit_code"] == 2
    assert main(["--quiet", "--debug", "--out-dir", str(tmp_path)]) == 2
    assert "Traceback (most recent call last)" in capsys.readouterr().err
