"""``python -m tooling.compliance [--env ENV]``: Checkov on the rendered stacks of an env.

Exit codes: 0 every finding is fixed or accepted (``accepted.py``), 1 a finding that is not,
2 Checkov missing or a render that fails.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from shared.environments import ENVIRONMENTS
from tooling.compliance.accepted import accepted
from tooling.compliance.checkov import CheckovError, Finding, run_checkov
from tooling.compliance.terraform_plan import terraform_plan, unconverted
from tooling.mock_runtime import RegisteredResource, RenderError, render


def rendered_env(env: str) -> list[RegisteredResource]:
    """The committed network and serving stacks of ``env``, as deployed (every value known)."""
    network = render("network", env)
    serving = (
        render("serving", env, stack_outputs={f"organization/network/{env}": network.outputs})
        if network.outputs
        else render("serving", env)
    )
    return [*network.resources, *serving.resources]


def report(findings: list[Finding]) -> list[str]:
    """One line per failed check, marked accepted (with its reason) or not."""
    lines = []
    for f in sorted((f for f in findings if not f.passed), key=lambda f: (f.check, f.resource)):
        why = accepted(f.check, f.terraform_type)
        mark = (
            f"accepted: {why.reason}"
            if why
            else "NOT ACCEPTED: fix it, or accept it with its reason"
        )
        lines.append(f"{f.check} {f.resource}: {f.name} -- {mark}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make compliance", description=__doc__)
    parser.add_argument("--env", default="prod", choices=ENVIRONMENTS)
    args = parser.parse_args(argv)
    try:
        resources = rendered_env(args.env)
        findings = run_checkov(terraform_plan(resources))
    except (RenderError, CheckovError) as exc:
        print(f"compliance: {exc}", file=sys.stderr)
        return 2
    for type_ in sorted(unconverted(resources)):
        print(
            f"compliance: {type_} has no Terraform type in tooling/compliance: Checkov does not see it"
        )
    lines = report(findings)
    print("\n".join(lines))
    failed = [f for f in findings if not f.passed]
    new = [f for f in failed if accepted(f.check, f.terraform_type) is None]
    print(
        f"compliance: {args.env}: {len(findings) - len(failed)} passed, {len(failed)} failed, {len(new)} not accepted"
    )
    return 1 if new else 0


if __name__ == "__main__":
    sys.exit(main())
