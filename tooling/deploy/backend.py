"""Where state and secrets go: the embedded defaults, so only the CLI and AWS credentials are needed.

- State: a local file backend under the repository (``.pulumi-state/``, git-ignored) unless
  ``PULUMI_BACKEND_URL`` names another one: ``s3://bucket/prefix?region=eu-west-1`` or Pulumi Cloud
  (``https://api.pulumi.com``); ``gs://``, ``azblob://`` and other ``file://`` paths work too.
- Secrets: a passphrase (``PULUMI_CONFIG_PASSPHRASE`` or ``PULUMI_CONFIG_PASSPHRASE_FILE``) unless
  ``SECRETS_PROVIDER_<STACK>`` (e.g. ``SECRETS_PROVIDER_SERVING``) or ``SECRETS_PROVIDER`` names a
  KMS key such as ``awskms://alias/pulumi-prod?region=eu-west-1``. The provider is fixed when a
  stack is created; Pulumi Cloud stacks use the service's own unless one is named.
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.stacks import REPO_ROOT
from tooling.deploy.errors import DeployError

STATE_DIR = REPO_ROOT / ".pulumi-state"
DEFAULT_BACKEND = f"file://{STATE_DIR}"
BACKEND_SCHEMES = ("file://", "s3://", "https://", "gs://", "azblob://")
SECRETS_SCHEMES = ("awskms://", "gcpkms://", "azurekeyvault://", "hashivault://")
PASSPHRASE = "passphrase"


def state_backend(environ: Mapping[str, str]) -> str:
    """``PULUMI_BACKEND_URL`` if set (and a backend URL), else the repository's file backend."""
    backend = environ.get("PULUMI_BACKEND_URL", "").strip() or DEFAULT_BACKEND
    if not backend.startswith(BACKEND_SCHEMES):
        raise DeployError(
            f"PULUMI_BACKEND_URL={backend!r} is not a backend URL "
            f"(expected one of: {', '.join(BACKEND_SCHEMES)})"
        )
    return backend


def is_service_backend(backend: str) -> bool:
    """Pulumi Cloud (or a self-hosted service) manages secrets itself."""
    return backend.startswith("https://")


def secrets_providers(environ: Mapping[str, str], stacks: list[str]) -> dict[str, str | None]:
    """Per stack: the ``--secrets-provider`` for a new stack; None means the backend's default."""
    providers: dict[str, str | None] = {}
    for stack in stacks:
        variable = f"SECRETS_PROVIDER_{stack.upper()}"
        if not environ.get(variable):
            variable = "SECRETS_PROVIDER"
        value = environ.get(variable, "").strip() or None
        if value is not None and value != PASSPHRASE and not value.startswith(SECRETS_SCHEMES):
            raise DeployError(
                f"{variable}={value!r} is not a secrets provider "
                f"(expected {PASSPHRASE} or a URL starting with one of: {', '.join(SECRETS_SCHEMES)})"
            )
        providers[stack] = value
    return providers


def require_passphrase(
    environ: Mapping[str, str], providers: Mapping[str, str | None], backend: str
) -> None:
    """A stack encrypted with a passphrase needs it in the environment: say so in one line."""
    uses_passphrase = [
        stack
        for stack, provider in providers.items()
        if provider == PASSPHRASE or (provider is None and not is_service_backend(backend))
    ]
    if not uses_passphrase:
        return
    if "PULUMI_CONFIG_PASSPHRASE" in environ or environ.get("PULUMI_CONFIG_PASSPHRASE_FILE"):
        return
    raise DeployError(
        "PULUMI_CONFIG_PASSPHRASE is not set: the stacks encrypt secrets with a passphrase; export it "
        "(or PULUMI_CONFIG_PASSPHRASE_FILE), or set SECRETS_PROVIDER=awskms://<key>"
    )
