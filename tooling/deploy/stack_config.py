"""What the driver reads from a stack's ``Pulumi.<env>.yaml`` before it calls pulumi at all.

:func:`read_stack_file` checks that the file exists and is YAML, validates its ``config`` with the
stack's own pydantic model (the one the program loads, so a value the program would reject stops
the run before anything changes), checks the network reference, and reads the secrets provider's
lines (``encryptionsalt``, ``secretsprovider``) that the CLI writes when it creates a stack.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.environments import ENVIRONMENTS
from shared.stacks import REPO_ROOT, StackSpec
from tooling.deploy.errors import DeployError
from tooling.stack_config import ConfigFileError, read_settings_file

MODELS = {
    "network": ("network_stack.config", "NetworkConfig", "network"),
    "serving": ("serving_stack.config", "ServingConfig", "serving"),
}
"""Per stack: the module, class and namespace of its config model (what its program loads)."""
SECRET_PLACEHOLDER = "secret-value-not-decrypted-before-deploy"
PASSPHRASE_LINE = "encryptionsalt"
PROVIDER_LINE = "secretsprovider"


def relative(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


@dataclass(frozen=True)
class StackFile:
    spec: StackSpec
    env: str
    path: Path
    config: dict[str, Any]
    """The ``config`` block as written (``namespace:key`` -> YAML value)."""
    encryption_salt: str | None
    secrets_provider: str | None

    @property
    def name(self) -> str:
        return relative(self.path)

    @property
    def has_secrets_lines(self) -> bool:
        return bool(self.encryption_salt or self.secrets_provider)

    @property
    def provider_kind(self) -> str | None:
        """``passphrase``, ``awskms``…: what the committed lines say the stack encrypts with."""
        if self.secrets_provider:
            return self.secrets_provider.split("://")[0]
        return "passphrase" if self.encryption_salt else None


def require_config_file(spec: StackSpec, env: str) -> Path:
    """A stack is never created without its settings: a missing file is one line, before any call."""
    path = spec.config_file(env)
    if not path.is_file():
        raise DeployError(
            f"{relative(path)} does not exist: {spec.name} has no settings for {env} "
            f"(copy another env's file and adjust it)"
        )
    return path


def _load_yaml(path: Path) -> dict[str, Any]:
    """The file as the plan gate reads it (``tooling.stack_config``): every bad shape is one line
    with the file, line and column."""
    try:
        data = read_settings_file(path, shown=relative(path))
    except ConfigFileError as error:
        raise DeployError(error.message) from None
    return {**data, "config": data.get("config") or {}}


def read_stack_file(spec: StackSpec, env: str) -> StackFile:
    path = require_config_file(spec, env)
    data = _load_yaml(path)
    lines = {key: data.get(key) for key in (PASSPHRASE_LINE, PROVIDER_LINE)}
    for key, value in lines.items():
        if value is not None and not (isinstance(value, str) and value.strip()):
            raise DeployError(f"{relative(path)}: {key} = {value!r}: expected the CLI's text")
    return StackFile(
        spec=spec,
        env=env,
        path=path,
        config=dict(data.get("config") or {}),
        encryption_salt=lines[PASSPHRASE_LINE],
        secrets_provider=lines[PROVIDER_LINE],
    )


def config_text(value: Any) -> str:
    """A value as the engine hands it to a program: JSON for structures, text otherwise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict) and set(value) == {"secure"}:
        return SECRET_PLACEHOLDER  # decrypted only by the CLI; its shape is checked there
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def validate(stack_file: StackFile) -> None:
    """The stack's own model over its config: the one line the program would fail with."""
    from shared.config import ConfigError, load_config

    entry = MODELS.get(stack_file.spec.name)
    if entry is None:
        return
    module, model_name, namespace = entry
    model = getattr(importlib.import_module(module), model_name)
    values = {str(key): config_text(value) for key, value in stack_file.config.items()}
    try:
        load_config(model, namespace, config=values, stack=stack_file.env)
    except ConfigError as error:
        # The model names the file by its name alone; say which stack's it is.
        message = str(error)
        prefix = f"Pulumi.{stack_file.env}.yaml"
        raise DeployError(
            stack_file.name + message[len(prefix) :] if message.startswith(prefix) else message
        ) from None


def referenced_stack(stack_file: StackFile, reference: str) -> str:
    """The stack ``spec`` reads ``reference``'s outputs from, as ``pulumi stack output --stack`` takes it.

    ``<spec>:<reference>Stack`` (``serving:networkStack``, e.g. ``acme/network/prod`` on Pulumi
    Cloud) when set, else the stack named ``env`` of the referenced project, which is what the
    program's default ``organization/<reference>/<env>`` means on the file and S3 backends. A name
    whose last part is another env is a copy-paste slip: it names the key and the file's env.
    """
    spec, env = stack_file.spec, stack_file.env
    key = f"{spec.name}:{reference}Stack"
    value = stack_file.config.get(key)
    if value is None:
        return env
    if not isinstance(value, str) or not value.strip() or len(value.strip().split("/")) > 3:
        raise DeployError(
            f"{stack_file.name}: {key} = {value!r}: expected a stack name "
            f"such as organization/{reference}/{env}"
        )
    name = value.strip()
    last = name.split("/")[-1]
    if last != env and last in ENVIRONMENTS:
        raise DeployError(
            f"{stack_file.name}: {key} = {name!r} names the {last} {reference} stack, but the "
            f"file is {env}'s (Pulumi.{env}.yaml): a {env} deploy would read {last}'s network"
        )
    return name
