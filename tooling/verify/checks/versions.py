"""What a model serves from: one target group per version with its weight and its minimums.

A model without versions (``weighted`` false: today's stacks, and older outputs that do not
export versions) is its one target group, checked as before against the ALB-wide minimum per AZ.
A model with versions is one :class:`Served` per version, each with its own group in the report.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.serving_outputs import ModelOutput, ServingOutputs


def group_of(model: ModelOutput) -> str:
    return f"model {model.name}"


@dataclass(frozen=True)
class Served:
    """One target group of a model, and what it must hold."""

    model: ModelOutput
    arn: str
    group: str
    """The report's group: ``model llm-chat``, or ``model llm-chat version v2``."""
    version: str | None
    """The version's name; ``None`` for a model without versions."""
    weight: int
    min_per_az: int
    min_total: int

    @property
    def label(self) -> str:
        """``llm-chat`` or ``llm-chat/v2``: for one-line progress."""
        return self.model.name if self.version is None else f"{self.model.name}/{self.version}"


def versioned(model: ModelOutput) -> bool:
    """The model forwards to its versions with weights (and says which they are)."""
    return model.weighted and bool(model.versions)


def served(outputs: ServingOutputs, model: ModelOutput) -> list[Served]:
    if not versioned(model):
        return [
            Served(
                model, model.target_group_arn, group_of(model), None, 1,
                outputs.failover.min_healthy_per_az, model.min_healthy_targets,
            )
        ]  # fmt: skip
    return [
        Served(
            model, v.target_group_arn, f"{group_of(model)} version {v.name}", v.name, v.weight,
            v.min_healthy_per_az, v.min_healthy_targets,
        )
        for v in model.versions.values()
    ]  # fmt: skip


def model_arns(model: ModelOutput) -> list[str]:
    """Every target group the model forwards to (its versions', or its one)."""
    if not versioned(model):
        return [model.target_group_arn]
    return [v.target_group_arn for v in model.versions.values()]


def version_of(model: ModelOutput, arn: str) -> str | None:
    return next((v.name for v in model.versions.values() if v.target_group_arn == arn), None)
