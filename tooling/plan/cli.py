"""``python -m tooling.plan [--env ENV] [--stack STACK] [--base REF] [--config ...] [--program ...]``.

Exit codes (a contract): 0 clean or advisory only, 1 mandatory violations, 2 anything else (a
program error, a config or usage error, the gate itself failing), always with one line on stderr
(``--debug`` adds the traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NoReturn

from shared.environments import ENVIRONMENTS
from shared.errors import first_line
from shared.stacks import ACCOUNT_STACK, ACCOUNT_STACKS, REPO_ROOT, STACKS
from tooling.plan import hardening, preload
from tooling.plan.base import BaseError, BaseTree, extracted
from tooling.plan.markdown import markdown
from tooling.plan.output import remove_stale, report_paths, write_reports
from tooling.plan.policy import PolicyPackStackAnalyzer
from tooling.plan.report import (
    EXIT_ERROR,
    PlanReport,
    PropertyChange,
    ResourceChange,
    StackDiff,
    StackPlan,
    Violation,
)
from tooling.plan.runner import DEFAULT_TIMEOUT, PlanRequest, plan
from tooling.plan.terminal import console_for, print_report
from tooling.plan.text import clean
from tooling.policy.errors import PolicyPackError

DEFAULT_OUT = REPO_ROOT / "build" / "plan"
ALL_STACKS = (*ACCOUNT_STACKS, *STACKS)
"""The account's stacks (planned once) and the env stacks (planned per env)."""


class UsageError(Exception):
    """A bad command-line value; printed as one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _positive(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not number > 0:
        raise argparse.ArgumentTypeError(f"{value!r}: expected more than 0 seconds")
    return number


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = _Parser(
        prog="make plan",
        description="Offline plan and policy gate: render stacks under the mock runtime, each in "
        "its own process, run the policy pack, and (with --base) show what the change changes.",
    )
    add = parser.add_argument
    add(
        "--env", action="append", choices=ENVIRONMENTS, help="environment (repeatable; default all)"
    )
    add("--stack", action="append", choices=ALL_STACKS, help="stack (repeatable; default all)")
    add(
        "--base",
        metavar="REF",
        help="also render git revision REF and show what changes against it",
    )
    add(
        "--base-dir",
        type=Path,
        metavar="DIR",
        help="like --base, with DIR holding stacks/ and shared/",
    )
    add(
        "--config",
        action="append",
        default=[],
        metavar="STACK:ENV=FILE",
        help="plan STACK/ENV with FILE instead of its committed Pulumi.<env>.yaml (repeatable)",
    )
    add(
        "--program",
        action="append",
        default=[],
        metavar="STACK=DIR",
        help="plan STACK with DIR/__main__.py instead of its committed program (repeatable)",
    )
    add(
        "--timeout",
        type=_positive,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"a render's time limit; its processes are killed after it (default {DEFAULT_TIMEOUT:g})",
    )
    add("--jobs", type=int, metavar="N", help="renders at once (default: the machine's cores)")
    add(
        "--json",
        type=Path,
        help="write the JSON report here (default build/plan/<env>/<stack>.json)",
    )
    add(
        "--markdown",
        type=Path,
        help=f"write the Markdown here (default {DEFAULT_OUT.relative_to(REPO_ROOT)}/plan.md)",
    )
    add("--out-dir", type=Path, default=DEFAULT_OUT, help="where default reports go")
    add("--resources", action="store_true", help="also print every resource with its settings")
    add("--quiet", action="store_true", help="print only the summary")
    add("--debug", action="store_true", help="tracebacks and the programs' output for errors")
    args = parser.parse_args(argv)
    if args.base and args.base_dir:
        raise UsageError("--base and --base-dir: give one")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: expected at least 1")
    return args


def _config_files(values: list[str]) -> dict[tuple[str, str], str]:
    result: dict[tuple[str, str], str] = {}
    for value in values:
        target, sep, path = value.partition("=")
        stack, _, env = target.partition(":")
        if not sep or stack not in STACKS or env not in ENVIRONMENTS or not path:
            raise UsageError(
                f"--config {value!r}: expected STACK:ENV=FILE with STACK in {', '.join(STACKS)} "
                f"and ENV in {', '.join(ENVIRONMENTS)}"
            )
        if not Path(path).is_file():
            raise UsageError(f"--config {value!r}: no such file {path}")
        result[(stack, env)] = path
    return result


def _programs(values: list[str]) -> dict[str, str]:
    result: dict[str, str] = {}
    for value in values:
        stack, sep, path = value.partition("=")
        if not sep or stack not in ALL_STACKS or not path:
            raise UsageError(
                f"--program {value!r}: expected STACK=DIR with STACK in {', '.join(ALL_STACKS)}"
            )
        if not (Path(path) / "__main__.py").is_file():
            raise UsageError(f"--program {value!r}: no {Path(path) / '__main__.py'}")
        result[stack] = str(Path(path).resolve())
    return result


@contextlib.contextmanager
def _base(args: argparse.Namespace) -> Iterator[BaseTree | None]:
    if args.base:
        with extracted(args.base) as tree:
            yield tree
    elif args.base_dir:
        if not (args.base_dir / "stacks").is_dir():
            raise UsageError(f"--base-dir {args.base_dir}: no stacks/ folder in it")
        yield BaseTree(root=args.base_dir.resolve(), label=str(args.base_dir))
    else:
        yield None


def _targets(args: argparse.Namespace) -> list[tuple[str, str]]:
    envs, stacks = args.env or ENVIRONMENTS, args.stack or ALL_STACKS
    account = [(s, ACCOUNT_STACK) for s in ACCOUNT_STACKS if s in stacks]
    return account + [(stack, env) for env in envs for stack in STACKS if stack in stacks]


def _run(args: argparse.Namespace, base: BaseTree | None) -> PlanReport:
    request = PlanRequest(
        envs=tuple(e for e in ENVIRONMENTS if e in (args.env or ENVIRONMENTS)),
        stacks=tuple(s for s in ALL_STACKS if s in (args.stack or ALL_STACKS)),
        config_files=_config_files(args.config),
        programs=_programs(args.program),
        base=base,
        timeout=args.timeout,
        jobs=args.jobs,
    )
    err = console_for(sys.stderr)
    progress = (lambda line: err.print(f"[dim]… {line}[/]")) if err.is_terminal else None
    with PolicyPackStackAnalyzer(die_with_parent=True) as analyzer:
        # The pack imports while the gate does: then the SDK once, for every render child.
        folders = [REPO_ROOT / "stacks", REPO_ROOT / "shared"]
        folders += [Path(p) for p in (request.programs or {}).values()]
        if base is not None:
            folders += [base.root / "stacks", base.root / "shared"]
        preload.load(preload.sdk_modules(folders))
        _warm_up()
        hardening.seal_imports()
        return plan(
            request,
            analyzer,
            progress=progress,
            after_renders=lambda: _sweep(analyzer.pid),
        )


def _warm_up() -> None:
    """Print a sample report nowhere: what printing imports lazily is imported before the seal."""
    sample = StackPlan(
        stack="serving", env="prod", status="mandatory", error="≤ → ± ✅ 名前 🚀",
        violations=[Violation(policy="p", level="mandatory", message="≥ → 名前 🚀")],
        diff=StackDiff(status="changed", changes=[
            ResourceChange(action="change", type="aws:lb/listener:Listener", name="l 名", urn="u",
                           properties=[PropertyChange(path="p", old="a", new="b ±", key=True)])
        ]),
    )  # fmt: skip
    report = PlanReport(stacks=[sample, sample.model_copy(update={"error": None})], base="b")
    for stream in (sys.stdout, sys.stderr):
        console = console_for(io.StringIO(), terminal=stream.isatty())
        print_report(report, console, resources=True)
        console.print("[dim]… rendering[/]")
    markdown(report)
    report.model_dump_json()


def _sweep(pack: int | None) -> None:
    """Nothing a program started may run once the pack serves (see ``hardening``)."""
    hardening.sweep(keep=frozenset({pack or -1}))


def _fail(message: str, targets: list[tuple[str, str]]) -> PlanReport:
    stacks = [StackPlan(stack=s, env=e, status="error", error=message) for s, e in targets]
    return PlanReport(exit_code=EXIT_ERROR, error=message, stacks=stacks)


def main(argv: Sequence[str] | None = None) -> int:
    """The gate; every failure is one line on stderr and exit 2."""
    try:
        args = parse_args(argv)
    except UsageError as exc:
        print(f"plan: {clean(exc)} (see --help)", file=sys.stderr)
        return EXIT_ERROR
    targets = _targets(args)
    jsons, md = report_paths(targets, json=args.json, md=args.markdown, out_dir=args.out_dir)
    remove_stale([*jsons, md])
    try:
        with _base(args) as base:
            report = _run(args, base)
    except hardening.Stopped as stop:
        report = _fail(
            f"stopped by {stop.name}; every render and the policy pack were stopped", targets
        )
    except (UsageError, PolicyPackError, BaseError) as exc:
        report = _fail(clean(exc), targets)
    except Exception as exc:  # the gate itself: still one line and exit 2
        if args.debug:
            traceback.print_exc()
        report = _fail(
            f"internal error: {type(exc).__name__}: {clean(first_line(exc))}"
            + ("" if args.debug else " (run with --debug for the traceback)"),
            targets,
        )
    try:
        return _finish(report, args)
    except Exception as exc:  # printing or writing: still one line and exit 2
        print(
            f"plan: internal error: {type(exc).__name__}: {clean(first_line(exc))}", file=sys.stderr
        )
        return EXIT_ERROR


def _finish(report: PlanReport, args: argparse.Namespace) -> int:
    console = console_for(sys.stdout)
    if report.error is None:
        print_report(report, console, details=not args.quiet, resources=args.resources)
        for p in report.stacks:
            if p.error and args.debug and p.debug.strip():
                print(
                    f"--- {p.stack}/{p.env} ---\n{clean(p.debug, one_line=False).rstrip()}",
                    file=sys.stderr,
                )
            if p.error:
                print(f"plan: {p.stack}/{p.env}: {clean(p.error)}", file=sys.stderr)
    else:
        print(f"plan: {report.error}", file=sys.stderr)
    try:
        written = write_reports(report, json=args.json, md=args.markdown, out_dir=args.out_dir)
    except OSError as exc:
        print(f"plan: cannot write the reports: {clean(exc)}", file=sys.stderr)
        return EXIT_ERROR
    for path in written:
        shown = path.relative_to(REPO_ROOT) if path.resolve().is_relative_to(REPO_ROOT) else path
        console.print(f"wrote {shown}", markup=False)
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
