"""Drive a CrossGuard policy pack over its real gRPC Analyzer protocol, the way the Pulumi engine does.

The pack runs as a child process started like the Python language host starts a policy pack
(``python -u <pack dir>``, working directory the pack's folder); it prints its port on stdout and
serves until it is stopped. Then, like the engine:

1. ``GetAnalyzerInfo``: the pack's policies, levels, severities and config schemas;
2. ``Configure`` with the WHOLE config: every policy with its enforcement level and properties,
   reconciled like the CLI reconciles ``--policy-pack-config`` (schema defaults, the pack's initial
   config, then the file's ``all`` level and per-policy entries) and validated against each
   policy's JSON schema. A policy left out of ``Configure`` would silently fall back to advisory;
3. ``Analyze`` once per resource, with its inputs;
4. ``AnalyzeStack`` once, with every resource's outputs, parent, dependencies and property
   dependencies.

Preview mode: a value a preview cannot know is sent as the engine's unknown sentinel. Mark one
with :data:`UNKNOWN` (or pass ``pulumi.output.UNKNOWN``, as the mock runtime records it)::

    with PolicyPackAnalyzer() as pack:          # one pack process serves many stacks
        pack.configure_env("prod")              # policies/config/prod.json
        result = pack.analyze_all(resources)    # Analyze per resource, then AnalyzeStack
        for violation in result.mandatory: ...
        for exemption in result.exemptions: ...

Every failure (the pack does not start, a bad config file, the pack failing a call) raises
:class:`PolicyPackError` with a one-line message.
"""

from __future__ import annotations

import collections
import json
import math
import selectors
import subprocess
import sys
import tempfile
import threading
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any, NamedTuple, Protocol

import grpc
import jsonschema
import jsonschema.exceptions
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.output import Unknown as PulumiUnknown
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from guardrails.exemptions import EXEMPT_PREFIX
from shared.errors import first_line
from shared.stacks import REPO_ROOT

PACK_DIR = REPO_ROOT / "policies"
UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""How the engine encodes a value a preview cannot know (``pulumi.runtime.rpc.UNKNOWN``)."""

LEVELS = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}
LEVEL_NAMES = {v: k for k, v in LEVELS.items()}
SEVERITY_NAMES = {0: "", 1: "low", 2: "medium", 3: "high", 4: "critical"}
ENFORCEMENT_LEVEL_KEY = "enforcementLevel"


class PolicyPackError(Exception):
    """The pack did not start or failed a call, or its config is invalid. The message is one line."""


class _UnknownMarker:
    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN: Any = _UnknownMarker()
"""Mark a property value unknown (preview mode); it is sent as :data:`UNKNOWN_SENTINEL`."""


class AnalyzableResource(Protocol):
    """What the analyzer needs of a resource (``tooling.mock_runtime.RegisteredResource`` fits)."""

    @property
    def type(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def urn(self) -> str: ...
    @property
    def inputs(self) -> dict[str, Any]: ...
    @property
    def outputs(self) -> dict[str, Any]: ...
    @property
    def parent(self) -> str: ...
    @property
    def dependencies(self) -> list[str]: ...
    @property
    def property_dependencies(self) -> dict[str, list[str]]: ...
    @property
    def protect(self) -> bool: ...
    @property
    def provider(self) -> str:
        """The provider reference ``<provider URN>::<provider id>``, or ``""``."""
        ...


# ---- results -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PolicyDescription:
    """A policy as ``GetAnalyzerInfo`` describes it."""

    name: str
    description: str
    enforcement_level: str
    severity: str
    controls: list[str]
    """The policy's tags (this pack puts its Security Hub / Checkov controls there)."""
    remediation: str
    stack: bool
    """A stack policy (``AnalyzeStack``) rather than a resource policy (``Analyze``)."""
    schema: dict[str, Any]
    """JSON schema of the policy's properties: ``{"properties": {...}, "required": [...]}``."""

    @property
    def defaults(self) -> dict[str, Any]:
        return {
            key: spec["default"]
            for key, spec in self.schema.get("properties", {}).items()
            if isinstance(spec, dict) and "default" in spec
        }


@dataclass(frozen=True)
class Diagnostic:
    """One violation."""

    policy: str
    pack: str
    message: str
    """As the SDK reports it: the policy's description, a newline, then the violation's own text."""
    description: str
    urn: str
    """The violating resource (for a resource policy, the analyzed resource)."""
    level: str
    severity: str

    @property
    def detail(self) -> str:
        """The violation's own text, without the policy description the SDK puts first."""
        head, sep, rest = self.message.partition("\n")
        if sep and head.strip() == self.description.strip():
            return rest.strip()
        return self.message.strip()


@dataclass(frozen=True)
class NotApplicable:
    """A policy that did not apply; an exemption from the policy's config is one of these."""

    policy: str
    reason: str
    urn: str = ""
    """The analyzed resource for ``Analyze``; empty for ``AnalyzeStack`` (the reason names it)."""

    @property
    def exemption(self) -> str | None:
        """The exemption's reason, if this is an exemption."""
        return self.reason.removeprefix(EXEMPT_PREFIX) if self.is_exemption else None

    @property
    def is_exemption(self) -> bool:
        return self.reason.startswith(EXEMPT_PREFIX)


@dataclass
class Analysis:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    not_applicable: list[NotApplicable] = field(default_factory=list)

    def extend(self, other: Analysis) -> None:
        self.diagnostics.extend(other.diagnostics)
        self.not_applicable.extend(other.not_applicable)

    @property
    def mandatory(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level == "mandatory"]

    @property
    def advisory(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level == "advisory"]

    @property
    def exemptions(self) -> list[NotApplicable]:
        return [n for n in self.not_applicable if n.is_exemption]

    def of(self, policy: str) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.policy == policy]


class PolicySettings(NamedTuple):
    """A policy's reconciled config: what ``Configure`` sends for it."""

    level: str
    properties: dict[str, Any]


# ---- encoding ----------------------------------------------------------------------------------
def encode_value(value: Any) -> Any:
    """A Python value as the engine puts it in a protobuf Struct (unknowns as the sentinel)."""
    if value is UNKNOWN or isinstance(value, PulumiUnknown):
        return UNKNOWN_SENTINEL
    if isinstance(value, Mapping):
        return {str(k): encode_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode_value(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else str(value)
    return str(value)


def to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(encode_value(dict(props)))
    return struct


def provider_resource(reference: str) -> analyzer_pb2.AnalyzerProviderResource | None:
    """The provider of a resource from its reference ``<provider URN>::<id>``, as the engine sends it.

    The provider's own inputs are not part of the reference, so its properties are left empty.
    """
    urn, sep, _ = reference.rpartition("::")
    parts = urn.split("::")
    if not sep or not urn.startswith("urn:pulumi:") or len(parts) < 4:
        return None
    return analyzer_pb2.AnalyzerProviderResource(
        type=parts[2].rpartition("$")[2], urn=urn, name=parts[-1], properties=struct_pb2.Struct()
    )


def _options(resource: AnalyzableResource) -> analyzer_pb2.AnalyzerResourceOptions:
    options = analyzer_pb2.AnalyzerResourceOptions(
        protect=bool(resource.protect), parent=resource.parent or ""
    )
    # Optional on the protocol; RegisteredResource records them.
    options.ignoreChanges.extend(getattr(resource, "ignore_changes", None) or [])
    if getattr(resource, "delete_before_replace", False):
        options.deleteBeforeReplace = True
        options.deleteBeforeReplaceDefined = True
    return options


# ---- config ------------------------------------------------------------------------------------
def load_pack_config(path: Path) -> dict[str, Any]:
    """A ``--policy-pack-config`` file; an empty file is no config, as for the CLI."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise PolicyPackError(f"{path}: no such policy config file") from None
    except OSError as exc:
        raise PolicyPackError(f"{path}: cannot read ({exc.strerror})") from None
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyPackError(
            f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    if not isinstance(data, dict):
        raise PolicyPackError(f"{path}: expected a JSON object of policy names")
    return data


def _level(value: Any, where: str) -> str:
    if not isinstance(value, str) or value not in LEVELS:
        raise PolicyPackError(
            f"{where}: enforcement level {value!r} is not one of {', '.join(LEVELS)}"
        )
    return value


def _parse_entry(name: str, entry: Any, source: str) -> tuple[str | None, dict[str, Any]]:
    """A config file entry: ``"mandatory"`` or ``{"enforcementLevel": ..., <properties>}``."""
    if isinstance(entry, str):
        return _level(entry, f"{source}: {name}"), {}
    if isinstance(entry, Mapping):
        properties = {str(k): v for k, v in entry.items() if k != ENFORCEMENT_LEVEL_KEY}
        if ENFORCEMENT_LEVEL_KEY in entry:
            return _level(entry[ENFORCEMENT_LEVEL_KEY], f"{source}: {name}"), properties
        return None, properties
    raise PolicyPackError(
        f"{source}: {name} = {json.dumps(entry)}: expected an enforcement level or an object"
    )


def _validate(policy: PolicyDescription, properties: dict[str, Any], source: str) -> None:
    known = policy.schema.get("properties", {})
    unknown = sorted(set(properties) - set(known))
    if unknown:
        raise PolicyPackError(
            f"{source}: {policy.name}: unknown property {unknown[0]!r} "
            f"(known: {', '.join(sorted(known)) or 'none'})"
        )
    schema = {"type": "object", **policy.schema}
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft7Validator(schema).iter_errors(properties)
    )
    if error is not None:
        where = ".".join(str(p) for p in error.absolute_path)
        shown = f"{where} = {json.dumps(error.instance)}: " if where else ""
        raise PolicyPackError(f"{source}: {policy.name}: {shown}{error.message}")


def merge_config(
    policies: Sequence[PolicyDescription],
    config: Mapping[str, Any],
    *,
    source: str = "policy config",
    initial: Mapping[str, PolicySettings] | None = None,
) -> dict[str, PolicySettings]:
    """Every policy's level and properties, reconciled and validated as the CLI does.

    Order: the schema defaults and the policy's own level; the pack's initial config; the
    config's ``all`` level; the config's entry for the policy. Unlike the CLI (which ignores
    them), an unknown policy name or property is an error: it is almost always a typo.
    """
    known = {p.name for p in policies}
    unknown = sorted(set(config) - known - {"all"})
    if unknown:
        raise PolicyPackError(
            f"{source}: unknown policy {unknown[0]!r} (the pack has {len(known)} policies)"
        )
    default_level = _parse_entry("all", config["all"], source)[0] if "all" in config else None
    merged: dict[str, PolicySettings] = {}
    for policy in policies:
        level, properties = policy.enforcement_level, policy.defaults
        if initial and policy.name in initial:
            level = initial[policy.name].level or level
            properties = {**properties, **initial[policy.name].properties}
        level = default_level or level
        if policy.name in config:
            given_level, given = _parse_entry(policy.name, config[policy.name], source)
            level = given_level or level
            properties = {**properties, **given}
        _validate(policy, properties, source)
        merged[policy.name] = PolicySettings(level, properties)
    return merged


# ---- the analyzer ------------------------------------------------------------------------------
def _stop(process: subprocess.Popen[bytes], timeout: float = 5.0) -> None:
    """Stop a child by its own handle: terminate, wait, kill if it does not exit."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)
    if process.stdout is not None:
        process.stdout.close()


class PolicyPackAnalyzer:
    """A running policy pack; a context manager that always stops the child it started."""

    def __init__(
        self,
        pack_dir: Path = PACK_DIR,
        *,
        python: str = sys.executable,
        start_timeout: float = 30.0,
        call_timeout: float = 60.0,
    ) -> None:
        self.pack_dir = pack_dir
        self.python = python
        self.start_timeout = start_timeout
        self.call_timeout = call_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._stdout_tail: collections.deque[str] = collections.deque(maxlen=20)
        self._finalizer: weakref.finalize[Any, Any] | None = None
        self._channel: grpc.Channel | None = None
        self._stub: analyzer_pb2_grpc.AnalyzerStub | None = None
        self.info: analyzer_pb2.AnalyzerInfo | None = None
        self.policies: list[PolicyDescription] = []
        self.levels: dict[str, str] = {}
        """Each policy's enforcement level as last configured."""

    # lifecycle
    def __enter__(self) -> PolicyPackAnalyzer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Start the pack, read its port, connect and read its policies (``GetAnalyzerInfo``)."""
        if self._process is not None:
            raise PolicyPackError(f"policy pack {self.pack_dir} is already running")
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        self._process = subprocess.Popen(
            [self.python, "-u", str(self.pack_dir)],
            cwd=self.pack_dir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        self._finalizer = weakref.finalize(self, _stop, self._process)
        try:
            port = self._read_port()
            self._channel = grpc.insecure_channel(f"127.0.0.1:{port}")
            grpc.channel_ready_future(self._channel).result(timeout=self.start_timeout)
            self._stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)
            info: analyzer_pb2.AnalyzerInfo = self._call("GetAnalyzerInfo", empty_pb2.Empty())
        except grpc.FutureTimeoutError:
            self.stop()
            raise PolicyPackError(
                f"policy pack {self.pack_dir} did not accept connections within {self.start_timeout:g}s"
            ) from None
        except BaseException:
            self.stop()
            raise
        self.info = info
        self.policies = [_describe(p) for p in info.policies]
        self.levels = {p.name: p.enforcement_level for p in self.policies}

    def _read_port(self) -> int:
        assert self._process is not None and self._process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self._process.stdout, selectors.EVENT_READ)
            ready = selector.select(timeout=self.start_timeout)
        if not ready:
            raise PolicyPackError(
                f"policy pack {self.pack_dir} printed no port within {self.start_timeout:g}s"
            )
        line = self._process.stdout.readline().decode(errors="replace").strip()
        if not line:
            self._process.wait(timeout=self.start_timeout)
            raise PolicyPackError(
                f"policy pack {self.pack_dir} exited before serving: {self._last_error()}"
            )
        if not line.isdigit():
            raise PolicyPackError(
                f"policy pack {self.pack_dir} did not print a port (got {line[:200]!r})"
            )
        # Keep draining stdout (a policy that prints must never block on a full pipe).
        threading.Thread(target=self._drain, args=(self._process.stdout,), daemon=True).start()
        return int(line)

    def _drain(self, stream: IO[bytes]) -> None:
        try:
            for raw in stream:
                self._stdout_tail.append(raw.decode(errors="replace").rstrip())
        except (OSError, ValueError):
            return

    def _last_error(self) -> str:
        """The last line the pack wrote to stderr (its exception, if it crashed)."""
        if self._stderr is None:
            return "no output"
        self._stderr.seek(0)
        lines = self._stderr.read().decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else "no output"

    def stop(self) -> None:
        """Close the channel and stop the child (terminate, then kill if it hangs). Idempotent."""
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        self._stub = None
        process, self._process = self._process, None
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None
        if process is not None:
            _stop(process)
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pack_name(self) -> str:
        return self.info.name if self.info is not None else ""

    def _call(self, method: str, request: Any) -> Any:
        if self._stub is None:
            raise PolicyPackError("the policy pack is not running")
        try:
            return getattr(self._stub, method)(request, timeout=self.call_timeout)
        except grpc.RpcError as exc:
            details = exc.details() if isinstance(exc, grpc.Call) else str(exc)
            raise PolicyPackError(
                f"policy pack {self.pack_name or self.pack_dir}: {method} failed: "
                f"{first_line(details or '', last=True)}"
            ) from None

    # config
    def configure(self, config: Mapping[str, Any], *, source: str = "policy config") -> None:
        """``Configure`` with every policy: ``config`` (the ``--policy-pack-config`` format)
        reconciled over the schema defaults."""
        merged = merge_config(self.policies, config, source=source, initial=self._initial_config())
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, settings in merged.items():
            request.policyConfig[name].CopyFrom(
                analyzer_pb2.PolicyConfig(
                    enforcementLevel=LEVELS[settings.level],
                    properties=to_struct(settings.properties),
                )
            )
        self._call("Configure", request)
        self.levels = {name: settings.level for name, settings in merged.items()}

    def configure_file(self, path: Path) -> None:
        """``Configure`` from a ``--policy-pack-config`` file."""
        shown = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path
        self.configure(load_pack_config(path), source=str(shown))

    def configure_env(self, env: str) -> None:
        """``Configure`` from the pack's ``config/<env>.json``."""
        self.configure_file(self.pack_dir / "config" / f"{env}.json")

    def configure_stack(
        self,
        *,
        stack: str,
        project: str,
        organization: str = "organization",
        dry_run: bool = True,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        """``ConfigureStack``: the stack being analyzed (the engine sends it before analyzing)."""
        self._call(
            "ConfigureStack",
            analyzer_pb2.AnalyzerStackConfigureRequest(
                stack=stack,
                project=project,
                organization=organization,
                dry_run=dry_run,
                tags=dict(tags or {}),
            ),
        )

    def _initial_config(self) -> dict[str, PolicySettings]:
        if self.info is None:
            return {}
        return {
            name: PolicySettings(
                LEVEL_NAMES.get(cfg.enforcementLevel, "") if cfg.enforcementLevel else "",
                json_format.MessageToDict(cfg.properties),
            )
            for name, cfg in self.info.initialConfig.items()
        }

    # analysis
    def analyze(self, resource: AnalyzableResource) -> Analysis:
        """``Analyze`` one resource with its inputs (resource policies)."""
        request = analyzer_pb2.AnalyzeRequest(
            type=resource.type,
            properties=to_struct(resource.inputs),
            urn=resource.urn,
            name=resource.name,
            options=_options(resource),
        )
        provider = provider_resource(resource.provider)
        if provider is not None:
            request.provider.CopyFrom(provider)
        return self._analysis(self._call("Analyze", request), resource.urn)

    def analyze_stack(self, resources: Iterable[AnalyzableResource]) -> Analysis:
        """``AnalyzeStack`` with every resource's outputs and links (stack policies)."""
        request = analyzer_pb2.AnalyzeStackRequest()
        for r in resources:
            item = request.resources.add()
            item.type = r.type
            item.properties.CopyFrom(to_struct(r.outputs))
            item.urn = r.urn
            item.name = r.name
            item.options.CopyFrom(_options(r))
            provider = provider_resource(r.provider)
            if provider is not None:
                item.provider.CopyFrom(provider)
            item.parent = r.parent or ""
            item.dependencies.extend(r.dependencies)
            for key, urns in r.property_dependencies.items():
                if urns:
                    item.propertyDependencies[key].urns.extend(urns)
        return self._analysis(self._call("AnalyzeStack", request), "")

    def analyze_all(self, resources: Sequence[AnalyzableResource]) -> Analysis:
        """What a preview or update runs: ``Analyze`` per resource, then ``AnalyzeStack``."""
        result = Analysis()
        for resource in resources:
            result.extend(self.analyze(resource))
        result.extend(self.analyze_stack(resources))
        return result

    def _analysis(self, response: analyzer_pb2.AnalyzeResponse, urn: str) -> Analysis:
        return Analysis(
            diagnostics=[
                Diagnostic(
                    policy=d.policyName,
                    pack=d.policyPackName,
                    message=d.message,
                    description=d.description,
                    urn=d.urn or urn,
                    level=LEVEL_NAMES.get(d.enforcementLevel, "advisory"),
                    severity=SEVERITY_NAMES.get(int(d.severity), ""),
                )
                for d in response.diagnostics
            ],
            not_applicable=[
                NotApplicable(n.policy_name, n.reason, urn) for n in response.not_applicable
            ],
        )

    def describe(self, policy: str) -> PolicyDescription | None:
        return next((p for p in self.policies if p.name == policy), None)


def _describe(info: analyzer_pb2.PolicyInfo) -> PolicyDescription:
    schema: dict[str, Any] = {}
    if info.HasField("configSchema"):
        schema["properties"] = json_format.MessageToDict(info.configSchema.properties)
        if info.configSchema.required:
            schema["required"] = list(info.configSchema.required)
    return PolicyDescription(
        name=info.name,
        description=info.description,
        enforcement_level=LEVEL_NAMES.get(info.enforcementLevel, "advisory"),
        severity=SEVERITY_NAMES.get(int(info.severity), ""),
        controls=list(info.tags),
        remediation=info.remediation_steps,
        stack=info.policy_type == analyzer_pb2.POLICY_TYPE_STACK,
        schema=schema,
    )
