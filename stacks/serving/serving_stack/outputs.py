"""Export the serving stack's outputs, exactly the fields of ``shared.serving_outputs.ServingOutputs``."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from serving_stack.access_logs import log_writer_principal
from serving_stack.config import ModelConfig, ServingConfig
from serving_stack.placement import Placement
from serving_stack.serving_layer import ModelServingLayer
from shared.serving_outputs import FailoverFigures, ListenerSettings


def failover_figures(cfg: ServingConfig, placement: Placement) -> FailoverFigures:
    """What the config implies, worst case over the models.

    ``min_healthy_per_az``: the fewest targets any model has in any AZ of the ALB (existing
    instances as listed; a fleet at ``minSize``, which Auto Scaling spreads evenly over the AZs).
    0 means some AZ has no target of some model: that model does not survive losing the others.
    """
    return FailoverFigures(
        detection_seconds=max(m.health_check.detection_seconds for m in cfg.models),
        recovery_seconds=max(m.health_check.recovery_seconds for m in cfg.models),
        drain_seconds=max(m.deregistration_delay_seconds for m in cfg.models),
        az_count=len(placement.availability_zones),
        min_healthy_per_az=placement.min_targets_per_alb_zone,
    )


# ---- what `make verify` compares with AWS (issue 13) ------------------------------------------
# The config-driven settings; the ones the code fixes (HTTP/2, algorithm, ports...) are the defaults
# of shared/serving_outputs.py. A setting that moves to config (or changes in code) is exported here.
def target_group_settings(model: ModelConfig) -> dict[str, Any]:
    hc = model.health_check
    return {
        "deregistration_delay_seconds": model.deregistration_delay_seconds,
        "slow_start_seconds": model.slow_start_seconds,
        "health_check": {
            "interval_seconds": hc.interval_seconds,
            "timeout_seconds": hc.timeout_seconds,
            "healthy_threshold": hc.healthy_threshold,
            "unhealthy_threshold": hc.unhealthy_threshold,
            "matcher": hc.matcher,
        },
    }


def export_verify_settings(cfg: ServingConfig) -> None:
    managed = cfg.access_logs.bucket is None
    pulumi.export("alb_settings", {"idle_timeout_seconds": cfg.idle_timeout_seconds})
    pulumi.export("listener_settings", ListenerSettings().model_dump())
    pulumi.export(
        "log_bucket_settings",
        {
            "managed": managed,
            "writer_principal": log_writer_principal(aws.get_region().region),
            "retention_days": cfg.access_logs.retention_days if managed else None,
        },
    )


# ---- end of make verify's settings ---------------------------------------------------------------


def export_outputs(
    cfg: ServingConfig, env: str, placement: Placement, layer: ModelServingLayer
) -> None:
    alb = layer.load_balancer
    pulumi.export("alb_arn", alb.arn)
    pulumi.export("alb_dns_name", alb.dns_name)
    pulumi.export("alb_zone_id", alb.zone_id)
    host = cfg.dns.name if cfg.dns is not None else None
    pulumi.export(
        "url",
        pulumi.Output.concat("https://", host)
        if host
        else pulumi.Output.concat("https://", alb.dns_name),
    )
    pulumi.export("scheme", cfg.scheme)
    pulumi.export("availability_zones", placement.availability_zones)
    pulumi.export("https_listener_arn", layer.https_listener.arn)
    pulumi.export("http_listener_arn", layer.http_listener.arn)
    pulumi.export("tls_policy", cfg.tls_policy)
    pulumi.export("certificate_arn", layer.certificate_arn)
    pulumi.export("log_bucket", layer.log_bucket_name)
    pulumi.export("deletion_protection", cfg.deletion_protection_for(env))
    pulumi.export("desync_mitigation_mode", cfg.desync_mitigation_mode)
    pulumi.export(
        "models",
        {
            name: {
                "name": name,
                "route": {
                    "kind": r.route.kind,
                    "value": r.route.value,
                    "priority": r.route.priority,
                },
                "target_group_arn": r.target_group.arn,
                "port": r.model.port,
                "health_check_path": r.model.health_check.path,
                "targets": r.model.targets,
                "min_healthy_targets": r.min_healthy,
                "target_group_settings": target_group_settings(r.model),  # make verify
            }
            for name, r in layer.models.items()
        },
    )
    pulumi.export("failover", failover_figures(cfg, placement).model_dump())
    export_verify_settings(cfg)
