"""A model's targets: existing instances (the seed's case) or a managed Auto Scaling fleet.

A fleet is a launch template (IMDSv2 required, encrypted gp3 root volume, no public IP, the model
server container started by user data) and an Auto Scaling group over the private subnets of every
AZ, health-checked by the ALB, scaled on requests per target, replaced by rolling instance refresh
that keeps at least 90 % healthy.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from serving_stack.config import FleetConfig, ModelConfig
from shared.iam import assume_role_policy

MIN_HEALTHY_PERCENT_DURING_REFRESH = 90


def attach_instances(
    name: str, model: ModelConfig, target_group: aws.lb.TargetGroup, opts: pulumi.ResourceOptions
) -> list[aws.lb.TargetGroupAttachment]:
    return [
        aws.lb.TargetGroupAttachment(
            f"{name}-{instance_id}",
            target_group_arn=target_group.arn,
            target_id=instance_id,
            port=model.port,
            opts=opts,
        )
        for instance_id in model.instances or []
    ]


def user_data(model: ModelConfig, fleet: FleetConfig) -> str:
    script = f"""#!/bin/bash
set -euo pipefail
systemctl enable --now docker
docker run --detach --restart=always --name {model.name} \\
  --publish {model.port}:{model.port} --env PORT={model.port} \\
  --log-driver=awslogs --log-opt awslogs-group=/serving/{model.name} --log-opt awslogs-create-group=true \\
  {fleet.image}
"""
    return base64.b64encode(script.encode()).decode()


@dataclass(frozen=True)
class FleetArgs:
    name: str
    env: str
    model: ModelConfig
    fleet: FleetConfig
    subnet_ids: list[str]
    security_group_id: pulumi.Input[str]
    target_group: aws.lb.TargetGroup
    load_balancer: aws.lb.LoadBalancer


class ModelFleet(pulumi.ComponentResource):
    group: aws.autoscaling.Group
    launch_template: aws.ec2.LaunchTemplate

    def __init__(
        self, name: str, args: FleetArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("acme:serving:ModelFleet", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        fleet = args.fleet
        role = aws.iam.Role(
            name,
            assume_role_policy=assume_role_policy("ec2.amazonaws.com"),
            description=f"{args.name} model servers",
            opts=child,
        )
        for policy in (
            "AmazonSSMManagedInstanceCore",
            "AmazonEC2ContainerRegistryReadOnly",
            "CloudWatchAgentServerPolicy",
        ):
            aws.iam.RolePolicyAttachment(
                f"{name}-{policy}",
                role=role.name,
                policy_arn=f"arn:aws:iam::aws:policy/{policy}",
                opts=pulumi.ResourceOptions(parent=role),
            )
        profile = aws.iam.InstanceProfile(
            name, role=role.name, opts=pulumi.ResourceOptions(parent=role)
        )
        image_id = aws.ssm.get_parameter(name=fleet.ami_parameter).value
        self.launch_template = aws.ec2.LaunchTemplate(
            name,
            image_id=image_id,
            instance_type=fleet.instance_type,
            iam_instance_profile=aws.ec2.LaunchTemplateIamInstanceProfileArgs(arn=profile.arn),
            vpc_security_group_ids=[args.security_group_id],
            user_data=user_data(args.model, fleet),
            update_default_version=True,
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled",
                http_tokens="required",
                http_put_response_hop_limit=2,
                instance_metadata_tags="enabled",
            ),
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name="/dev/xvda",
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_size=fleet.volume_size_gb,
                        volume_type="gp3",
                        encrypted="true",
                        delete_on_termination="true",
                    ),
                )
            ],
            monitoring=aws.ec2.LaunchTemplateMonitoringArgs(enabled=True),
            tag_specifications=[
                aws.ec2.LaunchTemplateTagSpecificationArgs(
                    resource_type=kind,
                    tags={"Name": f"{args.name}", "model": args.model.name, "env": args.env},
                )
                for kind in ("instance", "volume")
            ],
            tags={"Name": args.name},
            opts=child,
        )
        self.group = aws.autoscaling.Group(
            name,
            vpc_zone_identifiers=args.subnet_ids,
            min_size=fleet.min_size,
            max_size=fleet.max_size,
            target_group_arns=[args.target_group.arn],
            health_check_type="ELB",
            health_check_grace_period=fleet.health_check_grace_seconds,
            default_instance_warmup=fleet.health_check_grace_seconds,
            capacity_rebalance=True,
            launch_template=aws.autoscaling.GroupLaunchTemplateArgs(
                id=self.launch_template.id, version=self.launch_template.latest_version.apply(str)
            ),
            instance_refresh=aws.autoscaling.GroupInstanceRefreshArgs(
                strategy="Rolling",
                preferences=aws.autoscaling.GroupInstanceRefreshPreferencesArgs(
                    min_healthy_percentage=MIN_HEALTHY_PERCENT_DURING_REFRESH,
                    instance_warmup=str(fleet.health_check_grace_seconds),
                ),
            ),
            enabled_metrics=[
                aws.autoscaling.Metric.GROUP_IN_SERVICE_INSTANCES,
                aws.autoscaling.Metric.GROUP_DESIRED_CAPACITY,
                aws.autoscaling.Metric.GROUP_TERMINATING_INSTANCES,
            ],
            tags=[
                aws.autoscaling.GroupTagArgs(key="Name", value=args.name, propagate_at_launch=True)
            ],
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["desiredCapacity"]),
        )
        aws.autoscaling.Policy(
            f"{name}-requests-per-target",
            autoscaling_group_name=self.group.name,
            policy_type="TargetTrackingScaling",
            estimated_instance_warmup=fleet.health_check_grace_seconds,
            target_tracking_configuration=aws.autoscaling.PolicyTargetTrackingConfigurationArgs(
                target_value=fleet.requests_per_target,
                predefined_metric_specification=aws.autoscaling.PolicyTargetTrackingConfigurationPredefinedMetricSpecificationArgs(
                    predefined_metric_type="ALBRequestCountPerTarget",
                    resource_label=pulumi.Output.concat(
                        args.load_balancer.arn_suffix, "/", args.target_group.arn_suffix
                    ),
                ),
            ),
            opts=pulumi.ResourceOptions(parent=self.group),
        )
        self.register_outputs({"group": self.group.name})
