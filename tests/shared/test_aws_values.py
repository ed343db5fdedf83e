from __future__ import annotations

import pytest

from shared.aws_values import check_alb_tls_policy, check_instance_type, check_log_retention


@pytest.mark.parametrize("days", [1, 30, 365, 3653])
def test_retention_periods_cloudwatch_accepts(days: int) -> None:
    assert check_log_retention(days) == days


@pytest.mark.parametrize(("days", "nearest"), [(0, 1), (31, 30), (364, 365), (3650, 3653)])
def test_other_retention_periods_are_refused_with_the_nearest(days: int, nearest: int) -> None:
    with pytest.raises(ValueError, match=rf"\(nearest: {nearest}\)$"):
        check_log_retention(days)


@pytest.mark.parametrize(
    "policy",
    [
        "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
        "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
        "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
        "ELBSecurityPolicy-2016-08",
    ],
)
def test_policies_an_alb_accepts(policy: str) -> None:
    assert check_alb_tls_policy(policy) == policy


@pytest.mark.parametrize(
    "policy", ["ELBSecurityPolicy-TLS13-1-2-2025-09", "elbsecuritypolicy-2016-08", "TLS13"]
)
def test_names_aws_would_refuse(policy: str) -> None:
    with pytest.raises(ValueError, match="not an ELB security policy"):
        check_alb_tls_policy(policy)


@pytest.mark.parametrize(
    "name", ["m7i.large", "g5.2xlarge", "c7gn.metal", "p5.48xlarge", "t3.micro"]
)
def test_instance_types(name: str) -> None:
    assert check_instance_type(name) == name


@pytest.mark.parametrize("name", ["m7i.larg", "g5.2xl", "q5.large", "m7i", "M7i.large"])
def test_instance_type_typos(name: str) -> None:
    with pytest.raises(ValueError, match="not an EC2 instance type"):
        check_instance_type(name)
