"""Drive a CrossGuard policy pack over its real gRPC Analyzer protocol, the way the Pulumi engine does.

The pack runs as a child process started like the Python language host starts a policy pack
(``python -u <pack dir>``, working directory the pack's folder, through ``launcher.py``); it prints
its port on stdout and serves until it is stopped. Then, like the engine:

1. ``GetAnalyzerInfo``: the pack's policies, levels, severities and config schemas;
2. ``Configure`` with the WHOLE config: every policy with its enforcement level and properties,
   reconciled like the CLI reconciles ``--policy-pack-config`` (``config.merge_config``). A policy
   left out of ``Configure`` would silently fall back to advisory;
3. ``Analyze`` once per resource, with its inputs;
4. ``AnalyzeStack`` once, with every resource's outputs, parent, dependencies and property
   dependencies.

Preview mode: a value a preview cannot know is sent as the engine's unknown sentinel. Mark one
with :data:`~tooling.policy.wire.UNKNOWN` (or pass ``pulumi.output.UNKNOWN``)::

    with PolicyPackAnalyzer() as pack:          # one pack process serves many stacks
        pack.configure_env("prod")              # policies/config/prod.json
        result = pack.analyze_all(resources)    # Analyze per resource, then AnalyzeStack

Every failure (the pack does not start, a bad config file, the pack failing a call) raises
:class:`~tooling.policy.errors.PolicyPackError` with a one-line message.
"""

from __future__ import annotations

import collections
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from shared.errors import first_line
from shared.stacks import REPO_ROOT
from tooling.policy.config import PolicySettings, load_pack_config, merge_config
from tooling.policy.errors import PolicyPackError
from tooling.policy.process import PackProcess
from tooling.policy.results import Analysis, Diagnostic, NotApplicable, PolicyDescription
from tooling.policy.wire import (
    LEVEL_NAMES,
    LEVELS,
    SEVERITY_NAMES,
    AnalyzableResource,
    provider_resource,
    resource_options,
    to_struct,
)

PACK_DIR = REPO_ROOT / "policies"
PIPELINE = 32
"""``Analyze`` calls in flight at once (the pack serves them on its own thread pool)."""


class PolicyPackAnalyzer:
    """A running policy pack; a context manager that always stops the child it started.

    ``launch()`` starts the process early (its imports overlap other work) without serving;
    ``start()`` (or ``with``) makes it serve and connects.
    """

    def __init__(
        self,
        pack_dir: Path = PACK_DIR,
        *,
        python: str = sys.executable,
        start_timeout: float = 30.0,
        call_timeout: float = 60.0,
        die_with_parent: bool = False,
    ) -> None:
        self.pack_dir = pack_dir
        self.call_timeout = call_timeout
        self.start_timeout = start_timeout
        self._process = PackProcess(
            pack_dir, python=python, timeout=start_timeout, die_with_parent=die_with_parent
        )
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
        return self._process.pid

    @property
    def running(self) -> bool:
        return self._process.running

    def launch(self) -> None:
        """Start the pack's process, which imports everything it will run and waits."""
        self._process.launch()

    def wait_ready(self) -> None:
        """Block until the launched pack has read every file it will run."""
        try:
            self._process.wait_ready()
        except BaseException:
            self.stop()
            raise

    def start(self) -> None:
        """Serve (launching first if needed), connect, read its policies (``GetAnalyzerInfo``)."""
        if self._channel is not None:
            raise PolicyPackError(f"policy pack {self.pack_dir} is already running")
        try:
            port = self._process.serve()
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

    def stop(self) -> None:
        """Close the channel and stop the child (terminate, then kill if it hangs). Idempotent."""
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        self._stub = None
        self._process.stop()

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
        self.configure(load_pack_config(path), source=config_source(path))

    def configure_env(self, env: str) -> None:
        """``Configure`` from the pack's ``config/<env>.json``."""
        self.configure_file(self.env_config_file(env))

    def env_config_file(self, env: str) -> Path:
        return self.pack_dir / "config" / f"{env}.json"

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
        return self._analysis(self._call("Analyze", _analyze_request(resource)), resource.urn)

    def analyze_stack(self, resources: Iterable[AnalyzableResource]) -> Analysis:
        """``AnalyzeStack`` with every resource's outputs and links (stack policies)."""
        request = analyzer_pb2.AnalyzeStackRequest()
        for r in resources:
            item = request.resources.add()
            item.type = r.type
            item.properties.CopyFrom(to_struct(r.outputs))
            item.urn = r.urn
            item.name = r.name
            item.options.CopyFrom(resource_options(r))
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
        """What a preview or update runs: ``Analyze`` per resource, then ``AnalyzeStack``.

        The ``Analyze`` calls are pipelined (a window of them in flight, results in order), so
        encoding the next request overlaps the pack's work on the last one.
        """
        if self._stub is None:
            raise PolicyPackError("the policy pack is not running")
        result = Analysis()
        in_flight: collections.deque[tuple[AnalyzableResource, Any]] = collections.deque()
        for resource in resources:
            call = self._stub.Analyze.future(_analyze_request(resource), timeout=self.call_timeout)
            in_flight.append((resource, call))
            if len(in_flight) >= PIPELINE:
                result.extend(self._collect(*in_flight.popleft()))
        while in_flight:
            result.extend(self._collect(*in_flight.popleft()))
        result.extend(self.analyze_stack(resources))
        return result

    def _collect(self, resource: AnalyzableResource, call: Any) -> Analysis:
        try:
            response = call.result()
        except grpc.RpcError as exc:
            details = exc.details() if isinstance(exc, grpc.Call) else str(exc)
            raise PolicyPackError(
                f"policy pack {self.pack_name or self.pack_dir}: Analyze failed: "
                f"{first_line(details or '', last=True)}"
            ) from None
        return self._analysis(response, resource.urn)

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


def _analyze_request(resource: AnalyzableResource) -> analyzer_pb2.AnalyzeRequest:
    request = analyzer_pb2.AnalyzeRequest(
        type=resource.type,
        properties=to_struct(resource.inputs),
        urn=resource.urn,
        name=resource.name,
        options=resource_options(resource),
    )
    provider = provider_resource(resource.provider)
    if provider is not None:
        request.provider.CopyFrom(provider)
    return request


def config_source(path: Path) -> str:
    """How a config file is named in errors: relative to the repository when inside it."""
    return str(path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path)


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
