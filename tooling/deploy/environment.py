"""What one run works with: the backend, the secrets providers, the child environment, the flags.

``ENV=local`` targets LocalStack on localhost:4566: the stacks' ``Pulumi.local.yaml`` point the AWS
provider's endpoints at it; here it gets LocalStack's dummy credentials and a fixed, non-secret
passphrase (each only if not already set).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from shared.stacks import STACKS
from tooling.deploy.backend import (
    DEFAULT_BACKEND,
    PASSPHRASE,
    is_service_backend,
    provider_variable,
    require_passphrase,
    secrets_providers,
    state_backend,
)
from tooling.deploy.errors import DeployError
from tooling.pulumi_cli import redact_url

LOCAL_ENV = "local"
LOCALSTACK = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_REGION": "eu-west-1",
    "PULUMI_CONFIG_PASSPHRASE": "localstack-not-a-secret",
}


@dataclass(frozen=True)
class RunEnvironment:
    backend_url: str
    secrets_providers: dict[str, str | None]
    """Per stack: the ``--secrets-provider`` for a new stack (None: passphrase or the service's)."""
    provider_variables: dict[str, str]
    """Per stack: the variable its provider comes from (``SECRETS_PROVIDER_SERVING``), for messages."""
    variables: dict[str, str]
    """Environment of every ``pulumi`` child process."""
    ci: bool
    """``CI=true``: every command runs ``--non-interactive``; prod deploys need no confirmation."""
    assume_yes: bool
    """``YES=1``: prod deploys need no confirmation."""
    confirm: str
    """``CONFIRM``: must be ``prod`` to destroy prod."""

    @property
    def default_backend(self) -> bool:
        return self.backend_url == DEFAULT_BACKEND

    def describe(self) -> str:
        """``state <url>, secrets <kinds>``: the line a run starts with."""
        default = "service" if is_service_backend(self.backend_url) else PASSPHRASE
        kinds = {p.split("://")[0] if p else default for p in self.secrets_providers.values()}
        return f"state {redact_url(self.backend_url)}, secrets {'/'.join(sorted(kinds))}"


def truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "y")


def committed_provider_kind(stack: str, env: str) -> str | None:
    """What ``stacks/<stack>/Pulumi.<env>.yaml`` says the stack encrypts with, if it says so.

    Lenient: a missing or broken file is reported later, by the full read, with its own line.
    """
    import yaml

    spec = STACKS.get(stack)
    try:
        data = yaml.safe_load(spec.config_file(env).read_text()) if spec else None
    except (OSError, yaml.YAMLError):
        return None
    if not isinstance(data, dict):
        return None
    provider = data.get("secretsprovider")
    if isinstance(provider, str) and provider.strip():
        return provider.split("://")[0]
    return PASSPHRASE if data.get("encryptionsalt") else None


def resolve(
    env: str, stacks: list[str], environ: Mapping[str, str] | None = None
) -> RunEnvironment:
    """The run's settings from the environment (``os.environ`` unless given); errors are one line."""
    source = dict(os.environ if environ is None else environ)
    variables = dict(source)
    if env == LOCAL_ENV:
        for key, value in LOCALSTACK.items():
            variables.setdefault(key, value)
    backend = state_backend(source)
    ci = truthy(source.get("CI"))
    if ci and backend == DEFAULT_BACKEND and env != LOCAL_ENV:
        raise DeployError(
            "CI=true but PULUMI_BACKEND_URL is not set: state in the runner's .pulumi-state/ would be "
            "lost after the job; set it to the team's backend (s3://… or https://api.pulumi.com)"
        )
    if backend.startswith("file://"):
        Path(backend.removeprefix("file://")).expanduser().mkdir(parents=True, exist_ok=True)
    variables["PULUMI_BACKEND_URL"] = backend
    variables.setdefault("PULUMI_SKIP_UPDATE_CHECK", "true")
    providers = secrets_providers(source, stacks)
    committed = {stack: committed_provider_kind(stack, env) for stack in stacks}
    require_passphrase(variables, providers, backend, committed)
    return RunEnvironment(
        backend_url=backend,
        secrets_providers=providers,
        provider_variables={stack: provider_variable(source, stack) for stack in stacks},
        variables=variables,
        ci=ci,
        assume_yes=truthy(source.get("YES")),
        confirm=source.get("CONFIRM", ""),
    )
