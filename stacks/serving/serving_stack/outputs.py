"""Export the serving stack's outputs, exactly the fields of ``shared.serving_outputs.ServingOutputs``.

Besides what clients and tools use (the ALB, the URL, each model's route and versions), the
outputs say what ``make verify`` compares with AWS: every setting the config decides. What the
code fixes (HTTP/2, the balancing algorithm, the ports...) are the defaults of
``shared/serving_outputs.py``; ``tests/verify/test_stack_exports.py`` fails if the two drift apart.
"""

from __future__ import annotations

from typing import Any

import pulumi

from serving_stack.access_logs import NONCURRENT_DAYS, log_writer_principal
from serving_stack.config import ModelConfig, ServingConfig
from serving_stack.placement import Placement
from serving_stack.serving_layer import ModelResources, ModelServingLayer
from shared.environments import EnvironmentProfile
from shared.serving_outputs import FailoverFigures, ListenerSettings


def failover_figures(cfg: ServingConfig, placement: Placement) -> FailoverFigures:
    """What the config implies, worst case over the models.

    ``min_healthy_per_az``: the fewest targets any version with traffic has in any AZ of the ALB
    (as each backend placed them: existing instances as listed; a fleet at ``minSize``, which Auto
    Scaling spreads evenly over the AZs). 0 means some AZ has no target of some model: that model
    does not survive losing the others.
    """
    return FailoverFigures(
        detection_seconds=max(m.health_check.detection_seconds for m in cfg.models),
        recovery_seconds=max(m.health_check.recovery_seconds for m in cfg.models),
        drain_seconds=max(m.deregistration_delay_seconds for m in cfg.models),
        az_count=len(placement.availability_zones),
        min_healthy_per_az=placement.min_targets_per_alb_zone,
    )


def target_group_settings(model: ModelConfig) -> dict[str, Any]:
    """What verify compares on each of the model's target groups."""
    hc = model.health_check
    return {
        "protocol": model.backend_protocol,
        "deregistration_delay_seconds": model.deregistration_delay_seconds,
        "slow_start_seconds": model.slow_start_seconds,
        "health_check": {
            "protocol": model.backend_protocol,
            "interval_seconds": hc.interval_seconds,
            "timeout_seconds": hc.timeout_seconds,
            "healthy_threshold": hc.healthy_threshold,
            "unhealthy_threshold": hc.unhealthy_threshold,
            "matcher": hc.matcher,
        },
    }


def _model_output(r: ModelResources, placement: Placement) -> dict[str, Any]:
    """One model: its route, its versions with their weights, and (for tools that read one target
    group per model) the version with the most weight."""
    versions = {
        name: {
            "name": name,
            "weight": v.version.weight,
            "target_group_arn": v.target_group.arn,
            "targets": v.placed.kind,
            "min_healthy_targets": v.min_healthy,
            "min_healthy_per_az": placement.min_targets_per_zone([v.placed]),
            "alarm_names": [alarm.name for alarm in v.alarms],
        }
        for name, v in r.versions.items()
    }
    main = max(r.versions.values(), key=lambda v: v.version.weight)
    return {
        "name": r.model.name,
        "route": {"kind": r.route.kind, "value": r.route.value, "priority": r.route.priority},
        "target_group_arn": main.target_group.arn,
        "port": r.model.port,
        "health_check_path": r.model.health_check.path,
        "targets": main.placed.kind,
        "min_healthy_targets": main.min_healthy,
        "weighted": r.model.weighted,
        "stickiness_seconds": r.model.stickiness_seconds,
        "versions": versions,
        "target_group_settings": target_group_settings(r.model),
    }


def _verify_settings(cfg: ServingConfig, region: str) -> None:
    managed = cfg.access_logs.bucket is None
    pulumi.export("alb_settings", {"idle_timeout_seconds": cfg.idle_timeout_seconds})
    pulumi.export("listener_settings", ListenerSettings().model_dump())
    pulumi.export(
        "log_bucket_settings",
        {
            "managed": managed,
            "writer_principal": log_writer_principal(region),
            "retention_days": cfg.access_logs.retention_days if managed else None,
            "versioning": True if managed else None,
            "noncurrent_version_expiry_days": NONCURRENT_DAYS if managed else None,
        },
    )


def export_outputs(
    cfg: ServingConfig,
    profile: EnvironmentProfile,
    placement: Placement,
    layer: ModelServingLayer,
    region: str,
) -> None:
    door = layer.front_door
    alb = door.load_balancer
    pulumi.export("alb_arn", alb.arn)
    pulumi.export("alb_dns_name", alb.dns_name)
    pulumi.export("alb_zone_id", alb.zone_id)
    # The name the certificate covers: the ALB's own DNS name never is.
    pulumi.export("url", f"https://{cfg.service_name}")
    pulumi.export("scheme", cfg.scheme)
    pulumi.export("availability_zones", placement.availability_zones)
    pulumi.export("https_listener_arn", door.https_listener.arn)
    pulumi.export("http_listener_arn", door.http_listener.arn)
    pulumi.export("tls_policy", cfg.tls_policy)
    pulumi.export("certificate_arn", door.certificate_arn)
    pulumi.export("log_bucket", door.log_bucket_name)
    pulumi.export("deletion_protection", cfg.deletion_protection_for(profile))
    pulumi.export("desync_mitigation_mode", cfg.desync_mitigation_mode)
    pulumi.export("models", {name: _model_output(r, placement) for name, r in layer.models.items()})
    pulumi.export("failover", failover_figures(cfg, placement).model_dump())
    _verify_settings(cfg, region)
