"""Run a stack's real ``__main__.py`` with its real ``Pulumi.<env>.yaml`` under the mock runtime.

Each call gets a fresh runtime (event loop, settings, root stack, config), so many stacks and envs
render in one process. The result records every registration the engine would have received:
type, logical name, inputs (camelCase wire names, as the engine and the policy pack see them),
parent, dependencies, property dependencies and options, plus the stack's outputs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import runpy
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc, settings
from pulumi.runtime.config import set_all_config

from shared.errors import first_line
from shared.stacks import spec_of
from tooling.mock_runtime.account import FakeAwsAccount
from tooling.mock_runtime.aliases import ROOT_STACK_TYPE, AliasSpec
from tooling.mock_runtime.mocks import STACK_REFERENCE, AwsMocks
from tooling.stack_config import ConfigFileError, read_settings_file, shown_path

ORGANIZATION = "organization"


@dataclass
class RegisteredResource:
    """One registration as the engine receives it."""

    type: str
    name: str
    urn: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    parent: str
    custom: bool
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    protect: bool = False
    retain_on_delete: bool = False
    delete_before_replace: bool = False
    ignore_changes: list[str] = field(default_factory=list)
    replace_on_changes: list[str] = field(default_factory=list)
    provider: str = ""
    read: bool = False
    aliases: list[AliasSpec] = field(default_factory=list)
    """The ``aliases`` option: old identities the engine would match this resource to."""

    def depends_on(self, other: RegisteredResource) -> bool:
        """True if ``other`` is a dependency of this resource (directly or through a property)."""
        if other.urn in self.dependencies:
            return True
        return any(other.urn in urns for urns in self.property_dependencies.values())


class RenderError(Exception):
    """The program failed (a ``pulumi.RunError`` or any other exception)."""

    def __init__(self, message: str, rendered: Rendered) -> None:
        super().__init__(message)
        self.message = message
        self.rendered = rendered


@dataclass
class Rendered:
    stack: str
    env: str
    project: str
    config: dict[str, str]
    resources: list[RegisteredResource]
    outputs: dict[str, Any]
    invokes: list[tuple[str, dict[str, Any]]]
    error: BaseException | None = None

    # ---- queries -----------------------------------------------------------------------------
    def of_type(self, type_: str) -> list[RegisteredResource]:
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str, name: str | None = None) -> RegisteredResource:
        found = [r for r in self.of_type(type_) if name is None or r.name == name]
        if len(found) != 1:
            names = [r.name for r in self.of_type(type_)]
            raise AssertionError(
                f"expected one {type_}{f' named {name}' if name else ''}, found {names}"
            )
        return found[0]

    def named(self, name: str) -> RegisteredResource:
        found = [r for r in self.resources if r.name == name]
        if len(found) != 1:
            raise AssertionError(f"expected one resource named {name!r}, found {len(found)}")
        return found[0]

    def by_urn(self, urn: str) -> RegisteredResource:
        return next(r for r in self.resources if r.urn == urn)

    @property
    def created(self) -> list[RegisteredResource]:
        """Resources the engine would manage (not reads such as StackReferences, not the stack)."""
        return [r for r in self.resources if not r.read]

    def invokes_of(self, token: str) -> list[dict[str, Any]]:
        return [args for tok, args in self.invokes if tok == token]


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A MockMonitor that also records the raw registration requests."""

    def __init__(self, mocks: AwsMocks) -> None:
        super().__init__(mocks)
        self.records: list[RegisteredResource] = []

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """The URN the engine gives: the parent's whole type chain (the root stack's left out).

        Pulumi's ``MockMonitor`` keeps only the parent's last type, which would hide a moved
        resource's new URN from the snapshot and alias checks.
        """
        if parent and not parent.split("::")[2].endswith(ROOT_STACK_TYPE):
            type_ = f"{parent.split('::')[2]}${type_}"
        return f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::{type_}::{name}"

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        state = self.resources[response.urn].state
        self.records.append(
            RegisteredResource(
                type=request.type,
                name=request.name,
                urn=response.urn,
                id=response.id,
                inputs=_deserialize(request.object),
                outputs=dict(state),
                parent=request.parent,
                custom=request.custom,
                dependencies=list(request.dependencies),
                property_dependencies={
                    k: list(v.urns) for k, v in request.propertyDependencies.items()
                },
                protect=bool(request.protect),
                retain_on_delete=bool(request.retainOnDelete),
                delete_before_replace=bool(request.deleteBeforeReplace),
                ignore_changes=list(request.ignoreChanges),
                replace_on_changes=list(request.replaceOnChanges),
                provider=request.provider,
                aliases=_aliases(request),
            )
        )
        return response

    def ReadResource(self, request: Any) -> Any:
        response = super().ReadResource(request)
        state = self.resources[response.urn].state
        self.records.append(
            RegisteredResource(
                type=request.type,
                name=request.name,
                urn=response.urn,
                id=request.id,
                inputs=_deserialize(request.properties),
                outputs=dict(state),
                parent=request.parent,
                custom=True,
                dependencies=list(request.dependencies),
                read=True,
            )
        )
        return response

    def SupportsFeature(self, request: Any) -> Any:
        return super().SupportsFeature(request)


def _aliases(request: Any) -> list[AliasSpec]:
    specs = [AliasSpec(urn=u) for u in request.aliasURNs]
    for alias in request.aliases:
        if alias.HasField("spec"):
            s = alias.spec
            specs.append(
                AliasSpec(
                    name=s.name,
                    type=s.type,
                    parent_urn=s.parentUrn,
                    no_parent=s.noParent,
                    stack=s.stack,
                    project=s.project,
                )
            )
        else:
            specs.append(AliasSpec(urn=alias.urn))
    return specs


def _deserialize(struct: Any) -> dict[str, Any]:
    pulumi_mocks._ensure_event_loop()  # type: ignore[attr-defined]
    return dict(rpc.deserialize_properties(struct))


# ---- config --------------------------------------------------------------------------------------
def config_text(value: Any) -> str:
    """A config value as the engine hands it to a program: JSON for structures, text otherwise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        if isinstance(value, dict) and set(value) == {"secure"}:
            return "secret-value-not-decrypted-offline"
        return json.dumps(value, default=str)  # dates and the like as YAML wrote them
    return str(value)


def load_stack_config(
    stack: str, env: str, *, path: Path | None = None, directory: Path | None = None
) -> dict[str, str]:
    """The config a program would get: project defaults from ``Pulumi.yaml`` + ``Pulumi.<env>.yaml``.

    Keys are fully qualified (``namespace:key``); values are strings (JSON for structures).
    ``path`` reads another file instead of ``Pulumi.<env>.yaml`` (it must exist); ``directory``
    is the stack's folder (default: this checkout's; another revision's for a plan diff). A file
    that is not valid is :class:`~tooling.stack_config.ConfigFileError`, one line naming it.
    """
    folder = directory or spec_of(stack).directory
    project_file = folder / "Pulumi.yaml"
    project = read_settings_file(project_file)
    name = project.get("name")
    if not isinstance(name, str) or not name:
        raise ConfigFileError(f"{shown_path(project_file)}: no project name (name: <project>)")
    result: dict[str, str] = {}
    for key, decl in (project.get("config") or {}).items():
        full = key if ":" in key else f"{name}:{key}"
        default = decl.get("default") if isinstance(decl, dict) and "default" in decl else decl
        if default is not None and not (isinstance(decl, dict) and "default" not in decl):
            result[full] = config_text(default)
    env_file = path or folder / f"Pulumi.{env}.yaml"
    if path is not None or env_file.exists():
        data = read_settings_file(env_file)
        for key, value in (data.get("config") or {}).items():
            full = key if ":" in key else f"{name}:{key}"
            result[full] = config_text(value)
    return result


# ---- render --------------------------------------------------------------------------------------
@contextlib.contextmanager
def _chdir(path: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


KNOWN_AFTER_DEPLOY = "(known after deploy)"
"""How a stack output that a preview cannot know is shown."""


def _resolve(loop: asyncio.AbstractEventLoop, value: Any) -> Any:
    if isinstance(value, pulumi.Output):
        if not loop.run_until_complete(value.is_known()):
            return KNOWN_AFTER_DEPLOY
        return _resolve(loop, loop.run_until_complete(value.future()))
    if isinstance(value, dict):
        return {k: _resolve(loop, v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_resolve(loop, v) for v in value]
    return value


def _config_values(
    stack: str,
    env: str,
    *,
    config: Mapping[str, str] | None,
    overrides: Mapping[str, Any] | None,
    remove: tuple[str, ...],
    directory: Path | None,
) -> dict[str, str]:
    values = (
        dict(config) if config is not None else load_stack_config(stack, env, directory=directory)
    )
    for key, value in (overrides or {}).items():
        values[key] = config_text(value)
    for key in remove:
        values.pop(key, None)
    return values


def render(
    stack: str,
    env: str,
    *,
    config: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    remove: tuple[str, ...] = (),
    account: FakeAwsAccount | None = None,
    stack_outputs: Mapping[str, Mapping[str, Any]] | None = None,
    preview: bool = False,
    program: Path | None = None,
    raise_on_error: bool = True,
    directory: Path | None = None,
) -> Rendered:
    """Render ``stacks/<stack>`` for ``env`` and return what was registered.

    ``preview=True`` renders like ``pulumi preview`` of a new stack: computed outputs (ids, ARNs,
    DNS names) are unknown, and so is every input derived from them (``pulumi.output.Unknown``).
    ``config`` replaces the committed config entirely; ``overrides`` sets keys on top of it
    (``{"serving:idleTimeoutSeconds": 120}``); ``remove`` deletes keys. ``program`` runs another
    folder's ``__main__.py`` as this stack (a proposed change, or a test fixture). ``stack_outputs`` maps a
    StackReference name to the outputs that stack exposes (default: for the serving stack, the fake
    account's network in ``organization/network/<env>``). ``directory`` is the stack's folder
    (default: this checkout's; another revision's, for a plan diff).
    """
    spec = spec_of(stack)
    stack_dir = directory or spec.directory
    account = account or FakeAwsAccount()
    values = _config_values(
        stack, env, config=config, overrides=overrides, remove=remove, directory=directory
    )
    values.setdefault("aws:region", account.region)
    if stack_outputs is None:  # the fake account's network, for the stacks that reference it
        stack_outputs = {f"{ORGANIZATION}/{r}/{env}": account.network_outputs() for r in spec.references if r == "network"}  # fmt: skip
    mocks = AwsMocks(account, stack_outputs, preview=preview)
    monitor = RecordingMonitor(mocks)
    loop = asyncio.new_event_loop()
    _start_runtime(loop, mocks, monitor, values, project=spec.name, env=env, preview=preview)
    rendered = Rendered(
        stack=stack,
        env=env,
        project=spec.name,
        config=values,
        resources=monitor.records,
        outputs={},
        invokes=mocks.calls,
    )
    error = _run_program(loop, rendered, program_dir=program or stack_dir, stack_dir=stack_dir)
    rendered.error = error
    if error is not None and raise_on_error:
        raise RenderError(first_line(error), rendered) from error
    return rendered


def _start_runtime(
    loop: asyncio.AbstractEventLoop,
    mocks: AwsMocks,
    monitor: RecordingMonitor,
    values: dict[str, str],
    *,
    project: str,
    env: str,
    preview: bool,
) -> None:
    """A fresh mock runtime on ``loop``: no root resource yet, ``values`` as the stack's config."""
    asyncio.set_event_loop(loop)
    settings.ROOT.set(None)
    set_all_config(values, [])
    pulumi.runtime.set_mocks(
        mocks,
        project=project,
        stack=env,
        preview=preview,
        monitor=monitor,
        organization=ORGANIZATION,
    )


def _run_program(
    loop: asyncio.AbstractEventLoop, rendered: Rendered, *, program_dir: Path, stack_dir: Path
) -> BaseException | None:
    """Run ``program_dir/__main__.py`` to its end, fill ``rendered.outputs``, close ``loop``; the
    first error the program or the runtime raised, if any."""
    error: BaseException | None = None
    added = str(stack_dir) not in sys.path
    if added:
        sys.path.insert(0, str(stack_dir))
    try:
        with _chdir(program_dir):
            try:
                runpy.run_path(str(program_dir / "__main__.py"), run_name="__main__")
            except BaseException as exc:
                error = exc
            try:
                loop.run_until_complete(pulumi.runtime.stack.wait_for_rpcs())
            except BaseException as exc:
                error = error or exc
            if error is None:
                error = _collect_outputs(loop, rendered)
    finally:
        _cancel_pending(loop)
        if added:
            sys.path.remove(str(stack_dir))
        settings.ROOT.set(None)
        loop.close()
        asyncio.set_event_loop(None)
    return error


def _collect_outputs(loop: asyncio.AbstractEventLoop, rendered: Rendered) -> BaseException | None:
    """The stack's exported outputs, resolved, into ``rendered.outputs``; the error, if any."""
    root = settings.get_root_resource()
    raw_outputs = getattr(root, "outputs", {}) or {}
    try:
        rendered.outputs = {k: _resolve(loop, v) for k, v in raw_outputs.items()}
        loop.run_until_complete(pulumi.runtime.stack.wait_for_rpcs())
    except BaseException as exc:
        return exc
    return None


def _cancel_pending(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what a failed program left scheduled, so the next render starts clean."""
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


def unknown_keys_of(rendered: Rendered, resource: RegisteredResource) -> set[str]:
    """Output keys a real preview would not know for a new resource (computed by the provider)."""
    return set(resource.outputs) - set(resource.inputs)


__all__ = [
    "STACK_REFERENCE",
    "RecordingMonitor",
    "RegisteredResource",
    "RenderError",
    "Rendered",
    "load_stack_config",
    "render",
]
