"""shared.config: namespace decoding and one-line errors naming file, key and value."""

from __future__ import annotations

from typing import Literal

import pytest
from pydantic import Field, model_validator

from shared.config import ConfigError, ConfigModel, ConfigValueError, StackConfigModel, load_config


class HealthCheck(ConfigModel):
    path: str = "/health"
    interval_seconds: int = Field(default=5, ge=5, le=300)
    timeout_seconds: int = 4

    @model_validator(mode="after")
    def _timeout_below_interval(self) -> HealthCheck:
        if self.timeout_seconds >= self.interval_seconds:
            raise ConfigValueError(
                "timeoutSeconds",
                self.timeout_seconds,
                f"must be less than intervalSeconds ({self.interval_seconds})",
            )
        return self


class Model(ConfigModel):
    name: str
    port: int = Field(default=8080, ge=1, le=65535)
    health_check: HealthCheck = HealthCheck()


class Example(StackConfigModel):
    cost_center: str
    scheme: Literal["internet-facing", "internal"] = "internal"
    deletion_protection: bool = True
    models: list[Model]


def _load(values: dict[str, str], stack: str = "prod") -> Example:
    return load_config(Example, "serving", config=values, stack=stack)


def test_values_are_decoded_and_camel_case_keys_map_to_fields() -> None:
    loaded = _load(
        {
            "serving:costCenter": "ml-42",
            "serving:deletionProtection": "false",
            "serving:models": '[{"name": "llm", "port": 9000, "healthCheck": {"path": "/ready"}}]',
            "network:mode": "create",
            "aws:region": "eu-west-1",
        }
    )
    assert loaded.cost_center == "ml-42"
    assert loaded.deletion_protection is False
    assert loaded.models == [Model(name="llm", port=9000, health_check=HealthCheck(path="/ready"))]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {"serving:models": '[{"name": "llm"}]'},
            "Pulumi.prod.yaml: serving:costCenter = <missing>: Field required",
        ),
        (
            {"serving:costCenter": "c", "serving:models": '[{"name": "llm", "port": 70000}]'},
            "Pulumi.prod.yaml: serving:models[0].port = 70000: Input should be less than or equal to 65535",
        ),
        (
            {"serving:costCenter": "c", "serving:scheme": "public", "serving:models": "[]"},
            "Pulumi.prod.yaml: serving:scheme = 'public': Input should be 'internet-facing' or 'internal'",
        ),
        (
            {
                "serving:costCenter": "c",
                "serving:models": '[{"name": "a"}, {"name": "b", "healthCheck": {"timeoutSeconds": 5}}]',
            },
            "Pulumi.prod.yaml: serving:models[1].healthCheck.timeoutSeconds = 5: must be less than intervalSeconds (5)",
        ),
        (
            {"serving:costCenter": "c", "serving:models": "[]", "serving:idleTimout": "60"},
            "Pulumi.prod.yaml: serving:idleTimout = '60': Extra inputs are not permitted",
        ),
    ],
)
def test_errors_are_one_line_with_file_key_and_value(values: dict[str, str], expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(values)
    assert str(caught.value) == expected


def test_several_errors_are_counted_on_the_same_line() -> None:
    with pytest.raises(ConfigError) as caught:
        _load({"serving:scheme": "x"}, stack="dev")
    message = str(caught.value)
    assert message.startswith("Pulumi.dev.yaml: serving:costCenter = <missing>: Field required")
    assert message.endswith("(and 2 more)")
    assert "\n" not in message


def test_config_error_is_a_pulumi_run_error() -> None:
    import pulumi

    assert issubclass(ConfigError, pulumi.RunError)
