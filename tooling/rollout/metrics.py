"""What CloudWatch says about a version over a window: requests, target 5xx, p99 latency, alarms.

The ALB's own metrics (namespace ``AWS/ApplicationELB``) per target group, with the dimensions
``TargetGroup`` and ``LoadBalancer`` (the ARN suffixes, as the stack's alarms use them):
``RequestCount`` and ``HTTPCode_Target_5XX_Count`` summed, ``TargetResponseTime`` at ``p99``,
each over the whole window in one period, for both versions in one ``GetMetricData`` call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

NAMESPACE = "AWS/ApplicationELB"
PERIOD_STEP = 60
"""GetMetricData periods of a minute or more are multiples of 60 s."""


@dataclass(frozen=True)
class Figures:
    """One version over one window."""

    requests: int
    errors: int
    p99: float | None
    """Seconds; None without data."""

    @property
    def error_percent(self) -> float:
        return 100.0 * self.errors / self.requests if self.requests else 0.0

    def as_record(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "target_5xx": self.errors,
            "target_5xx_percent": round(self.error_percent, 4),
            "p99_seconds": self.p99,
        }


NO_DATA = Figures(0, 0, None)


def dimension_value(arn: str) -> str:
    """``targetgroup/name/id`` or ``app/name/id`` (an ARN's resource part, as the stack's alarms'
    ``arn_suffix``): what CloudWatch's ``TargetGroup`` and ``LoadBalancer`` dimensions take."""
    return arn.split(":", 5)[5].removeprefix("loadbalancer/")


def _query(qid: str, metric: str, stat: str, dimensions: list[dict[str, str]], period: int) -> Any:
    return {
        "Id": qid,
        "MetricStat": {
            "Metric": {"Namespace": NAMESPACE, "MetricName": metric, "Dimensions": dimensions},
            "Period": period,
            "Stat": stat,
        },
    }


def _queries(groups: dict[str, str], alb_arn: str, period: int) -> list[Any]:
    queries = []
    for key, arn in groups.items():
        dimensions = [
            {"Name": "TargetGroup", "Value": dimension_value(arn)},
            {"Name": "LoadBalancer", "Value": dimension_value(alb_arn)},
        ]
        queries += [
            _query(f"{key}_requests", "RequestCount", "Sum", dimensions, period),
            _query(f"{key}_errors", "HTTPCode_Target_5XX_Count", "Sum", dimensions, period),
            _query(f"{key}_p99", "TargetResponseTime", "p99", dimensions, period),
        ]
    return queries


def read_figures(
    cloudwatch: Any, alb_arn: str, groups: dict[str, str], start: datetime, end: datetime
) -> dict[str, Figures]:
    """``groups`` is key -> target group ARN (keys: letters, digits, ``_``); each key's figures."""
    seconds = (end - start).total_seconds()
    if seconds < 1:
        return dict.fromkeys(groups, NO_DATA)
    period = max(PERIOD_STEP, math.ceil(seconds / PERIOD_STEP) * PERIOD_STEP)
    values: dict[str, list[float]] = {}
    kwargs: dict[str, Any] = {
        "MetricDataQueries": _queries(groups, alb_arn, period),
        "StartTime": start,
        "EndTime": end,
    }
    while True:
        answer = cloudwatch.get_metric_data(**kwargs)
        for result in answer.get("MetricDataResults", []):
            values.setdefault(result["Id"], []).extend(float(v) for v in result.get("Values", []))
        if not answer.get("NextToken"):
            break
        kwargs["NextToken"] = answer["NextToken"]
    return {
        key: Figures(
            requests=round(sum(values.get(f"{key}_requests", []))),
            errors=round(sum(values.get(f"{key}_errors", []))),
            p99=max(values[f"{key}_p99"]) if values.get(f"{key}_p99") else None,
        )
        for key in groups
    }


def alarms_firing(cloudwatch: Any, names: list[str]) -> list[tuple[str, str]]:
    """``(name, reason)`` of each of ``names`` in state ``ALARM``."""
    firing: list[tuple[str, str]] = []
    for start in range(0, len(names), 100):  # DescribeAlarms takes at most 100 names
        paginator = cloudwatch.get_paginator("describe_alarms")
        for page in paginator.paginate(AlarmNames=names[start : start + 100]):
            for alarm in page.get("MetricAlarms", []):
                if alarm.get("StateValue") == "ALARM":
                    firing.append((alarm["AlarmName"], alarm.get("StateReason", "")))
    return firing
