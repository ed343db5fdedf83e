"""Values AWS enumerates, pinned here so a config that AWS would refuse stops at config time.

Re-check these lists when AWS publishes new ones (``aws elbv2 describe-ssl-policies``, the
CloudWatch Logs ``PutRetentionPolicy`` reference, the EC2 instance type list): a name missing here
is refused with a message naming this file.
"""

from __future__ import annotations

import re

# CloudWatch Logs PutRetentionPolicy: the only retention periods it accepts.
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
)  # fmt: skip

# ELB security policies an HTTPS listener of an Application Load Balancer accepts (2026-12).
_TLS13 = ("1-2-Res", "1-2", "1-2-Ext1", "1-2-Ext2", "1-1", "1-0", "1-3")
_FIPS = ("1-3", "1-2-Res", "1-2", "1-2-Ext0", "1-2-Ext1", "1-2-Ext2", "1-1", "1-0")
ALB_TLS_POLICIES: frozenset[str] = frozenset(
    [f"ELBSecurityPolicy-TLS13-{v}-2021-06" for v in _TLS13]
    + [f"ELBSecurityPolicy-TLS13-{v}-PQ-2025-09" for v in _TLS13]
    + [f"ELBSecurityPolicy-TLS13-{v}-FIPS-2023-04" for v in _FIPS]
    + [f"ELBSecurityPolicy-TLS13-{v}-FIPS-PQ-2025-09" for v in _FIPS]
    + [
        "ELBSecurityPolicy-FS-1-2-Res-2020-10",
        "ELBSecurityPolicy-FS-1-2-Res-2019-08",
        "ELBSecurityPolicy-FS-1-2-2019-08",
        "ELBSecurityPolicy-FS-1-1-2019-08",
        "ELBSecurityPolicy-FS-2018-06",
        "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
        "ELBSecurityPolicy-TLS-1-2-2017-01",
        "ELBSecurityPolicy-TLS-1-1-2017-01",
        "ELBSecurityPolicy-TLS-1-0-2015-04",
        "ELBSecurityPolicy-2016-08",
        "ELBSecurityPolicy-2015-05",
    ]
)

# EC2 instance families by series (the letters before the generation), and the sizes AWS sells.
INSTANCE_SERIES = frozenset(
    {"a", "c", "d", "dl", "f", "g", "gr", "h", "hpc", "i", "im", "inf", "is", "m", "mac", "p",
     "r", "t", "trn", "u", "vt", "x", "z"}
)  # fmt: skip
INSTANCE_TYPE = re.compile(
    r"^(?P<series>[a-z]+)(?P<generation>[1-9][0-9]?)(?P<options>[a-z-]*)\."
    r"(?P<size>nano|micro|small|medium|large|xlarge|[1-9][0-9]*xlarge|metal(-[1-9][0-9]*xl)?)$"
)


def check_log_retention(days: int) -> int:
    """``days`` if CloudWatch Logs accepts it as a retention period."""
    if days not in LOG_RETENTION_DAYS:
        nearest = min(LOG_RETENTION_DAYS, key=lambda allowed: (abs(allowed - days), allowed))
        raise ValueError(
            f"CloudWatch Logs keeps logs for one of {', '.join(map(str, LOG_RETENTION_DAYS))} days "
            f"(nearest: {nearest})"
        )
    return days


def check_alb_tls_policy(name: str) -> str:
    if name not in ALB_TLS_POLICIES:
        raise ValueError(
            "not an ELB security policy an ALB accepts (see shared/aws_values.py; e.g. "
            "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09)"
        )
    return name


def check_instance_type(name: str) -> str:
    match = INSTANCE_TYPE.match(name)
    if match is None or match["series"] not in INSTANCE_SERIES:
        raise ValueError(
            "not an EC2 instance type (<family>.<size>, e.g. m7i.large, g5.2xlarge, c7g.metal)"
        )
    return name
