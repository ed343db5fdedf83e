"""Secrets providers that survive a fresh checkout.

Creating a stack makes the CLI write ``encryptionsalt`` (passphrase) or ``secretsprovider`` +
``encryptedkey`` (a KMS key) into ``Pulumi.<env>.yaml``. A checkout without those lines (a CI
runner, a colleague) silently falls back to a new passphrase-based key: the stack's secrets then
cannot be read, or new ones are encrypted with another key. So:

- before any change, a stack whose state exists but whose file lacks the lines is refused (unless
  ``PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER=true`` makes the CLI use the provider in the state);
- a provider named in the environment that contradicts the committed one is refused, naming both;
- right after the driver creates a stack, it says which lines the CLI wrote and that they must be
  committed (the salt and the encrypted key are not secrets: they only work with the passphrase or
  the KMS key).
"""

from __future__ import annotations

from tooling.deploy.backend import PASSPHRASE, is_service_backend
from tooling.deploy.environment import RunEnvironment, truthy
from tooling.deploy.errors import DeployError
from tooling.deploy.stack_config import PASSPHRASE_LINE, PROVIDER_LINE, StackFile, read_stack_file
from tooling.pulumi_cli import redact_url

FALLBACK = "PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER"


def _service_managed(stack_file: StackFile, run_env: RunEnvironment) -> bool:
    """Pulumi Cloud keeps the key itself unless the stack was made with a provider of its own."""
    provider = run_env.secrets_providers.get(stack_file.spec.name)
    return is_service_backend(run_env.backend_url) and provider is None


def check_provider_agrees(stack_file: StackFile, run_env: RunEnvironment) -> None:
    """The environment may name a provider only if it is the one the file records: name both."""
    wanted = run_env.secrets_providers.get(stack_file.spec.name)
    variable = run_env.provider_variables.get(stack_file.spec.name, "SECRETS_PROVIDER")
    if wanted is None or not stack_file.has_secrets_lines:
        return
    change = "a stack keeps its provider: unset the variable, or change the stack's with `pulumi stack change-secrets-provider`"
    if stack_file.secrets_provider and wanted != stack_file.secrets_provider:
        raise DeployError(
            f"{stack_file.name}: {PROVIDER_LINE} = {redact_url(stack_file.secrets_provider)!r} but "
            f"{variable} = {redact_url(wanted)!r}: {change}"
        )
    if not stack_file.secrets_provider and wanted != PASSPHRASE:
        raise DeployError(
            f"{stack_file.name}: {PASSPHRASE_LINE} is set (a passphrase stack) but {variable} = "
            f"{redact_url(wanted)!r}: {change}"
        )


def check_existing(stack_file: StackFile, run_env: RunEnvironment, *, exists: bool) -> None:
    """Before any change: a stack that exists must have its provider's lines in the checkout."""
    check_provider_agrees(stack_file, run_env)
    if not exists or stack_file.has_secrets_lines or _service_managed(stack_file, run_env):
        return
    if truthy(run_env.variables.get(FALLBACK)):
        return
    spec, env = stack_file.spec, stack_file.env
    raise DeployError(
        f"{stack_file.name} has no {PASSPHRASE_LINE} or {PROVIDER_LINE} line, but the stack "
        f"{spec.name}/{env} exists in {redact_url(run_env.backend_url)}: the CLI would fall back to a new "
        f"key and could not read its secrets; restore the lines it wrote at creation (git history, "
        f"or `pulumi config refresh --force --stack {env}` in a scratch copy of stacks/{spec.name}) "
        f"and commit them, or set {FALLBACK}=true to use the provider in the state"
    )


def after_create(stack_file: StackFile, run_env: RunEnvironment) -> str | None:
    """The line to print once the CLI has created the stack: what it wrote, and to commit it."""
    if _service_managed(stack_file, run_env):
        return None
    written = read_stack_file(stack_file.spec, stack_file.env)
    if not written.has_secrets_lines:
        raise DeployError(
            f"{written.name}: the CLI created {stack_file.spec.name}/{stack_file.env} but wrote no "
            f"{PASSPHRASE_LINE} or {PROVIDER_LINE} line: stopping before anything is encrypted with "
            "a key this checkout cannot keep"
        )
    lines = PASSPHRASE_LINE if written.encryption_salt else f"{PROVIDER_LINE} and encryptedkey"
    return (
        f"{written.name}: the CLI wrote the new stack's {lines}: commit it "
        f"(git add {written.name}); a checkout without it cannot read the stack's secrets"
    )
