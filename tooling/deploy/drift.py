"""``make drift ENV=<env>``: does AWS still match the code? Exit 0 yes, 3 no (drift), else an error.

Per stack, ``pulumi refresh --preview-only --json --expect-no-changes`` (checked against the CLI's
source: ``--preview-only`` computes the refresh without writing the state and takes no lock on
the DIY backends; ``--json`` prints the preview digest, whose steps carry ``op``, ``urn`` and
``detailedDiff``; ``--expect-no-changes`` makes the CLI exit 7 when something changed). A step
whose op is not ``same``/``refresh``/``read`` is a drifted resource: ``update`` lists the fields
AWS changed, ``delete`` means it is gone. Then, when the serving stack is selected,
``python -m tooling.verify --env <env>`` (what ``make verify`` runs): a failed check is drift too.

The drifted resources and fields are printed one per line and, with ``--report PATH``, written as
Markdown (the scheduled workflow's issue body).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.stacks import REPO_ROOT, deploy_order
from tooling.deploy.commands import existing, preflight
from tooling.deploy.environment import RunEnvironment
from tooling.deploy.errors import DeployError
from tooling.pulumi_cli import PulumiCli, exit_status

DRIFTED = 3
EXPECTED_NO_CHANGES = 7
"""The CLI's exit code for ``--expect-no-changes`` when there were changes."""
UNCHANGED = ("same", "refresh", "read")


@dataclass(frozen=True)
class Drifted:
    stack: str
    """``network/dev``."""
    resource: str
    type: str
    op: str
    fields: tuple[str, ...]

    def line(self) -> str:
        what = "deleted outside Pulumi" if self.op == "delete" else self.op
        fields = f" ({', '.join(self.fields)})" if self.fields else ""
        return f"{self.stack}: {self.type} {self.resource}: {what}{fields}"


def drifted_steps(digest: Any, label: str) -> list[Drifted]:
    """The preview digest's steps that are not "unchanged", as :class:`Drifted`."""
    if not isinstance(digest, dict) or not isinstance(digest.get("steps", []), list):
        raise DeployError(f"{label}: pulumi refresh --json did not print a preview digest")
    found: list[Drifted] = []
    for step in digest.get("steps") or []:
        op = str(step.get("op", "")) if isinstance(step, dict) else ""
        if not op or op in UNCHANGED:
            continue
        parts = str(step.get("urn", "")).split("::")
        kind = parts[2].split("$")[-1] if len(parts) > 3 else "?"
        name = parts[3] if len(parts) > 3 else str(step.get("urn", "?"))
        fields = sorted(step.get("detailedDiff") or {}) or sorted(step.get("diffReasons") or [])
        found.append(Drifted(label, name, kind, op, tuple(map(str, fields))))
    return found


def refresh_preview(
    cli: PulumiCli, spec_dir: Path, env: str, label: str, ci: bool
) -> list[Drifted]:
    args = ["refresh", "--stack", env, "--preview-only", "--json", "--expect-no-changes"]
    done = cli.capture([*args, *(["--non-interactive"] if ci else [])], spec_dir, label=label)
    if done.code not in (0, EXPECTED_NO_CHANGES):
        raise DeployError(f"{done.failure(label)}: {done.error_line}", code=exit_status(done.code))
    try:
        digest = json.loads(done.stdout or "null")
    except json.JSONDecodeError:
        raise DeployError(f"{label}: pulumi refresh --json did not print JSON") from None
    found = drifted_steps(digest, label)
    if done.code == EXPECTED_NO_CHANGES and not found:
        found = [Drifted(label, "(the CLI reports changes it did not list)", "?", "update", ())]
    return found


def run_verify(env: str, run_env: RunEnvironment, report: Path | None) -> int:
    """``make verify``'s command, in this environment; its exit code (0 pass, 1 a check failed)."""
    argv = [sys.executable, "-m", "tooling.verify", "--env", env]
    if report is not None:
        argv += ["--json", str(report)]
    print(f"$ {' '.join(argv[1:])}", flush=True)
    return subprocess.run(argv, cwd=REPO_ROOT, env=run_env.variables, check=False).returncode


def markdown(env: str, drifted: list[Drifted], verify_code: int | None) -> str:
    lines = [f"## Drift in `{env}`", ""]
    if drifted:
        lines += ["| stack | resource | type | change | fields |", "|---|---|---|---|---|"]
        lines += [
            f"| {d.stack} | `{d.resource}` | `{d.type}` | {d.op} | {', '.join(d.fields) or '-'} |"
            for d in drifted
        ]
    else:
        lines.append("Every resource matches the state.")
    if verify_code is not None:
        verdict = "passed" if verify_code == 0 else "failed (see the job log)"
        lines += ["", f"`make verify ENV={env}`: {verdict}"]
    return "\n".join(lines) + "\n"


def drift(
    env: str,
    stack: str,
    run_env: RunEnvironment,
    cli: PulumiCli,
    *,
    report: Path | None = None,
    verify: Callable[[str, RunEnvironment, Path | None], int] = run_verify,
) -> int:
    specs = deploy_order(stack)
    files = preflight(specs, env, programs=False)
    counts = existing(cli, specs, env, files, run_env)
    for spec in specs:
        if counts[spec.name] is None:
            raise DeployError(
                f"{spec.name}/{env}: no such stack to check for drift (deploy it first: make deploy ENV={env} STACK={spec.name})"
            )
    drifted: list[Drifted] = []
    for spec in specs:
        drifted += refresh_preview(cli, spec.directory, env, f"{spec.name}/{env}", run_env.ci)
    for item in drifted:
        print(f"drift: {item.line()}", flush=True)
    verify_code = None
    if any(spec.name == "serving" for spec in specs):
        verify_json = report.with_suffix(".verify.json") if report is not None else None
        verify_code = verify(env, run_env, verify_json)
        if verify_code not in (0, 1):
            raise DeployError(
                f"serving/{env}: make verify could not check (exit {verify_code})",
                code=verify_code,
            )
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(markdown(env, drifted, verify_code))
    found = bool(drifted) or verify_code == 1
    summary = f"{len(drifted)} drifted resource(s)" + (
        ", make verify failed" if verify_code == 1 else ""
    )
    print(f"drift: {env}: {summary if found else 'AWS matches the code'}", flush=True)
    return DRIFTED if found else 0
