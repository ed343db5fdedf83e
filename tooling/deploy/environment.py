"""Where state and secrets go, and which credentials a run needs: the embedded defaults.

- State: a local file backend under the repository (``.pulumi-state/``, git-ignored) unless
  ``PULUMI_BACKEND_URL`` names another backend (``s3://bucket/prefix``, ``https://api.pulumi.com``,
  ``gs://``, ``azblob://``, ``file://``).
- Secrets: a passphrase (``PULUMI_CONFIG_PASSPHRASE`` or ``PULUMI_CONFIG_PASSPHRASE_FILE``) unless
  ``SECRETS_PROVIDER`` (or ``SECRETS_PROVIDER_<STACK>``, e.g. ``SECRETS_PROVIDER_SERVING``) names
  one such as ``awskms://alias/pulumi-prod?region=eu-west-1``; Pulumi Cloud uses its own.
- ``ENV=local`` targets LocalStack on localhost:4566 (``Pulumi.local.yaml`` holds the endpoints),
  with LocalStack's dummy credentials and a fixed, non-secret passphrase.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from shared.stacks import REPO_ROOT
from tooling.deploy.errors import DeployError

LOCAL_ENV = "local"
STATE_DIR = REPO_ROOT / ".pulumi-state"
BACKEND_SCHEMES = ("file://", "s3://", "https://", "gs://", "azblob://")
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
    """Per stack: the ``--secrets-provider`` for ``stack init`` (None: passphrase or the service's)."""
    variables: dict[str, str]
    """Environment of every ``pulumi`` child process."""
    ci: bool
    assume_yes: bool
    confirm: str

    @property
    def file_backend(self) -> bool:
        return self.backend_url.startswith("file://")


def truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "y")


def resolve(
    env: str, stacks: list[str], environ: Mapping[str, str] | None = None
) -> RunEnvironment:
    source = dict(os.environ if environ is None else environ)
    variables = dict(source)
    if env == LOCAL_ENV:
        for key, value in LOCALSTACK.items():
            variables.setdefault(key, value)
    backend = source.get("PULUMI_BACKEND_URL") or f"file://{STATE_DIR}"
    if not backend.startswith(BACKEND_SCHEMES):
        raise DeployError(
            f"PULUMI_BACKEND_URL={backend!r} is not a backend URL (expected one of: {', '.join(BACKEND_SCHEMES)})"
        )
    if backend.startswith("file://"):
        Path(backend.removeprefix("file://")).mkdir(parents=True, exist_ok=True)
    variables["PULUMI_BACKEND_URL"] = backend
    variables.setdefault("PULUMI_SKIP_UPDATE_CHECK", "true")
    providers = {
        stack: source.get(f"SECRETS_PROVIDER_{stack.upper()}")
        or source.get("SECRETS_PROVIDER")
        or None
        for stack in stacks
    }
    service_managed = backend.startswith("https://")
    needs_passphrase = (
        any(p in (None, "passphrase") for p in providers.values()) and not service_managed
    )
    if needs_passphrase and not (
        variables.get("PULUMI_CONFIG_PASSPHRASE") is not None
        or variables.get("PULUMI_CONFIG_PASSPHRASE_FILE")
    ):
        raise DeployError(
            "PULUMI_CONFIG_PASSPHRASE is not set: the stacks encrypt secrets with a passphrase; export it "
            "(or PULUMI_CONFIG_PASSPHRASE_FILE), or set SECRETS_PROVIDER=awskms://<key>"
        )
    return RunEnvironment(
        backend_url=backend,
        secrets_providers=providers,
        variables=variables,
        ci=truthy(source.get("CI")),
        assume_yes=truthy(source.get("YES")),
        confirm=source.get("CONFIRM", ""),
    )
