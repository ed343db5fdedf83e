"""The plan's report: one model, written as JSON (documented shape), Markdown and a terminal table.

JSON shape (``PlanReport.model_json_schema()`` is the full schema)::

    {
      "schema_version": 2,
      "mode": "preview",
      "exit_code": 0 | 1 | 2,
      "error": null | "<one line: why the gate itself failed>",
      "base": null | "<the revision compared with, e.g. origin/main (3f2a1bc)>",
      "stacks": [
        {
          "stack": "serving", "env": "prod",
          "status": "clean" | "advisory" | "mandatory" | "error",
          "error": null | "<one line>",
          "seconds": 0.41,
          "resource_count": 42,
          "resources": [{"type": "aws:lb/loadBalancer:LoadBalancer", "name": "...", "urn": "...",
                         "settings": {"scheme": "internet-facing", ...}}],
          "violations": [{"policy": "alb-access-logs-enabled", "level": "mandatory", "severity": "high",
                          "resource_type": "...", "resource_name": "...", "resource_urn": "urn:pulumi:...",
                          "message": "...", "controls": ["SecurityHub ELB.5", "CKV_AWS_91"]}],
          "unverified": [{"policy": "alb-tls-policy-allowed", "what": "sslPolicy", "resource_type": "...",
                          "resource_name": "...", "resource_urn": "...", "message": "..."}],
          "exemptions": [{"policy": "...", "resource_name": "...", "resource_urn": "...", "reason": "..."}],
          "failover": null | {"detection_seconds": 10, "recovery_seconds": 10, "drain_seconds": 30,
                              "az_count": 3, "min_healthy_per_az": 1},
          "diff": null | {"status": "changed" | "unchanged" | "new" | "base-error",
                          "error": null | "<why the base did not render>",
                          "changes": [{"action": "add" | "remove" | "replace" | "change",
                                       "type": "...", "name": "...", "urn": "...", "old_urn": null | "...",
                                       "reason": "<why a replace>",
                                       "properties": [{"path": "sslPolicy", "old": "...", "new": "...",
                                                       "key": true, "replaces": false}]}]}
        }
      ]
    }

``unverified`` holds the advisory ``preview-unverified`` policy's reports (a check a preview cannot
decide; the pack enforces it at deploy): they are listed apart and never change the exit code.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal

from pydantic import BaseModel, Field

Level = Literal["mandatory", "advisory", "remediate", "disabled"]
Status = Literal["clean", "advisory", "mandatory", "error"]
Action = Literal["add", "remove", "replace", "change"]

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


class Unverified(BaseModel):
    """A check the preview cannot decide (``preview-unverified``); the pack enforces it at deploy."""

    policy: str
    """The policy that could not decide (from the message), or ``preview-unverified``."""
    what: str = ""
    """The value that is unknown during the preview."""
    resource_type: str = ""
    resource_name: str = ""
    resource_urn: str = ""
    message: str


class Exemption(BaseModel):
    policy: str
    resource_type: str = ""
    resource_name: str = ""
    resource_urn: str = ""
    reason: str


class ResourceRow(BaseModel):
    type: str
    name: str
    urn: str = ""
    settings: dict[str, str] = Field(default_factory=dict)


class Failover(BaseModel):
    detection_seconds: int
    recovery_seconds: int | None = None
    drain_seconds: int
    az_count: int
    min_healthy_per_az: int


class PropertyChange(BaseModel):
    path: str
    """Wire (camelCase) path: ``defaultActions[0].forward.targetGroups[1].weight``; ``(protect)``."""
    old: Any = None
    new: Any = None
    key: bool = False
    """A field reviewers care about (protocols, TLS policy, sources, ports, health, weights, ...)."""
    replaces: bool = False
    """Changing it replaces the resource."""


class ResourceChange(BaseModel):
    action: Action
    type: str
    name: str
    urn: str
    old_urn: str | None = None
    reason: str = ""
    properties: list[PropertyChange] = Field(default_factory=list)


class StackDiff(BaseModel):
    status: Literal["changed", "unchanged", "new", "base-error"]
    error: str | None = None
    changes: list[ResourceChange] = Field(default_factory=list)

    def count(self, action: Action) -> int:
        return sum(1 for c in self.changes if c.action == action)


class StackPlan(BaseModel):
    stack: str
    env: str
    status: Status
    error: str | None = None
    seconds: float = 0.0
    resource_count: int = 0
    resources: list[ResourceRow] = Field(default_factory=list)
    violations: list[Violation] = Field(default_factory=list)
    unverified: list[Unverified] = Field(default_factory=list)
    exemptions: list[Exemption] = Field(default_factory=list)
    failover: Failover | None = None
    diff: StackDiff | None = None
    debug: str = Field(default="", exclude=True)
    """For ``--debug`` only: the program's traceback or output when it failed."""

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.level == "mandatory"]

    @property
    def advisory(self) -> list[Violation]:
        return [v for v in self.violations if v.level != "mandatory"]

    def type_counts(self) -> Counter[str]:
        return Counter(r.type for r in self.resources)


class PlanReport(BaseModel):
    schema_version: int = 2
    mode: Literal["preview"] = "preview"
    exit_code: int = EXIT_CLEAN
    error: str | None = None
    base: str | None = None
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
