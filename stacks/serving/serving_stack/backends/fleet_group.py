"""``ModelFleet``: the Auto Scaling group that serves one model, and what its instances need.

A launch template (IMDSv2 required with a hop limit of 1 unless the container needs the instance
role, encrypted gp3 root volume, the fleet's AMI, the model-server container started by user data
with its port and health path, logs to a CloudWatch log group with a retention and, optionally, a
KMS key) and an Auto Scaling group over the private subnets of every AZ, health-checked by the
ALB, scaled on requests per target.

Order AWS needs, as dependencies: the launch template waits for the instance role's policies (user
data pulls the image with them, under ``set -e``, at first boot), and the scaling policy waits for
the rule that attaches the target group to the ALB (``PutScalingPolicy`` refuses a resource label
whose target group has no load balancer yet).

Replacements launch before they terminate (an instance maintenance policy and the refresh
preferences, 100-200 % healthy): an instance refresh (a new AMI or launch template) or a health
replacement never leaves an AZ without its targets, and the healthy-hosts alarm (threshold: the
fleet's ``minSize``) stays quiet through a planned refresh.
"""

from __future__ import annotations

import base64
import shlex
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from serving_stack.backends.base import LogSettings, ServedModel
from serving_stack.backends.fleet_config import FleetConfig
from shared.iam import assume_role_policy

# Launch before terminate: keep every instance in service until its replacement is healthy.
MIN_HEALTHY_PERCENT = 100
MAX_HEALTHY_PERCENT = 200
INSTANCE_POLICIES = (
    "AmazonSSMManagedInstanceCore",
    "AmazonEC2ContainerRegistryReadOnly",
    "CloudWatchAgentServerPolicy",
)


def user_data(model: ServedModel, fleet: FleetConfig, log_group: str, region: str) -> str:
    """Boot script: log in to ECR if needed, then run the model server (restarted by Docker)."""
    image = shlex.quote(fleet.image)
    login = ""
    if fleet.ecr_registry is not None:
        registry_region = fleet.ecr_registry.split(".")[3]
        login = (
            "command -v aws >/dev/null || dnf install -y awscli-2\n"
            f"aws ecr get-login-password --region {registry_region} | "
            f"docker login --username AWS --password-stdin {fleet.ecr_registry}\n"
        )
    gpus = "--gpus all " if fleet.gpus else ""
    script = f"""#!/bin/bash
set -euo pipefail
# The ECS AMI brings Docker (and the NVIDIA runtime); this host runs no ECS tasks.
systemctl disable --now ecs.service || true
systemctl enable --now docker
{login}docker pull {image}
docker run --detach --restart=always --name {model.name} {gpus}\\
  --publish {model.port}:{model.port} \\
  --env PORT={model.port} --env HEALTH_PATH={shlex.quote(model.health_check.path)} \\
  --log-driver=awslogs --log-opt awslogs-region={region} \\
  --log-opt awslogs-group={log_group} --log-opt tag='{{{{.Name}}}}/{{{{.ID}}}}' \\
  {image}
"""
    return base64.b64encode(script.encode()).decode()


@dataclass(frozen=True)
class FleetArgs:
    name: str
    env: str
    model: ServedModel
    version: str | None
    fleet: FleetConfig
    image_id: str
    """The AMI (from ``fleet.image_parameter``, looked up before anything was built)."""
    subnet_ids: list[str]
    security_group_id: pulumi.Input[str]
    target_group: aws.lb.TargetGroup
    load_balancer: aws.lb.LoadBalancer
    attached_by: pulumi.Resource
    region: str
    logs: LogSettings

    @property
    def log_group_name(self) -> str:
        base = f"/serving/{self.env}/{self.model.name}"
        return base if self.version is None else f"{base}/{self.version}"

    @property
    def tags(self) -> dict[str, str]:
        """What the fleet's resources say they serve."""
        tags = {"Name": self.name, "model": self.model.name}
        return tags if self.version is None else {**tags, "version": self.version}


class ModelFleet(pulumi.ComponentResource):
    group: aws.autoscaling.Group
    launch_template: aws.ec2.LaunchTemplate

    def __init__(
        self, name: str, args: FleetArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("acme:serving:ModelFleet", name, None, opts)
        profile, permissions = self._instance_profile(name, args)
        log_group = aws.cloudwatch.LogGroup(
            name,
            name=args.log_group_name,
            retention_in_days=args.logs.retention_days,
            kms_key_id=args.logs.kms_key_arn,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.launch_template = self._launch_template(name, args, profile, [log_group, *permissions])
        self.group = self._group(name, args)
        self._scaling_policy(name, args)
        self.register_outputs({"group": self.group.name})

    def _instance_profile(
        self, name: str, args: FleetArgs
    ) -> tuple[aws.iam.InstanceProfile, list[pulumi.Resource]]:
        """The instances' role and profile, and the policy attachments first boots need."""
        role = aws.iam.Role(
            name,
            assume_role_policy=assume_role_policy("ec2.amazonaws.com"),
            description=f"{args.name} model servers",
            opts=pulumi.ResourceOptions(parent=self),
        )
        attachments: list[pulumi.Resource] = [
            aws.iam.RolePolicyAttachment(
                f"{name}-{policy}",
                role=role.name,
                policy_arn=f"arn:aws:iam::aws:policy/{policy}",
                opts=pulumi.ResourceOptions(parent=role),
            )
            for policy in INSTANCE_POLICIES
        ]
        profile = aws.iam.InstanceProfile(
            name, role=role.name, opts=pulumi.ResourceOptions(parent=role)
        )
        return profile, attachments

    def _launch_template(
        self,
        name: str,
        args: FleetArgs,
        profile: aws.iam.InstanceProfile,
        ready: list[pulumi.Resource],
    ) -> aws.ec2.LaunchTemplate:
        fleet = args.fleet
        return aws.ec2.LaunchTemplate(
            name,
            image_id=args.image_id,
            instance_type=fleet.instance_type,
            iam_instance_profile=aws.ec2.LaunchTemplateIamInstanceProfileArgs(arn=profile.arn),
            vpc_security_group_ids=[args.security_group_id],
            user_data=user_data(args.model, fleet, args.log_group_name, args.region),
            update_default_version=True,
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled",
                http_tokens="required",
                # 1: only the host reaches the metadata service (a bridged container is one hop
                # further); 2 for a container that calls AWS with the instance role.
                http_put_response_hop_limit=2 if fleet.container_credentials else 1,
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
                    tags={**args.tags, "env": args.env},
                )
                for kind in ("instance", "volume")
            ],
            tags={"Name": args.name},
            opts=pulumi.ResourceOptions(parent=self, depends_on=ready),
        )

    def _group(self, name: str, args: FleetArgs) -> aws.autoscaling.Group:
        fleet = args.fleet
        return aws.autoscaling.Group(
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
            instance_maintenance_policy=aws.autoscaling.GroupInstanceMaintenancePolicyArgs(
                min_healthy_percentage=MIN_HEALTHY_PERCENT,
                max_healthy_percentage=MAX_HEALTHY_PERCENT,
            ),
            instance_refresh=aws.autoscaling.GroupInstanceRefreshArgs(
                strategy="Rolling",
                preferences=aws.autoscaling.GroupInstanceRefreshPreferencesArgs(
                    min_healthy_percentage=MIN_HEALTHY_PERCENT,
                    max_healthy_percentage=MAX_HEALTHY_PERCENT,
                    instance_warmup=str(fleet.health_check_grace_seconds),
                    skip_matching=True,
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

    def _scaling_policy(self, name: str, args: FleetArgs) -> aws.autoscaling.Policy:
        metric = aws.autoscaling.PolicyTargetTrackingConfigurationPredefinedMetricSpecificationArgs(
            predefined_metric_type="ALBRequestCountPerTarget",
            resource_label=pulumi.Output.concat(
                args.load_balancer.arn_suffix, "/", args.target_group.arn_suffix
            ),
        )
        return aws.autoscaling.Policy(
            f"{name}-requests-per-target",
            autoscaling_group_name=self.group.name,
            policy_type="TargetTrackingScaling",
            estimated_instance_warmup=args.fleet.health_check_grace_seconds,
            target_tracking_configuration=aws.autoscaling.PolicyTargetTrackingConfigurationArgs(
                target_value=args.fleet.requests_per_target,
                predefined_metric_specification=metric,
            ),
            opts=pulumi.ResourceOptions(parent=self.group, depends_on=[args.attached_by]),
        )
