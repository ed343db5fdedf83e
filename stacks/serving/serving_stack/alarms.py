"""CloudWatch alarms per model: unhealthy hosts, too few healthy hosts, 5xx rate, p99 latency."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from serving_stack.config import AlarmsConfig

PERIOD_SECONDS = 60


@dataclass(frozen=True)
class _Alarms:
    """What every alarm of one model shares."""

    name: str
    model: str
    dimensions: dict[str, pulumi.Output[str]]
    common: dict[str, Any]


def create_model_alarms(
    name: str,
    *,
    model: str,
    min_healthy: int,
    cfg: AlarmsConfig,
    load_balancer: aws.lb.LoadBalancer,
    target_group: aws.lb.TargetGroup,
    opts: pulumi.ResourceOptions,
) -> list[aws.cloudwatch.MetricAlarm]:
    actions = [cfg.sns_topic_arn] if cfg.sns_topic_arn else []
    alarms = _Alarms(
        name=name,
        model=model,
        dimensions={
            "LoadBalancer": load_balancer.arn_suffix,
            "TargetGroup": target_group.arn_suffix,
        },
        common={
            "alarm_actions": actions,
            "ok_actions": actions,
            "evaluation_periods": 2,
            "datapoints_to_alarm": 2,
            "opts": opts,
        },
    )
    return [
        *_host_alarms(alarms, min_healthy),
        _error_rate_alarm(alarms, cfg.target_5xx_percent),
        _latency_alarm(alarms, cfg.p99_latency_seconds),
    ]


def _host_alarms(alarms: _Alarms, min_healthy: int) -> list[aws.cloudwatch.MetricAlarm]:
    return [
        aws.cloudwatch.MetricAlarm(
            f"{alarms.name}-unhealthy-hosts",
            alarm_description=f"{alarms.model}: a target failed its health check",
            namespace="AWS/ApplicationELB",
            metric_name="UnHealthyHostCount",
            dimensions=alarms.dimensions,
            statistic="Maximum",
            period=PERIOD_SECONDS,
            comparison_operator="GreaterThanThreshold",
            threshold=0,
            treat_missing_data="notBreaching",
            **alarms.common,
        ),
        aws.cloudwatch.MetricAlarm(
            f"{alarms.name}-healthy-hosts-low",
            alarm_description=f"{alarms.model}: fewer than {min_healthy} healthy targets",
            namespace="AWS/ApplicationELB",
            metric_name="HealthyHostCount",
            dimensions=alarms.dimensions,
            statistic="Minimum",
            period=PERIOD_SECONDS,
            comparison_operator="LessThanThreshold",
            threshold=min_healthy,
            treat_missing_data="breaching",
            **alarms.common,
        ),
    ]


def _metric(
    alarms: _Alarms, query_id: str, metric_name: str
) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
    return aws.cloudwatch.MetricAlarmMetricQueryArgs(
        id=query_id,
        metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
            namespace="AWS/ApplicationELB",
            metric_name=metric_name,
            dimensions=alarms.dimensions,
            period=PERIOD_SECONDS,
            stat="Sum",
        ),
    )


def _error_rate_alarm(alarms: _Alarms, percent: float) -> aws.cloudwatch.MetricAlarm:
    return aws.cloudwatch.MetricAlarm(
        f"{alarms.name}-target-5xx-rate",
        alarm_description=f"{alarms.model}: more than {percent}% of requests fail with a target 5xx",
        comparison_operator="GreaterThanThreshold",
        threshold=percent,
        treat_missing_data="notBreaching",
        metric_queries=[
            _metric(alarms, "errors", "HTTPCode_Target_5XX_Count"),
            _metric(alarms, "requests", "RequestCount"),
            aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id="rate",
                # The ALB publishes no 5xx datapoint in a minute without errors: FILL it with 0,
                # and a minute without requests is 0 %, not a division by zero.
                expression="IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)",
                label="target 5xx %",
                return_data=True,
            ),
        ],
        **alarms.common,
    )


def _latency_alarm(alarms: _Alarms, seconds: float) -> aws.cloudwatch.MetricAlarm:
    return aws.cloudwatch.MetricAlarm(
        f"{alarms.name}-p99-latency",
        alarm_description=f"{alarms.model}: p99 target response time above {seconds}s",
        namespace="AWS/ApplicationELB",
        metric_name="TargetResponseTime",
        dimensions=alarms.dimensions,
        extended_statistic="p99",
        period=PERIOD_SECONDS,
        comparison_operator="GreaterThanThreshold",
        threshold=seconds,
        treat_missing_data="notBreaching",
        **alarms.common,
    )
