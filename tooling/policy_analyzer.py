"""Drive the policy pack over its real gRPC Analyzer protocol, the way the Pulumi engine does.

The pack is started as a child process (``python -u policies/`` with the pack folder as working
directory, as the language host runs it); it prints its port on stdout. Then, like the engine:
``GetAnalyzerInfo``; ``Configure`` with the WHOLE config (every policy with its enforcement level
and properties: the env's ``policies/config/<env>.json`` merged over the policy's schema defaults,
exactly as the CLI merges ``--policy-pack-config``; a policy left out would silently fall back to
advisory); ``Analyze`` once per resource with its inputs; ``AnalyzeStack`` once with every
resource's outputs, parent, dependencies and property dependencies.

Preview mode: values a preview cannot know (``pulumi.output.Unknown`` from the mock runtime, or
:data:`UNKNOWN`) are sent as the engine's unknown sentinel.

    with PolicyPackAnalyzer() as pack:
        pack.configure_env("prod")
        result = pack.analyze_stack_resources(resources)
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import grpc
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from shared.stacks import REPO_ROOT

PACK_DIR = REPO_ROOT / "policies"
UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""How the engine encodes a value a preview cannot know."""

LEVELS = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "disabled": analyzer_pb2.DISABLED,
    "remediate": analyzer_pb2.REMEDIATE,
}
LEVEL_NAMES = {v: k for k, v in LEVELS.items()}
SEVERITY_NAMES = {0: "", 1: "low", 2: "medium", 3: "high", 4: "critical"}


class PolicyPackError(Exception):
    """The pack did not start, or its config is invalid. The message is one line."""


class _UnknownMarker:
    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN: Any = _UnknownMarker()


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


@dataclass(frozen=True)
class PolicyDescription:
    name: str
    description: str
    enforcement_level: str
    severity: str
    controls: list[str]
    remediation: str
    stack: bool
    defaults: dict[str, Any]


@dataclass(frozen=True)
class Diagnostic:
    policy: str
    pack: str
    message: str
    """As the SDK reports it: the policy's description, a newline, then the violation's own text."""
    description: str
    urn: str
    level: str
    severity: str

    @property
    def detail(self) -> str:
        """The violation's own text, without the policy description the SDK puts first."""
        head, sep, rest = self.message.partition("\n")
        return (
            rest.strip()
            if sep and head.strip() == self.description.strip()
            else self.message.strip()
        )


@dataclass(frozen=True)
class NotApplicable:
    policy: str
    reason: str
    urn: str = ""


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

    def of(self, policy: str) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.policy == policy]


# ---- encoding ----------------------------------------------------------------------------------
def encode_value(value: Any) -> Any:
    """A Python value as the engine puts it in a protobuf Struct (unknowns as the sentinel)."""
    if value is UNKNOWN or type(value).__name__ == "Unknown":
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


def _options(resource: AnalyzableResource) -> analyzer_pb2.AnalyzerResourceOptions:
    return analyzer_pb2.AnalyzerResourceOptions(
        protect=bool(resource.protect), parent=resource.parent or ""
    )


# ---- config ------------------------------------------------------------------------------------
def load_pack_config(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise PolicyPackError(f"{path}: no such policy config file") from None
    except json.JSONDecodeError as exc:
        raise PolicyPackError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise PolicyPackError(f"{path}: expected a JSON object of policy names")
    return data


def merge_config(
    policies: Sequence[PolicyDescription],
    config: Mapping[str, Any],
    *,
    source: str = "policy config",
) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every policy's (enforcement level, properties), as the CLI computes them."""
    known = {p.name for p in policies}
    unknown = sorted(set(config) - known - {"all"})
    if unknown:
        raise PolicyPackError(
            f"{source}: unknown policy {unknown[0]!r} (the pack has {len(known)} policies)"
        )
    default_level = config.get("all")
    merged: dict[str, tuple[str, dict[str, Any]]] = {}
    for policy in policies:
        entry = config.get(policy.name)
        level = policy.enforcement_level
        if isinstance(default_level, str):
            level = default_level
        properties = dict(policy.defaults)
        if isinstance(entry, str):
            level = entry
        elif isinstance(entry, Mapping):
            level = str(entry.get("enforcementLevel", level))
            properties.update({k: v for k, v in entry.items() if k != "enforcementLevel"})
        if level not in LEVELS:
            raise PolicyPackError(
                f"{source}: {policy.name}: enforcement level {level!r} is not one of {', '.join(LEVELS)}"
            )
        merged[policy.name] = (level, properties)
    return merged


# ---- the analyzer ------------------------------------------------------------------------------
class PolicyPackAnalyzer:
    """A running policy pack; a context manager that always stops the child it started."""

    def __init__(
        self,
        pack_dir: Path = PACK_DIR,
        *,
        python: str = sys.executable,
        start_timeout: float = 30.0,
    ) -> None:
        self.pack_dir = pack_dir
        self.python = python
        self.start_timeout = start_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._channel: grpc.Channel | None = None
        self._stub: analyzer_pb2_grpc.AnalyzerStub | None = None
        self.info: analyzer_pb2.AnalyzerInfo | None = None
        self.policies: list[PolicyDescription] = []
        self.levels: dict[str, str] = {}

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

    def start(self) -> None:
        self._process = subprocess.Popen(
            [self.python, "-u", str(self.pack_dir)],
            cwd=self.pack_dir,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert self._process.stdout is not None
        line = self._read_port_line()
        try:
            port = int(line.strip())
        except ValueError:
            self.stop()
            raise PolicyPackError(
                f"policy pack {self.pack_dir} did not print a port (got {line.strip()[:200]!r})"
            ) from None
        self._channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(self._channel).result(timeout=self.start_timeout)
        self._stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)
        info = self._stub.GetAnalyzerInfo(empty_pb2.Empty())
        self.info = info
        self.policies = [_describe(p) for p in info.policies]
        self.levels = {p.name: p.enforcement_level for p in self.policies}

    def _read_port_line(self) -> str:
        assert self._process is not None and self._process.stdout is not None
        import selectors

        selector = selectors.DefaultSelector()
        selector.register(self._process.stdout, selectors.EVENT_READ)
        ready = selector.select(timeout=self.start_timeout)
        selector.close()
        if not ready:
            self.stop()
            raise PolicyPackError(
                f"policy pack {self.pack_dir} did not start within {self.start_timeout:.0f}s"
            )
        line = self._process.stdout.readline().decode(errors="replace")
        if not line:
            stderr = (
                self._process.stderr.read().decode(errors="replace") if self._process.stderr else ""
            )
            self.stop()
            last = stderr.strip().splitlines()[-1] if stderr.strip() else "no output"
            raise PolicyPackError(f"policy pack {self.pack_dir} exited before serving: {last}")
        return line

    def stop(self) -> None:
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()

    @property
    def stub(self) -> analyzer_pb2_grpc.AnalyzerStub:
        if self._stub is None:
            raise PolicyPackError("the policy pack is not running")
        return self._stub

    @property
    def pack_name(self) -> str:
        return self.info.name if self.info is not None else ""

    # config
    def configure(self, config: Mapping[str, Any], *, source: str = "policy config") -> None:
        merged = merge_config(self.policies, config, source=source)
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, (level, properties) in merged.items():
            request.policyConfig[name].CopyFrom(
                analyzer_pb2.PolicyConfig(
                    enforcementLevel=LEVELS[level], properties=to_struct(properties)
                )
            )
        self.stub.Configure(request)
        self.levels = {name: level for name, (level, _) in merged.items()}

    def configure_env(self, env: str) -> None:
        path = self.pack_dir / "config" / f"{env}.json"
        self.configure(
            load_pack_config(path),
            source=str(path.relative_to(REPO_ROOT))
            if path.is_relative_to(REPO_ROOT)
            else str(path),
        )

    # analysis
    def analyze(self, resource: AnalyzableResource) -> Analysis:
        response = self.stub.Analyze(
            analyzer_pb2.AnalyzeRequest(
                type=resource.type,
                properties=to_struct(resource.inputs),
                urn=resource.urn,
                name=resource.name,
                options=_options(resource),
            )
        )
        return self._analysis(response, resource.urn)

    def analyze_stack(self, resources: Iterable[AnalyzableResource]) -> Analysis:
        request = analyzer_pb2.AnalyzeStackRequest()
        for r in resources:
            item = request.resources.add()
            item.type = r.type
            item.properties.CopyFrom(to_struct(r.outputs))
            item.urn = r.urn
            item.name = r.name
            item.options.CopyFrom(_options(r))
            item.parent = r.parent or ""
            item.dependencies.extend(r.dependencies)
            for key, urns in r.property_dependencies.items():
                item.propertyDependencies[key].urns.extend(urns)
        return self._analysis(self.stub.AnalyzeStack(request), "")

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
    from google.protobuf import json_format

    schema = (
        json_format.MessageToDict(info.configSchema.properties)
        if info.HasField("configSchema")
        else {}
    )
    defaults = {
        k: v["default"] for k, v in schema.items() if isinstance(v, dict) and "default" in v
    }
    return PolicyDescription(
        name=info.name,
        description=info.description,
        enforcement_level=LEVEL_NAMES.get(info.enforcementLevel, "advisory"),
        severity=SEVERITY_NAMES.get(int(info.severity), ""),
        controls=list(info.tags),
        remediation=info.remediation_steps,
        stack=info.policy_type == analyzer_pb2.POLICY_TYPE_STACK,
        defaults=defaults,
    )
