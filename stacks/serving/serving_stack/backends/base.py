"""What a model backend is: the kind of targets behind a model's target group.

A backend owns everything about its kind of targets, in one module:

- its config (the value of the model's key that names it: ``instances: [...]``, ``fleet: {...}``),
  validated by :meth:`ModelBackend.parse`;
- its placement: :meth:`ModelBackend.place` checks the config against the account and the network
  (look-ups happen here, before anything is registered) and returns a :class:`PlacedTargets`:
  how many targets each AZ holds at the least, the default minimum of healthy targets, and
- its resources: :meth:`PlacedTargets.build` registers them (one component) under the model's
  target group; :meth:`ModelBackend.build_shared` builds what the models of one kind share.

Adding a kind is one module with a backend, plus its line in ``backends/__init__.py``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

import pulumi
from pydantic import TypeAdapter, ValidationError

from shared.config import ConfigValueError, error_location
from shared.environments import EnvironmentProfile

if TYPE_CHECKING:
    import pulumi_aws as aws

SpecT = TypeVar("SpecT")


class HealthPath(Protocol):
    @property
    def path(self) -> str: ...


class ServedModel(Protocol):
    """What a backend reads of a model (``serving_stack.config.ModelConfig`` is one); backends
    depend on this, not on the config module that chooses them."""

    @property
    def name(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def health_check(self) -> HealthPath: ...


@dataclass(frozen=True)
class PlacementContext:
    """Where targets may go, for every backend: the ALB's AZs and the network's private subnets."""

    profile: EnvironmentProfile
    availability_zones: list[str]
    private_subnet_ids: list[str]
    """One per AZ, aligned with ``availability_zones``; empty when the network has none."""
    memo: dict[tuple[str, str], Any] = field(default_factory=dict, compare=False)
    """Look-ups already made during this placement (an instance two models list, say)."""
    serving: bool = True
    """Whether the targets being placed get traffic (a version with weight 0 does not)."""

    @property
    def min_targets_per_az(self) -> int:
        """Targets each AZ needs: the profile's, for targets that get traffic."""
        return self.profile.min_targets_per_az if self.serving else 0


@dataclass(frozen=True)
class LogSettings:
    """Where a backend's hosts send their logs (CloudWatch Logs)."""

    retention_days: int
    kms_key_arn: str | None = None


@dataclass(frozen=True)
class TargetsArgs:
    """What a backend's resources attach to; built by the serving layer."""

    name: str
    """Logical name prefix of the model's resources (``serving-<model>``)."""
    physical_name: str
    """``serving-<env>-<model>``: for names and tags AWS shows."""
    env: str
    profile: EnvironmentProfile
    model: ServedModel
    version: str | None
    """The model's version these targets serve; ``None`` for the initial one."""
    target_group: aws.lb.TargetGroup
    load_balancer: aws.lb.LoadBalancer
    attached_by: pulumi.Resource
    """The listener rule (or the HTTPS listener, for the default route) that puts the target
    group behind the ALB: what needs the group to be attached (a scaling policy on requests per
    target) waits for it."""
    security_group_id: pulumi.Input[str]
    """The targets' security group: the only group the ALB may reach."""
    region: str
    logs: LogSettings


@dataclass(frozen=True)
class SharedArgs:
    """What the models of one backend kind may share (e.g. one security group attachment per
    existing instance, however many models list it)."""

    name: str
    security_group: aws.ec2.SecurityGroup


@dataclass(frozen=True)
class PlacedTargets(ABC):
    """A model's targets, checked against the account, ready to build."""

    kind: str
    """The backend's config key."""
    targets_per_zone: dict[str, int]
    """AZ -> targets there at the least (e.g. a fleet at ``minSize``, spread evenly)."""

    @property
    @abstractmethod
    def default_min_healthy(self) -> int:
        """The healthy-hosts alarm threshold when the model does not set ``minHealthyTargets``."""

    @property
    def zones(self) -> list[str]:
        return sorted(z for z, n in self.targets_per_zone.items() if n > 0)

    @abstractmethod
    def build(self, args: TargetsArgs, opts: pulumi.ResourceOptions) -> pulumi.ComponentResource:
        """Register the targets (one component, under the target group) and attach them."""


PlacedT = TypeVar("PlacedT", bound=PlacedTargets)


class ModelBackend(ABC, Generic[SpecT, PlacedT]):
    """One kind of targets. Subclasses set :attr:`key` and :attr:`spec_type`."""

    key: ClassVar[str]
    """The model's config key that selects this backend (camelCase, as in ``Pulumi.<env>.yaml``)."""
    spec_type: ClassVar[Any]
    """What the key's value is validated as (a pydantic model or an annotated type)."""
    target_type: ClassVar[str] = "instance"
    """The target group's ``targetType`` (``instance``, ``ip``, ``lambda``)."""

    def parse(self, value: Any) -> SpecT:
        """The key's value validated; an error blames ``<key>.<field>`` and its value."""
        try:
            return TypeAdapter(self.spec_type).validate_python(value)
        except ValidationError as exc:
            loc, bad, message = error_location(exc)
            raise ConfigValueError(".".join([self.key, *map(str, loc)]), bad, message) from None

    @abstractmethod
    def capacity(self, spec: SpecT) -> int:
        """The fewest targets ``spec`` keeps (0: none, only for a version without traffic)."""

    @abstractmethod
    def place(self, model: ServedModel, spec: SpecT, key: str, ctx: PlacementContext) -> PlacedT:
        """Check ``spec`` against the account and the network; raise a ``ConfigError`` naming
        ``key`` (``serving:models[<i>].<backend key>``) if it cannot work."""

    def build_shared(self, placed: Sequence[PlacedT], args: SharedArgs) -> None:
        """Resources the models of this kind share; none by default."""
