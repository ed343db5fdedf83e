"""The plan's view of the policy pack: one pack, configured per env, its verdicts as report rows.

The pack process is launched when the analyzer is entered, so its imports overlap the renders, and
serves only at the first analysis, once no program under review is running (``prepare`` reads the
env configs and waits until the pack has read everything it runs, before any program starts).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from guardrails.meta import EXEMPT_PREFIX
from tooling.mock_runtime import RegisteredResource
from tooling.plan.report import Exemption, Unverified, Violation
from tooling.policy.client import PolicyPackAnalyzer, config_source
from tooling.policy.config import load_pack_config
from tooling.policy.results import Analysis

UNVERIFIED_POLICY = "preview-unverified"
_UNVERIFIED = re.compile(
    r"^(?P<policy>[\w.:-]+): cannot verify during preview \((?P<what>.+?) is unknown\); enforced at deploy\.?$"
)


@dataclass
class Verdicts:
    violations: list[Violation] = field(default_factory=list)
    exemptions: list[Exemption] = field(default_factory=list)
    unverified: list[Unverified] = field(default_factory=list)


class PolicyPackStackAnalyzer:
    """Runs ``Analyze`` per resource and ``AnalyzeStack`` once, with ``policies/config/<env>.json``."""

    def __init__(
        self, pack: PolicyPackAnalyzer | None = None, *, die_with_parent: bool = False
    ) -> None:
        self.pack = pack or PolicyPackAnalyzer(die_with_parent=die_with_parent)
        self._owns_pack = pack is None
        self._configs: dict[str, tuple[dict[str, Any], str]] = {}
        self._env: str | None = None

    def __enter__(self) -> PolicyPackStackAnalyzer:
        if self._owns_pack:
            self.pack.launch()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._owns_pack:
            self.pack.stop()

    @property
    def pid(self) -> int | None:
        return self.pack.pid

    def prepare(self, envs: Sequence[str]) -> None:
        """Read each env's policy config and let the pack read its code: before any program runs."""
        for env in envs:
            path = self.pack.env_config_file(env)
            self._configs[env] = (load_pack_config(path), config_source(path))
        if self._owns_pack:
            self.pack.wait_ready()

    def analyze(self, stack: str, env: str, resources: Sequence[RegisteredResource]) -> Verdicts:
        if self.pack.info is None:
            self.pack.start()
        if env != self._env:
            if env not in self._configs:
                self.prepare([env])
            config, source = self._configs[env]
            self.pack.configure(config, source=source)
            self._env = env
        self.pack.configure_stack(stack=env, project=stack)
        managed = [r for r in resources if not r.read]
        return verdicts_of(self.pack, self.pack.analyze_all(managed), {r.urn: r for r in managed})


def verdicts_of(
    pack: PolicyPackAnalyzer, analysis: Analysis, by_urn: Mapping[str, RegisteredResource]
) -> Verdicts:
    """The pack's diagnostics as report rows: violations, unverified checks, exemptions."""
    verdicts = Verdicts()
    for d in analysis.diagnostics:
        resource = by_urn.get(d.urn)
        where = {
            "resource_type": resource.type if resource else "",
            "resource_name": resource.name if resource else "",
            "resource_urn": d.urn,
        }
        if d.policy == UNVERIFIED_POLICY:
            match = _UNVERIFIED.match(d.detail.strip())
            verdicts.unverified.append(
                Unverified(
                    policy=match["policy"] if match else d.policy,
                    what=match["what"] if match else "",
                    message=d.detail,
                    **where,
                )
            )
            continue
        described = pack.describe(d.policy)
        verdicts.violations.append(
            Violation(
                policy=d.policy,
                level=d.level,  # type: ignore[arg-type]
                severity=d.severity,
                message=d.detail,
                controls=described.controls if described else [],
                **where,
            )
        )
    for n in analysis.not_applicable:
        if n.reason.startswith(EXEMPT_PREFIX):
            resource = by_urn.get(n.urn)
            verdicts.exemptions.append(
                Exemption(
                    policy=n.policy,
                    resource_type=resource.type if resource else "",
                    resource_name=resource.name if resource else "",
                    resource_urn=n.urn,
                    reason=n.reason.removeprefix(EXEMPT_PREFIX),
                )
            )
    return verdicts
