"""Where state and secrets go: the embedded defaults, so only the CLI and AWS credentials are needed.

- State: a local file backend under the repository (``.pulumi-state/``, git-ignored) unless
  ``PULUMI_BACKEND_URL`` names another one: ``s3://bucket/prefix?region=eu-west-1`` or Pulumi Cloud
  (``https://api.pulumi.com``); ``gs://``, ``azblob://``, ``postgres://`` and other ``file://``
  paths work too. A URL is never printed with its credentials (``https://***@…``,
  ``?access_key=***``).
- Secrets: a passphrase (``PULUMI_CONFIG_PASSPHRASE`` or ``PULUMI_CONFIG_PASSPHRASE_FILE``) unless
  ``SECRETS_PROVIDER_<STACK>`` (e.g. ``SECRETS_PROVIDER_SERVING``) or ``SECRETS_PROVIDER`` names a
  KMS key such as ``awskms://alias/pulumi-prod?region=eu-west-1``. The provider is fixed when a
  stack is created; Pulumi Cloud stacks use the service's own unless one is named. An empty
  passphrase, or both passphrase variables at once (the CLI silently prefers the first), is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from shared.stacks import REPO_ROOT
from tooling.deploy.errors import DeployError
from tooling.pulumi_cli import redact_url

STATE_DIR = REPO_ROOT / ".pulumi-state"
DEFAULT_BACKEND = f"file://{STATE_DIR}"
BACKEND_SCHEMES = ("file://", "s3://", "https://", "gs://", "azblob://", "postgres://")
SECRETS_SCHEMES = ("awskms://", "gcpkms://", "azurekeyvault://", "hashivault://")
PASSPHRASE = "passphrase"


def state_backend(environ: Mapping[str, str]) -> str:
    """``PULUMI_BACKEND_URL`` if set (and a backend URL), else the repository's file backend."""
    backend = environ.get("PULUMI_BACKEND_URL", "").strip() or DEFAULT_BACKEND
    if not backend.startswith(BACKEND_SCHEMES):
        raise DeployError(
            f"PULUMI_BACKEND_URL={redact_url(backend)!r} is not a backend URL "
            f"(expected one of: {', '.join(BACKEND_SCHEMES)})"
        )
    return backend


def is_service_backend(backend: str) -> bool:
    """Pulumi Cloud (or a self-hosted service) manages secrets itself."""
    return backend.startswith("https://")


def provider_variable(environ: Mapping[str, str], stack: str) -> str:
    """The variable that names ``stack``'s secrets provider: its own, else ``SECRETS_PROVIDER``."""
    variable = f"SECRETS_PROVIDER_{stack.upper()}"
    return variable if environ.get(variable, "").strip() else "SECRETS_PROVIDER"


def secrets_providers(environ: Mapping[str, str], stacks: list[str]) -> dict[str, str | None]:
    """Per stack: the ``--secrets-provider`` for a new stack; None means the backend's default."""
    providers: dict[str, str | None] = {}
    for stack in stacks:
        variable = provider_variable(environ, stack)
        value = environ.get(variable, "").strip() or None
        if value is not None and value != PASSPHRASE and not value.startswith(SECRETS_SCHEMES):
            raise DeployError(
                f"{variable}={redact_url(value)!r} is not a secrets provider "
                f"(expected {PASSPHRASE} or a URL starting with one of: {', '.join(SECRETS_SCHEMES)})"
            )
        providers[stack] = value
    return providers


def require_passphrase(
    environ: Mapping[str, str],
    providers: Mapping[str, str | None],
    backend: str,
    committed: Mapping[str, str | None] | None = None,
) -> None:
    """A stack encrypted with a passphrase needs a usable one in the environment: one line if not.

    ``committed`` is, per stack, the provider kind its ``Pulumi.<env>.yaml`` records (``awskms``,
    ``passphrase``, or None when the file has no such line): that wins over the environment.
    """
    committed = committed or {}
    uses_passphrase = [
        stack
        for stack, provider in providers.items()
        if committed.get(stack) == PASSPHRASE
        or (
            committed.get(stack) is None
            and (provider == PASSPHRASE or (provider is None and not is_service_backend(backend)))
        )
    ]
    if uses_passphrase:
        check_passphrase(environ)


def check_passphrase(environ: Mapping[str, str]) -> None:
    """Set, not empty, and from one place: the CLI takes ``PULUMI_CONFIG_PASSPHRASE`` whenever it is
    set (even empty) and then ignores ``PULUMI_CONFIG_PASSPHRASE_FILE``."""
    phrase = environ.get("PULUMI_CONFIG_PASSPHRASE")
    phrase_file = environ.get("PULUMI_CONFIG_PASSPHRASE_FILE", "").strip()
    if phrase is not None and phrase_file:
        state = "empty" if phrase == "" else "set"
        raise DeployError(
            f"PULUMI_CONFIG_PASSPHRASE is {state} and PULUMI_CONFIG_PASSPHRASE_FILE={phrase_file!r} "
            "too: the CLI would use the variable and ignore the file; unset one of them"
        )
    if phrase == "":
        raise DeployError(
            "PULUMI_CONFIG_PASSPHRASE is set but empty: the CLI would encrypt the stacks' secrets "
            "with an empty passphrase; set the team's passphrase (or PULUMI_CONFIG_PASSPHRASE_FILE)"
        )
    if phrase is not None:
        return
    if not phrase_file:
        raise DeployError(
            "PULUMI_CONFIG_PASSPHRASE is not set: the stacks encrypt secrets with a passphrase; export it "
            "(or PULUMI_CONFIG_PASSPHRASE_FILE), or set SECRETS_PROVIDER=awskms://<key>"
        )
    try:
        content = Path(phrase_file).expanduser().read_text()
    except OSError as error:
        raise DeployError(
            f"PULUMI_CONFIG_PASSPHRASE_FILE={phrase_file!r}: cannot read it ({error.strerror})"
        ) from None
    if not content.strip():
        raise DeployError(f"PULUMI_CONFIG_PASSPHRASE_FILE={phrase_file!r}: the file is empty")
