"""CloudWatch alarms per model: unhealthy hosts, too few healthy hosts, 5xx rate, p99 latency."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from serving_stack.config import AlarmsConfig

PERIOD_SECONDS = 60


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
    dimensions = {"LoadBalancer": load_balancer.arn_suffix, "TargetGroup": target_group.arn_suffix}
    common: dict[str, Any] = {
        "alarm_actions": actions,
        "ok_actions": actions,
        "evaluation_periods": 2,
        "datapoints_to_alarm": 2,
        "opts": opts,
    }
    return [
        aws.cloudwatch.MetricAlarm(
            f"{name}-unhealthy-hosts",
            alarm_description=f"{model}: a target failed its health check",
            namespace="AWS/ApplicationELB",
            metric_name="UnHealthyHostCount",
            dimensions=dimensions,
            statistic="Maximum",
            period=PERIOD_SECONDS,
            comparison_operator="GreaterThanThreshold",
            threshold=0,
            treat_missing_data="notBreaching",
            **common,
        ),
        aws.cloudwatch.MetricAlarm(
            f"{name}-healthy-hosts-low",
            alarm_description=f"{model}: fewer than {min_healthy} healthy targets",
            namespace="AWS/ApplicationELB",
            metric_name="HealthyHostCount",
            dimensions=dimensions,
            statistic="Minimum",
            period=PERIOD_SECONDS,
            comparison_operator="LessThanThreshold",
            threshold=min_healthy,
            treat_missing_data="breaching",
            **common,
        ),
        aws.cloudwatch.MetricAlarm(
            f"{name}-target-5xx-rate",
            alarm_description=f"{model}: more than {cfg.target_5xx_percent}% of requests fail with a target 5xx",
            comparison_operator="GreaterThanThreshold",
            threshold=cfg.target_5xx_percent,
            treat_missing_data="notBreaching",
            metric_queries=[
                aws.cloudwatch.MetricAlarmMetricQueryArgs(
                    id="errors",
                    metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                        namespace="AWS/ApplicationELB",
                        metric_name="HTTPCode_Target_5XX_Count",
                        dimensions=dimensions,
                        period=PERIOD_SECONDS,
                        stat="Sum",
                    ),
                ),
                aws.cloudwatch.MetricAlarmMetricQueryArgs(
                    id="requests",
                    metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                        namespace="AWS/ApplicationELB",
                        metric_name="RequestCount",
                        dimensions=dimensions,
                        period=PERIOD_SECONDS,
                        stat="Sum",
                    ),
                ),
                aws.cloudwatch.MetricAlarmMetricQueryArgs(
                    id="rate",
                    expression="100 * errors / MAX([requests, 1])",
                    label="target 5xx %",
                    return_data=True,
                ),
            ],
            **common,
        ),
        aws.cloudwatch.MetricAlarm(
            f"{name}-p99-latency",
            alarm_description=f"{model}: p99 target response time above {cfg.p99_latency_seconds}s",
            namespace="AWS/ApplicationELB",
            metric_name="TargetResponseTime",
            dimensions=dimensions,
            extended_statistic="p99",
            period=PERIOD_SECONDS,
            comparison_operator="GreaterThanThreshold",
            threshold=cfg.p99_latency_seconds,
            treat_missing_data="notBreaching",
            **common,
        ),
    ]
