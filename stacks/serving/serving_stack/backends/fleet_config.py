"""A fleet's config (``fleet: {...}``) and the AMI and instance-family facts it rests on.

Keys, with their defaults, in ``backends/fleet.py``.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from shared.aws_values import check_instance_type
from shared.config import ConfigModel, ConfigValueError

# ECS-optimised Amazon Linux 2023 AMIs: Docker (and, for GPUs, the NVIDIA driver and container
# toolkit) preinstalled, patched by AWS.
AMI_PARAMETERS = {
    "x86_64": "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
    "arm64": "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id",
    "nvidia": "/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id",
}
_FAMILY = re.compile(r"^(?P<series>[a-z]+)(?P<generation>\d+)(?P<options>[a-z-]*)$")


def instance_family(instance_type: str) -> tuple[str, int, str]:
    """``g5.2xlarge`` -> ("g", 5, ""); ``m7gd.large`` -> ("m", 7, "gd"); unknown shapes -> ("", 0, "")."""
    match = _FAMILY.match(instance_type.split(".", 1)[0])
    if match is None:
        return "", 0, ""
    return match["series"], int(match["generation"]), match["options"]


def is_graviton(instance_type: str) -> bool:
    series, _, options = instance_family(instance_type)
    return series == "a" or "g" in options.split("-")[0]


def has_nvidia_gpu(instance_type: str) -> bool:
    """G and P families carry NVIDIA GPUs (g4ad carries AMD GPUs)."""
    series, generation, options = instance_family(instance_type)
    return series in ("g", "p") and generation >= 3 and not options.startswith("ad")


LATEST = "latest"
AMI_ID = r"^ami-[0-9a-f]{8,17}$"


def _ami(value: str) -> str:
    if value != LATEST and not re.match(AMI_ID, value):
        raise ValueError(
            "pin an AMI id (ami-...; a new image is then a reviewed config change) or say latest "
            "(AWS's ECS image, read at every deploy: a new one rolls the fleet)"
        )
    return value


class FleetConfig(ConfigModel):
    image: str = Field(
        pattern=r"^[a-z0-9.-]+(:\d+)?/[a-z0-9._/-]+(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})$"
    )
    ami: Annotated[str, AfterValidator(_ami)]
    instance_type: Annotated[str, AfterValidator(check_instance_type)] = "m7i.large"
    min_size: int = Field(default=3, ge=0, le=1000)
    """0 only for a version without traffic (its capacity retired)."""
    max_size: int = Field(default=6, ge=0, le=1000)
    requests_per_target: int = Field(default=100, ge=1, le=100000)
    health_check_grace_seconds: int = Field(default=180, ge=0, le=7200)
    volume_size_gb: int = Field(default=40, ge=8, le=16384)
    ami_parameter: str | None = Field(default=None, pattern=r"^/[A-Za-z0-9_./-]+$")
    container_credentials: bool = False

    @model_validator(mode="after")
    def _sizes(self) -> FleetConfig:
        if self.max_size < self.min_size:
            raise ConfigValueError(
                "maxSize", self.max_size, f"must be at least minSize ({self.min_size})"
            )
        if self.ami_parameter is not None and self.pinned:
            raise ConfigValueError(
                "amiParameter",
                self.ami_parameter,
                f"only with ami: latest (ami {self.ami} is pinned)",
            )
        if self.ami_parameter is None and self.gpus and is_graviton(self.instance_type):
            raise ConfigValueError(
                "amiParameter",
                None,
                f"no ECS GPU AMI for Graviton ({self.instance_type}): name an AMI parameter",
            )
        return self

    @property
    def pinned(self) -> bool:
        return self.ami != LATEST

    @property
    def architecture(self) -> str:
        return "arm64" if is_graviton(self.instance_type) else "x86_64"

    @property
    def gpus(self) -> bool:
        """Run the container with ``--gpus all`` (NVIDIA instance families)."""
        return has_nvidia_gpu(self.instance_type)

    @property
    def image_parameter(self) -> str:
        """The SSM parameter holding the AMI id: configured, or the ECS AMI for the instance type."""
        if self.ami_parameter is not None:
            return self.ami_parameter
        if self.gpus:
            return AMI_PARAMETERS["nvidia"]
        return AMI_PARAMETERS["arm64" if is_graviton(self.instance_type) else "x86_64"]

    @property
    def ecr_registry(self) -> str | None:
        """The ECR registry host of the image, if it is in ECR (needs a docker login)."""
        host = self.image.split("/", 1)[0]
        return host if re.match(r"^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$", host) else None
