"""The plan's view of the policy pack: one running pack, configured per env, results as report rows."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType

from guardrails.meta import EXEMPT_PREFIX
from tooling.mock_runtime import RegisteredResource
from tooling.plan.report import Exemption, Violation
from tooling.policy.client import PolicyPackAnalyzer


class PolicyPackStackAnalyzer:
    """Runs ``Analyze`` per resource and ``AnalyzeStack`` once, with ``policies/config/<env>.json``."""

    def __init__(self, pack: PolicyPackAnalyzer | None = None) -> None:
        self.pack = pack or PolicyPackAnalyzer()
        self._owns_pack = pack is None
        self._env: str | None = None

    def __enter__(self) -> PolicyPackStackAnalyzer:
        if self._owns_pack:
            self.pack.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._owns_pack:
            self.pack.stop()

    def analyze(
        self, env: str, resources: Sequence[RegisteredResource]
    ) -> tuple[list[Violation], list[Exemption]]:
        if env != self._env:
            self.pack.configure_env(env)
            self._env = env
        managed = [r for r in resources if not r.read]
        by_urn = {r.urn: r for r in managed}
        analysis = self.pack.analyze_all(managed)
        violations = []
        for d in analysis.diagnostics:
            described = self.pack.describe(d.policy)
            resource = by_urn.get(d.urn)
            violations.append(
                Violation(
                    policy=d.policy,
                    level=d.level,  # type: ignore[arg-type]
                    severity=d.severity,
                    resource_type=resource.type if resource else "",
                    resource_name=resource.name if resource else "",
                    resource_urn=d.urn,
                    message=d.detail,
                    controls=described.controls if described else [],
                )
            )
        exemptions = []
        for n in analysis.not_applicable:
            if not n.reason.startswith(EXEMPT_PREFIX):
                continue
            resource = by_urn.get(n.urn)
            exemptions.append(
                Exemption(
                    policy=n.policy,
                    resource_type=resource.type if resource else "",
                    resource_name=resource.name if resource else "",
                    resource_urn=n.urn,
                    reason=n.reason.removeprefix(EXEMPT_PREFIX),
                )
            )
        return violations, exemptions
