"""What ``make bootstrap`` prints for the repository's settings, and the file ``make`` reads.

``.deploy.env`` (git-ignored, at the repository root) is a Makefile fragment: ``make deploy``,
``preview``, ``refresh``, ``destroy``, ``outputs`` and ``verify`` include it, so a clone that ran
``make bootstrap`` uses the state bucket and each env's KMS key without exporting anything. Every
line is ``?=``: a variable set in the environment or on the command line wins. Nothing in it is
secret (a bucket URL, key aliases, role ARNs).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tooling.deploy.errors import DeployError

REQUIRED = ("account_id", "backend_url", "preview_role", "deploy_roles", "secrets_providers")


def _require(outputs: dict[str, Any]) -> None:
    missing = [key for key in REQUIRED if key not in outputs]
    if missing:
        raise DeployError(
            f"the bootstrap stack has no outputs {', '.join(missing)}: run make bootstrap UPDATE=1"
        )


def settings_lines(outputs: dict[str, Any]) -> list[str]:
    """The lines to paste into GitHub (repository variables, then each environment's)."""
    _require(outputs)
    roles: dict[str, str] = outputs["deploy_roles"]
    providers: dict[str, str] = outputs["secrets_providers"]
    lines = [
        f"Repository variables (Settings > Secrets and variables > Actions > Variables), account {outputs['account_id']}:",
        f"  PULUMI_BACKEND_URL={outputs['backend_url']}",
        *(f"  AWS_PREVIEW_ROLE_{env}={outputs['preview_role']}" for env in roles),
    ]
    for env, role in roles.items():
        lines += [
            f"Environment {env} (Settings > Environments > {env} > Environment variables):",
            f"  AWS_DEPLOY_ROLE={role}",
            f"  SECRETS_PROVIDER={providers[env]}",
        ]
    lines += [
        "Secrets: none. Stacks created with SECRETS_PROVIDER use their env's KMS key, not "
        "PULUMI_CONFIG_PASSPHRASE (keep the bootstrap stack's passphrase out of GitHub).",
    ]
    return lines


def deploy_env_text(outputs: dict[str, Any]) -> str:
    _require(outputs)
    lines = [
        f"# Written by `make bootstrap` from the bootstrap stack of account {outputs['account_id']}.",
        "# Not secret. make deploy/preview/refresh/destroy/outputs/verify read it; a variable set in",
        "# the environment or on the command line wins. Re-run make bootstrap to rewrite it.",
        f"PULUMI_BACKEND_URL ?= {outputs['backend_url']}",
        *(
            f"SECRETS_PROVIDER_{env} ?= {provider}"
            for env, provider in outputs["secrets_providers"].items()
        ),
    ]
    return "\n".join(lines) + "\n"


def write_deploy_env(path: Path, outputs: dict[str, Any]) -> None:
    path.write_text(deploy_env_text(outputs))
