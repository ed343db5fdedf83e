"""``python -m tooling.plan [--env ENV] [--stack STACK] [--json PATH] [--markdown PATH]``.

Exit codes: 0 clean or advisory only, 1 mandatory violations, 2 a program or config error (one line).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from shared.environments import ENVIRONMENTS
from shared.stacks import REPO_ROOT, STACKS
from tooling.plan.output import markdown, print_report, write_json
from tooling.plan.policy import PolicyPackStackAnalyzer
from tooling.plan.report import EXIT_ERROR, PlanReport
from tooling.plan.runner import PlanRequest, plan
from tooling.policy.errors import PolicyPackError

DEFAULT_OUT = REPO_ROOT / "build" / "plan"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="make plan",
        description="Offline plan and policy gate: render stacks under the mock runtime and run the policy pack.",
    )
    parser.add_argument(
        "--env", action="append", choices=ENVIRONMENTS, help="environment (repeatable; default all)"
    )
    parser.add_argument(
        "--stack", action="append", choices=tuple(STACKS), help="stack (repeatable; default all)"
    )
    parser.add_argument(
        "--config",
        action="append",
        default=[],
        metavar="STACK:ENV=FILE",
        help="plan STACK/ENV with FILE instead of its committed Pulumi.<env>.yaml (repeatable)",
    )
    parser.add_argument(
        "--json",
        type=Path,
        help="write the JSON report here (default build/plan/<env>/<stack>.json per stack)",
    )
    parser.add_argument(
        "--markdown",
        type=Path,
        help=f"write the Markdown report here (default {DEFAULT_OUT.relative_to(REPO_ROOT)}/plan.md)",
    )
    parser.add_argument(
        "--out-dir", type=Path, default=DEFAULT_OUT, help="where default reports go"
    )
    parser.add_argument(
        "--program",
        action="append",
        default=[],
        metavar="STACK=DIR",
        help="plan STACK with DIR/__main__.py instead of its committed program (repeatable)",
    )
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    return parser.parse_args(argv)


class UsageError(Exception):
    """A bad command-line value; printed as one line, exit 2."""


def _config_files(values: list[str]) -> dict[tuple[str, str], str]:
    result: dict[tuple[str, str], str] = {}
    for value in values:
        target, sep, path = value.partition("=")
        stack, _, env = target.partition(":")
        if not sep or stack not in STACKS or env not in ENVIRONMENTS:
            raise SystemExit(
                f"plan: --config {value!r}: expected STACK:ENV=FILE with STACK in {', '.join(STACKS)} and ENV in {', '.join(ENVIRONMENTS)}"
            )
        if not Path(path).is_file():
            raise UsageError(f"plan: --config {value!r}: no such file {path}")
        result[(stack, env)] = path
    return result


def _programs(values: list[str]) -> dict[str, str]:
    result: dict[str, str] = {}
    for value in values:
        stack, sep, path = value.partition("=")
        if not sep or stack not in STACKS:
            raise SystemExit(
                f"plan: --program {value!r}: expected STACK=DIR with STACK in {', '.join(STACKS)}"
            )
        if not (Path(path) / "__main__.py").is_file():
            raise UsageError(f"plan: --program {value!r}: no {Path(path) / '__main__.py'}")
        result[stack] = str(Path(path).resolve())
    return result


def write_reports(report: PlanReport, args: argparse.Namespace) -> list[Path]:
    written: list[Path] = []
    if args.json:
        write_json(report, args.json)
        written.append(args.json)
    else:
        for stack_plan in report.stacks:
            path = args.out_dir / stack_plan.env / f"{stack_plan.stack}.json"
            write_json(PlanReport(stacks=[stack_plan], exit_code=report.exit_code), path)
            written.append(path)
    md_path = args.markdown or args.out_dir / "plan.md"
    md_path.parent.mkdir(parents=True, exist_ok=True)
    md_path.write_text(markdown(report))
    written.append(md_path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console(stderr=False, highlight=False)
    err = Console(stderr=True, highlight=False)
    try:
        request = PlanRequest(
            envs=tuple(args.env or ENVIRONMENTS),
            stacks=tuple(args.stack or STACKS),
            config_files=_config_files(args.config),
            programs=_programs(args.program),
        )
        progress = (lambda line: err.print(f"[dim]… {line}[/]")) if err.is_terminal else None
        with PolicyPackStackAnalyzer() as analyzer:
            report = plan(request, analyzer, progress=progress)
    except (UsageError, PolicyPackError) as exc:
        print(str(exc) if str(exc).startswith("plan:") else f"plan: {exc}", file=sys.stderr)
        return EXIT_ERROR
    print_report(report, console, details=not args.quiet)
    for stack_plan in report.stacks:
        if stack_plan.error:
            print(f"plan: {stack_plan.stack}/{stack_plan.env}: {stack_plan.error}", file=sys.stderr)
    for path in write_reports(report, args):
        console.print(
            f"wrote {path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}",
            markup=False,
        )
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
