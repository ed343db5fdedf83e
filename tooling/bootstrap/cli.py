"""``python -m tooling.bootstrap [--update]``, what ``make bootstrap`` runs (``UPDATE=1``: --update).

Reads ``stacks/bootstrap/Pulumi.bootstrap.yaml`` (the bucket's name and region, hence the backend
URL), brings the stack up and into its bucket (``state.py``), then prints the settings to paste
into GitHub and writes ``.deploy.env`` (``settings.py``). Needs the ``pulumi`` CLI, AWS
credentials of an administrator of the account, and ``PULUMI_CONFIG_PASSPHRASE`` (the bootstrap
stack's own secrets: keep it in the team's password manager, not in GitHub).

Exit codes: 0 done (or nothing to change), 2 a missing prerequisite or a bad config (one line),
3 the stack in the bucket has changes to apply (``make bootstrap UPDATE=1``), 130 interrupted,
else the failing ``pulumi`` command's own code.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bootstrap_stack.config import STACK_NAME, BootstrapConfig, load_bootstrap_config
from shared.config import ConfigError
from shared.stacks import REPO_ROOT
from tooling.bootstrap import settings
from tooling.bootstrap.state import SPEC, Backends, bring_up
from tooling.deploy.backend import DEFAULT_BACKEND, STATE_DIR
from tooling.deploy.commands import POLICY_PACK
from tooling.deploy.credentials import NO_CREDENTIALS, has_aws_credentials
from tooling.deploy.environment import truthy
from tooling.deploy.errors import INTERRUPTED, DeployError
from tooling.deploy.stack_state import stack_outputs
from tooling.mock_runtime import load_stack_config
from tooling.pulumi_cli import Interrupted, PulumiCli, PulumiCliError

POLICY_CONFIG = POLICY_PACK / "config" / "bootstrap.json"
DEPLOY_ENV = REPO_ROOT / ".deploy.env"


def read_config() -> tuple[BootstrapConfig, str]:
    """The bootstrap config and its region, or one line naming the file, key and value."""
    path = SPEC.config_file(STACK_NAME)
    if not path.is_file():
        raise DeployError(
            f"{path.relative_to(REPO_ROOT)} does not exist: the bootstrap stack has no settings"
        )
    values = load_stack_config(SPEC.name, STACK_NAME)
    region = values.get("aws:region", "").strip()
    if not region:
        raise DeployError(f"{path.name}: aws:region = <missing>: name the account's region")
    try:
        return load_bootstrap_config(values, STACK_NAME), region
    except ConfigError as error:
        raise DeployError(str(error)) from None


def backends(remote_url: str) -> Backends:
    environ = {**os.environ, "PULUMI_SKIP_UPDATE_CHECK": "true"}
    if "PULUMI_CONFIG_PASSPHRASE" not in environ and not environ.get(
        "PULUMI_CONFIG_PASSPHRASE_FILE"
    ):
        raise DeployError(
            "PULUMI_CONFIG_PASSPHRASE is not set: the bootstrap stack's own secrets use a passphrase "
            "(keep it in the team's password manager)"
        )
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    local = PulumiCli.find({**environ, "PULUMI_BACKEND_URL": DEFAULT_BACKEND}, tool="bootstrap")
    remote = PulumiCli.find({**environ, "PULUMI_BACKEND_URL": remote_url}, tool="bootstrap")
    interactive = sys.stdin.isatty() and not truthy(environ.get("CI"))
    policy = ("--policy-pack", str(POLICY_PACK), "--policy-pack-config", str(POLICY_CONFIG))
    return Backends(local, remote, remote_url, policy, interactive)


def run(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make bootstrap", description=__doc__)
    parser.add_argument(
        "--update", action="store_true", help="apply changes to the stack in the bucket"
    )
    args = parser.parse_args(argv)
    config, region = read_config()
    url = config.backend_url(region)
    found = backends(url)
    if not has_aws_credentials():
        raise DeployError(NO_CREDENTIALS)
    print(
        f"bootstrap: account {config.account_id}, state {url} (created in {DEFAULT_BACKEND} first)",
        flush=True,
    )
    bring_up(found, update=args.update)
    outputs = stack_outputs(found.remote, SPEC, STACK_NAME) or {}
    lines = settings.settings_lines(outputs)
    target = Path(os.environ.get("DEPLOY_ENV_FILE") or DEPLOY_ENV)
    settings.write_deploy_env(target, outputs)
    print("bootstrap: done. Set these in GitHub:", *lines, sep="\n")
    print(f"bootstrap: wrote {target.name} (make deploy, preview, verify and outputs read it)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(argv)
    except DeployError as error:
        print(f"bootstrap: {error.message}", file=sys.stderr)
        return error.code
    except PulumiCliError as error:
        print(f"bootstrap: {error}", file=sys.stderr)
        return error.code
    except Interrupted as stopped:
        print(f"bootstrap: {stopped}; re-run make bootstrap to resume", file=sys.stderr)
        return stopped.code
    except KeyboardInterrupt:
        print("bootstrap: interrupted", file=sys.stderr)
        return INTERRUPTED
