"""The plan's report: one model, written as JSON (documented shape), Markdown and a terminal table.

JSON shape (``PlanReport.model_json_schema()`` is the full schema)::

    {
      "schema_version": 1,
      "mode": "preview",
      "exit_code": 0 | 1 | 2,
      "stacks": [
        {
          "stack": "serving", "env": "prod",
          "status": "clean" | "advisory" | "mandatory" | "error",
          "error": null | "<one line>",
          "seconds": 0.41,
          "resource_count": 42,
          "resources": [{"type": "aws:lb/loadBalancer:LoadBalancer", "name": "...", "settings": {"scheme": "internet-facing", ...}}],
          "violations": [{"policy": "alb-access-logs-enabled", "level": "mandatory", "severity": "high",
                          "resource_type": "...", "resource_name": "...", "resource_urn": "urn:pulumi:...",
                          "message": "...", "controls": ["SecurityHub ELB.5", "CKV_AWS_91"]}],
          "exemptions": [{"policy": "...", "resource_name": "...", "resource_urn": "...", "reason": "..."}],
          "failover": null | {"detection_seconds": 10, "recovery_seconds": 10, "drain_seconds": 30,
                              "az_count": 3, "min_healthy_per_az": 1}
        }
      ]
    }
"""

from __future__ import annotations

from collections import Counter
from typing import Literal

from pydantic import BaseModel, Field

Level = Literal["mandatory", "advisory", "remediate", "disabled"]
Status = Literal["clean", "advisory", "mandatory", "error"]

EXIT_CLEAN = 0
EXIT_MANDATORY = 1
EXIT_ERROR = 2


class Violation(BaseModel):
    policy: str
    level: Level
    severity: str = ""
    resource_type: str = ""
    resource_name: str = ""
    resource_urn: str = ""
    message: str
    controls: list[str] = Field(default_factory=list)


class Exemption(BaseModel):
    policy: str
    resource_type: str = ""
    resource_name: str = ""
    resource_urn: str = ""
    reason: str


class ResourceRow(BaseModel):
    type: str
    name: str
    settings: dict[str, str] = Field(default_factory=dict)


class Failover(BaseModel):
    detection_seconds: int
    recovery_seconds: int | None = None
    drain_seconds: int
    az_count: int
    min_healthy_per_az: int


class StackPlan(BaseModel):
    stack: str
    env: str
    status: Status
    error: str | None = None
    seconds: float = 0.0
    resource_count: int = 0
    resources: list[ResourceRow] = Field(default_factory=list)
    violations: list[Violation] = Field(default_factory=list)
    exemptions: list[Exemption] = Field(default_factory=list)
    failover: Failover | None = None

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.level == "mandatory"]

    @property
    def advisory(self) -> list[Violation]:
        return [v for v in self.violations if v.level != "mandatory"]

    def type_counts(self) -> Counter[str]:
        return Counter(r.type for r in self.resources)


class PlanReport(BaseModel):
    schema_version: int = 1
    mode: Literal["preview"] = "preview"
    exit_code: int = EXIT_CLEAN
    stacks: list[StackPlan] = Field(default_factory=list)


def status_of(violations: list[Violation]) -> Status:
    if any(v.level == "mandatory" for v in violations):
        return "mandatory"
    if violations:
        return "advisory"
    return "clean"


def exit_code_of(stacks: list[StackPlan]) -> int:
    if any(s.status == "error" for s in stacks):
        return EXIT_ERROR
    if any(s.status == "mandatory" for s in stacks):
        return EXIT_MANDATORY
    return EXIT_CLEAN
