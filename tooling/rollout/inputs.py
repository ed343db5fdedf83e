"""What a rollout is asked to do, checked before anything runs: :func:`plan_rollout`.

``ENV``, ``MODEL``, ``TO``, ``STEPS``, ``BAKE`` and ``RETIRE`` against the env file and the serving
config model: the model and both versions exist, only the current version and the new one carry
traffic, the steps rise and end at 100 (the ``serving:rollout`` model's own rule), and the file of
every step (and of the retirement) is one the serving program would accept. Each problem is one
line and exit 2, before a file is written or a command is run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from serving_stack.config import RolloutConfig, ServingConfig
from shared.environments import ENVIRONMENTS
from shared.stacks import STACKS
from tooling.deploy.environment import LOCAL_ENV
from tooling.rollout.config_file import RolloutConfigError, ServingFile

USAGE = 2
VALID_ENVS = (*ENVIRONMENTS, LOCAL_ENV)
MAX_BAKE_SECONDS = 86400
HEALTH_TIMEOUT_SECONDS = 900
"""How long the new version may take to be healthy in every AZ after a deploy (``--health-timeout``:
a fleet with a long health-check grace needs more)."""


class RolloutError(Exception):
    """One line on stderr, then exit with ``code`` (2: bad input, nothing ran)."""

    def __init__(self, message: str, code: int = USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Request:
    """The inputs as given (``make rollout`` passes the variables, empty when unset)."""

    env: str
    model: str
    to: str
    steps: str = ""
    bake: str = ""
    retire: bool = False
    health_timeout: str = ""


@dataclass(frozen=True)
class Plan:
    env: str
    model: str
    to: str
    previous: str
    """The version that has the traffic now; it gets what the new one does not."""
    steps: list[int]
    bake_seconds: int
    limits: RolloutConfig
    retire: bool
    path: Path
    start_weights: dict[str, int]
    health_timeout: int = HEALTH_TIMEOUT_SECONDS

    def weights(self, percent: int) -> dict[str, int]:
        """The model's weights at a step: the new version ``percent``, the previous the rest."""
        return {**self.start_weights, self.to: percent, self.previous: 100 - percent}

    @property
    def rolled_back(self) -> dict[str, int]:
        """Every weight as it was, except all of the new version's back on the previous one."""
        return {**self.start_weights, self.to: 0, self.previous: 100}


def _required(request: Request) -> None:
    if request.env not in VALID_ENVS:
        what = f"unknown ENV={request.env!r}" if request.env else "ENV is required"
        raise RolloutError(f"{what}; expected one of: {', '.join(VALID_ENVS)}")
    for name, value in (("MODEL", request.model), ("TO", request.to)):
        if not value.strip():
            raise RolloutError(
                f"{name} is required (e.g. make rollout ENV={request.env} MODEL=llm-chat TO=v2)"
            )


def parse_steps(text: str, default: list[int]) -> list[int]:
    """``10,50,100`` as percents; the rule of ``serving:rollout.steps`` (rise, end at 100)."""
    if not text.strip():
        return default
    try:
        steps = [int(part) for part in text.split(",")]
    except ValueError:
        raise RolloutError(
            f"STEPS={text!r}: expected percents separated by commas, e.g. 10,50,100"
        ) from None
    try:
        return RolloutConfig.model_validate({"steps": steps}).steps
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        raise RolloutError(f"STEPS={text!r}: {message}") from None


def parse_seconds(name: str, text: str, default: int, *, least: int = 0) -> int:
    """``BAKE``, ``HEALTH_TIMEOUT``: whole seconds, up to a day; empty is the default."""
    if not text.strip():
        return default
    try:
        seconds = int(text)
    except ValueError:
        seconds = -1
    if not least <= seconds <= MAX_BAKE_SECONDS:
        raise RolloutError(f"{name}={text!r}: expected seconds, from {least} to {MAX_BAKE_SECONDS}")
    return seconds


def _previous(file: ServingFile, model: str, to: str, weights: dict[str, int]) -> str:
    """The one other version with traffic; the new one must not have all of it already."""
    if to not in weights:
        raise RolloutError(
            f"{file.path}: model {model!r} has no version {to!r} "
            f"(it has: {', '.join(weights)}): add it with weight 0, then roll out"
        )
    serving = {name: w for name, w in weights.items() if w > 0 and name != to}
    if not serving:
        raise RolloutError(f"{file.path}: {model!r}: {to!r} already has all the traffic")
    if len(serving) > 1:
        listed = ", ".join(f"{n}={w}" for n, w in serving.items())
        raise RolloutError(
            f"{file.path}: {model!r}: a rollout moves traffic from one version to another, but "
            f"{listed} all carry traffic: give all but one of them weight 0 first"
        )
    return next(iter(serving))


def _check_files(file: ServingFile, plan: Plan) -> ServingConfig:
    """Every file the rollout will write, validated as the program would read it."""
    try:
        config = file.validate(plan.env)
        for step in plan.steps:
            file.set_weights(plan.model, plan.weights(step))
            file.validate(plan.env)
        if plan.retire:
            file.drop_version(plan.model, plan.previous)
            file.validate(plan.env)
    except RolloutConfigError as error:
        raise RolloutError(str(error)) from None
    return config


def plan_rollout(request: Request) -> Plan:
    """The checked plan, or :class:`RolloutError` (exit 2) before anything has run."""
    _required(request)
    path = STACKS["serving"].config_file(request.env)
    try:
        file = ServingFile.read(path)
        weights = file.weights(request.model)
        config = file.validate(request.env)
    except RolloutConfigError as error:
        raise RolloutError(str(error)) from None
    previous = _previous(file, request.model, request.to, weights)
    plan = Plan(
        env=request.env,
        model=request.model,
        to=request.to,
        previous=previous,
        steps=parse_steps(request.steps, config.rollout.steps),
        bake_seconds=parse_seconds("BAKE", request.bake, config.rollout.bake_seconds),
        limits=config.rollout,
        retire=request.retire,
        path=path,
        start_weights=weights,
        health_timeout=parse_seconds(
            "HEALTH_TIMEOUT", request.health_timeout, HEALTH_TIMEOUT_SECONDS, least=1
        ),
    )
    _check_files(ServingFile.read(path), plan)
    return plan
