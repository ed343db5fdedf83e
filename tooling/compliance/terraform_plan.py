"""A render as the Terraform plan JSON Checkov reads (``terraform show -json`` of a plan).

pulumi-aws is bridged from the Terraform AWS provider: a resource's inputs are the provider's
arguments in camelCase. Converting back: the type by :data:`TERRAFORM_TYPES`; keys to snake_case,
with the few names Pulumi pluralises put back (:data:`RENAMED`); nested objects become one-element
blocks (maps such as ``tags`` stay maps); integral numbers, which the wire sends as floats, become
ints. The links between resources, which Checkov's graph checks follow (a bucket and its
versioning, an ALB and its listeners), come from the engine's property dependencies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from tooling.mock_runtime import RegisteredResource

TERRAFORM_TYPES: dict[str, str] = {
    "aws:lb/loadBalancer:LoadBalancer": "aws_lb",
    "aws:lb/listener:Listener": "aws_lb_listener",
    "aws:lb/listenerRule:ListenerRule": "aws_lb_listener_rule",
    "aws:lb/targetGroup:TargetGroup": "aws_lb_target_group",
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": "aws_lb_target_group_attachment",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "aws_default_security_group",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "aws_vpc_security_group_ingress_rule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "aws_vpc_security_group_egress_rule",
    "aws:ec2/networkInterfaceSecurityGroupAttachment:NetworkInterfaceSecurityGroupAttachment": "aws_network_interface_sg_attachment",
    "aws:ec2/vpc:Vpc": "aws_vpc",
    "aws:ec2/subnet:Subnet": "aws_subnet",
    "aws:ec2/internetGateway:InternetGateway": "aws_internet_gateway",
    "aws:ec2/natGateway:NatGateway": "aws_nat_gateway",
    "aws:ec2/eip:Eip": "aws_eip",
    "aws:ec2/routeTable:RouteTable": "aws_route_table",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "aws_route_table_association",
    "aws:ec2/flowLog:FlowLog": "aws_flow_log",
    "aws:ec2/launchTemplate:LaunchTemplate": "aws_launch_template",
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "aws_s3_bucket_ownership_controls",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "aws_s3_bucket_server_side_encryption_configuration",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "aws_s3_bucket_lifecycle_configuration",
    "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
    "aws:acm/certificate:Certificate": "aws_acm_certificate",
    "aws:acm/certificateValidation:CertificateValidation": "aws_acm_certificate_validation",
    "aws:route53/record:Record": "aws_route53_record",
    "aws:wafv2/webAclAssociation:WebAclAssociation": "aws_wafv2_web_acl_association",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "aws_cloudwatch_metric_alarm",
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
    "aws:iam/instanceProfile:InstanceProfile": "aws_iam_instance_profile",
    "aws:autoscaling/group:Group": "aws_autoscaling_group",
    "aws:autoscaling/policy:Policy": "aws_autoscaling_policy",
}

RENAMED: dict[str, str] = {
    "defaultActions": "default_action",
    "actions": "action",
    "conditions": "condition",
    "rules": "rule",
    "routes": "route",
    "metricQueries": "metric_query",
    "aliases": "alias",
    "vpcZoneIdentifiers": "vpc_zone_identifier",
    "targetGroups": "target_group",
}
"""Pulumi's plural names for the provider's singular block names."""
RENAMED_PER_TYPE: dict[tuple[str, str], str] = {("aws_autoscaling_group", "tags"): "tag"}
MAPS = frozenset({"tags", "tagsAll", "dimensions"})
"""Arguments that are maps in Terraform, not blocks."""
PROVIDER = "registry.terraform.io/hashicorp/aws"


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _key(name: str, tf_type: str) -> str:
    return RENAMED_PER_TYPE.get((tf_type, name)) or RENAMED.get(name) or _snake(name)


def _value(value: Any, key: str, tf_type: str) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        if key in MAPS and (tf_type, key) not in RENAMED_PER_TYPE:
            return value
        return [{_key(k, tf_type): _value(v, k, tf_type) for k, v in value.items()}]
    if isinstance(value, list):
        out: list[Any] = []
        for item in value:
            converted = _value(item, key, tf_type)
            out.extend(
                converted if isinstance(converted, list) and isinstance(item, dict) else [converted]
            )
        return out
    return value


def _address(resource: RegisteredResource) -> str:
    return f"{TERRAFORM_TYPES[resource.type]}.{re.sub(r'[^A-Za-z0-9_-]', '_', resource.name)}"


def unconverted(resources: Iterable[RegisteredResource]) -> set[str]:
    """Resource types the table does not know (so Checkov would not see them)."""
    return {r.type for r in resources if r.custom and not r.read and r.type not in TERRAFORM_TYPES}


def terraform_plan(resources: Iterable[RegisteredResource]) -> dict[str, Any]:
    """The plan JSON of ``resources`` (as a deployed render: every value known)."""
    managed = [r for r in resources if r.custom and not r.read and r.type in TERRAFORM_TYPES]
    addresses = {r.urn: _address(r) for r in managed}
    planned, changes, configured = [], [], []
    for r in managed:
        tf_type, address = TERRAFORM_TYPES[r.type], addresses[r.urn]
        values = {_key(k, tf_type): _value(v, k, tf_type) for k, v in r.inputs.items()}
        common = {
            "address": address,
            "mode": "managed",
            "type": tf_type,
            "name": address.split(".", 1)[1],
            "provider_name": PROVIDER,
        }
        planned.append({**common, "values": values})
        changes.append(
            {**common, "change": {"actions": ["create"], "before": None, "after": values}}
        )
        references = {
            _key(k, tf_type): {
                "references": [
                    ref
                    for u in urns
                    if u in addresses
                    for ref in (f"{addresses[u]}.id", addresses[u])
                ]
            }
            for k, urns in r.property_dependencies.items()
            if any(u in addresses for u in urns)
        }
        configured.append({**common, "provider_config_key": "aws", "expressions": references})
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "full_name": PROVIDER}},
            "root_module": {"resources": configured},
        },
    }
