"""The adversarial corpus: small Pulumi programs written the way an engineer in a hurry, or in bad
faith, would write them, each with the verdict the pack must give in prod.

Each ``@program`` is a real program (pulumi_aws resources, run by ``runner/__main__.py`` under the
mock runtime as a stack). ``expect`` lists the violations it must get; a program without any is a
false-positive case and must be clean. ``Expect.preview`` says what a preview of it must show:
``same`` (the violation already), or ``unverified`` (a ``preview-unverified`` note naming the
policy, because the deciding value is computed; the update then blocks it).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from tooling.mock_runtime.account import FakeAwsAccount, _hex

VPC = "vpc-0a1b2c3d4e5f67890"
SUBNETS = ["subnet-4a0a5ab0fa4e42f15", "subnet-c203cab8f604f7e92"]
CERT = "arn:aws:acm:eu-west-1:210987654321:certificate/5f3c2b1a-8d4e-4f6a-9b7c-1e2d3c4b5a69"
AMI = "ami-0c1f3a8058fde8814"
GOOD_TLS = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"
LOG_BUCKET = "corpus-alb-logs-210987654321"


@dataclass(frozen=True)
class Expect:
    policy: str
    fragment: str
    """Part of the violation's message (in the update)."""
    preview: str = "same"
    """``same``: the preview has the violation too; ``unverified``: a note naming the policy."""
    level: str = "mandatory"


@dataclass(frozen=True)
class Program:
    name: str
    build: Callable[[], None]
    expect: tuple[Expect, ...]
    why: str

    @property
    def false_positive_case(self) -> bool:
        return not self.expect


PROGRAMS: dict[str, Program] = {}


def program(*expect: Expect) -> Callable[[Callable[[], None]], Callable[[], None]]:
    def register(build: Callable[[], None]) -> Callable[[], None]:
        PROGRAMS[build.__name__] = Program(
            build.__name__, build, expect, (build.__doc__ or "").strip()
        )
        return build

    return register


def world(policy: str, fragment: str, preview: str = "same") -> Expect:
    return Expect(policy, fragment, preview)


# ---- building blocks -----------------------------------------------------------------------
def group(name: str = "alb", **args: Any) -> aws.ec2.SecurityGroup:
    return aws.ec2.SecurityGroup(name, description=f"{name}: what it is for", vpc_id=VPC, **args)


def ingress(
    name: str, sg: aws.ec2.SecurityGroup, port: int, cidr: Any = None, **args: Any
) -> aws.vpc.SecurityGroupIngressRule:
    args.setdefault("ip_protocol", "tcp")
    args.setdefault("description", f"{name}: why")
    return aws.vpc.SecurityGroupIngressRule(
        name,
        security_group_id=sg.id,
        from_port=args.pop("from_port", port),
        to_port=args.pop("to_port", port),
        cidr_ipv4=cidr,
        **args,
    )


def ec2_rule(
    name: str, sg: aws.ec2.SecurityGroup, port: int, cidrs: list[str], **args: Any
) -> aws.ec2.SecurityGroupRule:
    args.setdefault("type", "ingress")
    args.setdefault("protocol", "tcp")
    args.setdefault("description", f"{name}: why")
    return aws.ec2.SecurityGroupRule(
        name,
        security_group_id=sg.id,
        from_port=port,
        to_port=args.pop("to_port", port),
        cidr_blocks=cidrs,
        **args,
    )


def tls_deny(bucket: str, **changes: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    statement.update(changes)
    return statement


def log_delivery(bucket: str) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": f"arn:aws:s3:::{bucket}/access/AWSLogs/210987654321/*",
    }


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def bucket(
    name: str = "logs", physical: str = LOG_BUCKET, policy: str | None = None
) -> aws.s3.Bucket:
    """A bucket with every guardrail satisfied (``policy`` replaces its TLS-only policy)."""
    b = aws.s3.Bucket(name, bucket=physical)
    flags = dict.fromkeys(
        (
            "block_public_acls",
            "block_public_policy",
            "ignore_public_acls",
            "restrict_public_buckets",
        ),
        True,
    )
    aws.s3.BucketPublicAccessBlock(name, bucket=b.id, **flags)
    aws.s3.BucketOwnershipControls(
        name, bucket=b.id, rule={"object_ownership": "BucketOwnerEnforced"}
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        name,
        bucket=b.id,
        rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
    )
    doc = policy if policy is not None else document(tls_deny(physical), log_delivery(physical))
    aws.s3.BucketPolicy(name, bucket=b.id, policy=doc)
    return b


def alb(name: str = "alb", logs: Any = None, **args: Any) -> aws.lb.LoadBalancer:
    sg = group(f"{name}-sg")
    ingress(f"{name}-in-443", sg, 443, "0.0.0.0/0")
    args.setdefault("load_balancer_type", "application")
    return aws.lb.LoadBalancer(
        name,
        internal=args.pop("internal", False),
        subnets=SUBNETS,
        security_groups=[sg.id],
        access_logs={"bucket": logs if logs is not None else LOG_BUCKET, "enabled": True},
        drop_invalid_header_fields=True,
        desync_mitigation_mode="strictest",
        enable_deletion_protection=True,
        **args,
    )


def target_group(name: str = "model", cls: Any = aws.lb.TargetGroup) -> Any:
    return cls(
        name,
        port=8080,
        protocol="HTTP",
        vpc_id=VPC,
        target_type="instance",
        deregistration_delay=30,
        health_check={
            "enabled": True,
            "path": "/health",
            "protocol": "HTTP",
            "interval": 5,
            "timeout": 4,
            "healthy_threshold": 2,
            "unhealthy_threshold": 2,
            "matcher": "200",
        },
    )


REDIRECT: Any = {
    "type": "redirect",
    "redirect": {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"},
}
NOT_FOUND: Any = {
    "type": "fixed-response",
    "fixed_response": {"content_type": "text/plain", "status_code": "404"},
}


def platform(
    *, https: str = "HTTPS", ssl_policy: str = GOOD_TLS, policy: str | None = None
) -> tuple[aws.lb.LoadBalancer, aws.lb.Listener, aws.lb.Listener, Any]:
    """A compliant ALB: its log bucket, an HTTPS listener forwarding, an HTTP one redirecting."""
    logs = bucket(policy=policy)
    lb = alb(logs=logs.bucket)
    tg = target_group()
    secure = aws.lb.Listener(
        "https",
        load_balancer_arn=lb.arn,
        port=443,
        protocol=https,
        ssl_policy=ssl_policy,
        certificate_arn=CERT,
        default_actions=[{"type": "forward", "target_group_arn": tg.arn}],
    )
    plain = aws.lb.Listener(
        "http", load_balancer_arn=lb.arn, port=80, protocol="HTTP", default_actions=[REDIRECT]
    )
    return lb, secure, plain, tg


def mock_listener_arn(lb_name: str, lb_logical: str, listener_logical: str) -> str:
    """The ARN the fake account gives a listener: what someone copies from the console."""
    return FakeAwsAccount().arn(
        "elasticloadbalancing",
        f"listener/app/{lb_name}/{_hex(lb_logical, 16)}/{_hex(listener_logical, 16)}",
    )


def computed(resource: pulumi.CustomResource, value: Any) -> pulumi.Output[Any]:
    """``value``, known only once ``resource`` exists (unknown in a preview)."""
    return resource.id.apply(lambda _: value)


# ---- the world, without the string 0.0.0.0/0 ------------------------------------------------
@program(
    world("sg-no-world-ingress", "ingress[0] opens port 22 to the world (0.0.0.0/1, 128.0.0.0/1)"),
    world("sg-no-high-risk-ports", "ingress[0] opens high-risk port(s) 22 to the world"),
)
def halves_inline() -> None:
    """The IPv4 space in two halves, in one inline rule."""
    group(ingress=[{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/1", "128.0.0.0/1"], "description": "ssh"}])  # fmt: skip


@program(
    world("sg-no-world-ingress", "rule ssh-low opens port 22 to the world (0.0.0.0/1)"),
    world(
        "sg-no-high-risk-ports",
        "rule ssh-high opens high-risk port(s) 22 to the world (128.0.0.0/1)",
    ),
)
def halves_ec2_rules() -> None:
    """Two aws.ec2.SecurityGroupRule resources, one half each."""
    sg = group()
    ec2_rule("ssh-low", sg, 22, ["0.0.0.0/1"])
    ec2_rule("ssh-high", sg, 22, ["128.0.0.0/1"])


@program(
    world("sg-no-world-ingress", "rule model-high opens port 8080 to the world (128.0.0.0/1)"),
    world(
        "sg-no-high-risk-ports",
        "rule model-low opens high-risk port(s) 8080 to the world (0.0.0.0/1)",
    ),
)
def halves_vpc_rules() -> None:
    """Two aws.vpc.SecurityGroupIngressRule resources, one half each, on the model port."""
    sg = group()
    ingress("model-low", sg, 8080, "0.0.0.0/1")
    ingress("model-high", sg, 8080, "128.0.0.0/1")


@program(
    world(
        "sg-no-high-risk-ports",
        "with rule db-b, rule db-c the group admits the world (11.0.0.0/8, 12.0.0.0/8, 13.0.0.0/8)",
    ),
)
def narrow_pieces() -> None:
    """/8 pieces, none wider than a /8 alone, together more than one /8 of the internet."""
    sg = group()
    for part, first in (("a", 11), ("b", 12), ("c", 13)):
        ingress(f"db-{part}", sg, 5432, f"{first}.0.0.0/8")


@program(
    world(
        "sg-no-world-ingress",
        "rule in-22 opens port 22 to the world (0.0.0.0/0 (prefix list everyone))",
    ),
    world("sg-no-high-risk-ports", "rule in-22 opens high-risk port(s) 22"),
)
def prefix_list_of_the_world() -> None:
    """A managed prefix list the stack defines, whose entry is 0.0.0.0/0."""
    pl = aws.ec2.ManagedPrefixList("everyone", address_family="IPv4", max_entries=1, entries=[{"cidr": "0.0.0.0/0", "description": "all"}])  # fmt: skip
    sg = group()
    ingress("in-22", sg, 22, prefix_list_id=pl.id)


@program(
    world(
        "sg-no-high-risk-ports",
        "ingress[0] opens high-risk port(s) 5432 to the world (0.0.0.0/0 (prefix list partners))",
    ),
)
def prefix_list_entry_resource() -> None:
    """An empty prefix list filled by an aws.ec2.ManagedPrefixListEntry, used in an inline rule."""
    pl = aws.ec2.ManagedPrefixList("partners", address_family="IPv4", max_entries=5)
    aws.ec2.ManagedPrefixListEntry("partners-all", prefix_list_id=pl.id, cidr="0.0.0.0/0")
    group(ingress=[{"protocol": "tcp", "from_port": 5432, "to_port": 5432, "prefix_list_ids": [pl.id], "description": "db"}])  # fmt: skip


@program(
    world("sg-no-high-risk-ports", "rule ssh-v6 opens high-risk port(s) 22 to the world (0::/0)")
)
def ipv6_world_short_spelling() -> None:
    """IPv6 world written 0::/0."""
    ingress("ssh-v6", group(), 22, cidr_ipv6="0::/0")


@program(
    world(
        "sg-no-high-risk-ports",
        "rule notebook opens high-risk port(s) 8888 to the world (0:0:0:0:0:0:0:0/0)",
    )
)
def ipv6_world_long_spelling() -> None:
    """IPv6 world written out in full, in an aws.ec2.SecurityGroupRule."""
    ec2_rule("notebook", group(), 8888, [], ipv6_cidr_blocks=["0:0:0:0:0:0:0:0/0"])


@program(
    world("sg-no-high-risk-ports", "rule rdp opens high-risk port(s) 3389 to the world (1.2.3.4/0)")
)
def host_bits() -> None:
    """A /0 with host bits: still the world."""
    ingress("rdp", group(), 3389, "1.2.3.4/0")


@program(
    world("sg-no-world-ingress", "ingress[0] opens all ports to the world (0.0.0.0/0)"),
    world("sg-no-high-risk-ports", "ingress[0] opens high-risk port(s) 20, 21, 22"),
)
def default_security_group_open() -> None:
    """aws.ec2.DefaultSecurityGroup with an allow-all ingress."""
    aws.ec2.DefaultSecurityGroup("default", vpc_id=VPC, ingress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"], "description": "all"}])  # fmt: skip


@program(
    world("sg-no-world-ingress", "rule everything opens all ports to the world (0.0.0.0/0)"),
    world("sg-no-high-risk-ports", "rule everything opens high-risk port(s)"),
)
def all_protocols() -> None:
    """ip_protocol -1 (every protocol, every port)."""
    ingress("everything", group(), 0, "0.0.0.0/0", ip_protocol="-1", from_port=None, to_port=None)


@program(
    world("sg-no-high-risk-ports", "rule low-ports opens high-risk port(s) 20, 21, 22, 23, 25, 110")
)
def port_range_over_ssh() -> None:
    """A port range that happens to include 22."""
    ec2_rule("low-ports", group(), 1, ["0.0.0.0/0"], to_port=1024)


@program(world("sg-no-high-risk-ports", "rule ssh-by-number opens high-risk port(s) 22"))
def protocol_by_number() -> None:
    """Protocol "6" instead of "tcp"."""
    ingress("ssh-by-number", group(), 22, "0.0.0.0/0", ip_protocol="6")


@program(world("sg-no-world-ingress", "rule gre opens protocol 47 to the world"))
def portless_protocol() -> None:
    """A protocol without ports (GRE, 47): AWS opens all of it."""
    ingress("gre", group(), 0, "0.0.0.0/0", ip_protocol="47", from_port=None, to_port=None)


@program(world("sg-no-high-risk-ports", "rule egress-to-internet opens high-risk port(s) 22"))
def ingress_named_egress() -> None:
    """An ingress rule dressed up as egress (name and description); only type decides."""
    ec2_rule("egress-to-internet", group(), 22, ["0.0.0.0/0"], description="egress to the internet")


@program(
    world(
        "sg-no-world-ingress", "rule computed opens port 9000 to the world", preview="unverified"
    ),
)
def world_from_a_computed_value() -> None:
    """A source CIDR computed from another resource: unknown in a preview."""
    sg = group()
    ingress("computed", sg, 9000, computed(sg, "0.0.0.0/0"))


# ---- clear text to the internet --------------------------------------------------------------
@program(Expect("alb-http-redirects-to-https", "HTTP listener on port 80 serves traffic (forward)"))
def lower_case_http_forward() -> None:
    """protocol="http" in lower case, forwarding instead of redirecting."""
    lb, tg = alb(), target_group()
    aws.lb.Listener("plain", load_balancer_arn=lb.arn, port=80, protocol="http", default_actions=[{"type": "forward", "target_group_arn": tg.arn}])  # fmt: skip


@program(
    Expect("alb-http-redirects-to-https", "HTTP listener on port 8080 serves traffic (forward)")
)
def forward_block_no_protocol() -> None:
    """No protocol at all (the HTTP default) and a weighted forward block instead of targetGroupArn."""
    lb, tg = alb(), target_group()
    aws.lb.Listener("weighted", load_balancer_arn=lb.arn, port=8080, default_actions=[{"type": "forward", "forward": {"target_groups": [{"arn": tg.arn, "weight": 100}]}}])  # fmt: skip


@program(Expect("alb-http-redirects-to-https", "serves traffic (forward)"))
def alb_module_aliases() -> None:
    """The aws.alb.* aliases instead of aws.lb.*."""
    lb = aws.alb.LoadBalancer("alias-alb", subnets=SUBNETS, drop_invalid_header_fields=True, access_logs={"bucket": LOG_BUCKET, "enabled": True})  # fmt: skip
    tg = target_group("alias-tg", aws.alb.TargetGroup)
    aws.alb.Listener("alias-http", load_balancer_arn=lb.arn, port=80, protocol="HTTP", default_actions=[{"type": "forward", "target_group_arn": tg.arn}])  # fmt: skip


@program(
    Expect(
        "alb-http-rules-redirect-only",
        "rule sneaky on an HTTP listener serves traffic (forward)",
        preview="unverified",
    ),
)
def rule_on_http_listener_by_literal_arn() -> None:
    """A listener rule attached to the HTTP listener by a pasted ARN (no dependency)."""
    lb, _, _, tg = platform()
    del lb
    arn = mock_listener_arn(f"alb-{_hex('alb', 7)}", "alb", "http")
    aws.lb.ListenerRule("sneaky", listener_arn=arn, priority=1, actions=[{"type": "forward", "target_group_arn": tg.arn}], conditions=[{"path_pattern": {"values": ["/v1/*"]}}])  # fmt: skip


@program(
    Expect(
        "alb-http-rules-redirect-only",
        "rule debug on an HTTP listener serves traffic (fixed-response)",
    )
)
def rule_on_http_listener() -> None:
    """A rule on the HTTP listener answering in clear text."""
    _, _, http, _ = platform()
    aws.lb.ListenerRule("debug", listener_arn=http.arn, priority=5, actions=[NOT_FOUND | {"fixed_response": {"content_type": "text/plain", "status_code": "200"}}], conditions=[{"path_pattern": {"values": ["/debug"]}}])  # fmt: skip


@program(
    Expect(
        "lb-no-cleartext-listeners",
        "TCP listener on port 8080 of internet-facing NLB grpc carries clear text",
    )
)
def nlb_tcp_to_the_model_port() -> None:
    """An internet-facing NLB passing plaintext TCP to the model port."""
    nlb = aws.lb.LoadBalancer("grpc", load_balancer_type="network", internal=False, subnets=SUBNETS, access_logs={"bucket": LOG_BUCKET, "enabled": True})  # fmt: skip
    tg = aws.lb.TargetGroup("grpc-tcp", port=8080, protocol="TCP", vpc_id=VPC, deregistration_delay=30, health_check={"protocol": "TCP", "interval": 5, "timeout": 4, "unhealthy_threshold": 2})  # fmt: skip
    aws.lb.Listener("grpc-8080", load_balancer_arn=nlb.arn, port=8080, protocol="TCP", default_actions=[{"type": "forward", "target_group_arn": tg.arn}])  # fmt: skip


@program(
    Expect(
        "lb-no-cleartext-listeners",
        "TCP_UDP listener on port 53 of internet-facing NLB dns carries clear text",
    )
)
def nlb_tcp_udp() -> None:
    """TCP_UDP written in lower case, on an NLB whose scheme is left to the default."""
    nlb = aws.lb.LoadBalancer("dns", load_balancer_type="network", subnets=SUBNETS, access_logs={"bucket": LOG_BUCKET, "enabled": True})  # fmt: skip
    aws.lb.Listener("dns-53", load_balancer_arn=nlb.arn, port=53, protocol="tcp_udp", default_actions=[{"type": "forward", "target_group_arn": "arn:aws:elasticloadbalancing:eu-west-1:210987654321:targetgroup/dns/0123456789abcdef"}])  # fmt: skip


@program(Expect("alb-tls-policy-allowed", "TLS policy ELBSecurityPolicy-2016-08 is not allowed"))
def nlb_tls_with_an_old_policy() -> None:
    """An NLB TLS listener with the API's old default policy (TLS 1.0)."""
    nlb = aws.lb.LoadBalancer("tls-nlb", load_balancer_type="network", subnets=SUBNETS, access_logs={"bucket": LOG_BUCKET, "enabled": True})  # fmt: skip
    aws.lb.Listener("tls-443", load_balancer_arn=nlb.arn, port=443, protocol="TLS", ssl_policy="ELBSecurityPolicy-2016-08", certificate_arn=CERT, default_actions=[{"type": "forward", "target_group_arn": "arn:aws:elasticloadbalancing:eu-west-1:210987654321:targetgroup/tls/0123456789abcdef"}])  # fmt: skip


@program(
    Expect("alb-tls-policy-allowed", "TLS policy ELBSecurityPolicy-TLS-1-0-2015-04 is not allowed")
)
def lower_case_https_tls10() -> None:
    """protocol="https" in lower case with a TLS 1.0 policy."""
    platform(https="https", ssl_policy="ELBSecurityPolicy-TLS-1-0-2015-04")


@program(
    Expect(
        "alb-tls-policy-allowed",
        "TLS policy none (the API default ELBSecurityPolicy-2016-08 allows TLS 1.0) is not allowed",
    )
)
def https_without_a_policy() -> None:
    """An HTTPS listener that leaves the policy to the API default."""
    lb = alb()
    aws.lb.Listener("bare-https", load_balancer_arn=lb.arn, port=443, protocol="HTTPS", certificate_arn=CERT, default_actions=[NOT_FOUND])  # fmt: skip


@program(
    Expect(
        "alb-tls-policy-allowed",
        "TLS policy ELBSecurityPolicy-TLS-1-0-2015-04 is not allowed",
        preview="unverified",
    )
)
def tls_policy_from_a_computed_value() -> None:
    """The TLS policy computed from another resource: unknown in a preview, TLS 1.0 at deploy."""
    lb = alb()
    aws.lb.Listener("computed-https", load_balancer_arn=lb.arn, port=443, protocol="HTTPS", certificate_arn=CERT, ssl_policy=computed(lb, "ELBSecurityPolicy-TLS-1-0-2015-04"), default_actions=[NOT_FOUND])  # fmt: skip


@program(
    Expect(
        "lb-no-cleartext-listeners",
        "classic ELB legacy listens for HTTP on port 80 from the internet",
    ),
    Expect(
        "allowed-resource-types",
        "aws:elb/loadBalancer:LoadBalancer is not on the platform's allowlist",
    ),
)
def classic_elb() -> None:
    """A classic ELB (aws.elb.LoadBalancer): none of the ALB guardrails read it."""
    aws.elb.LoadBalancer("legacy", subnets=SUBNETS, listeners=[{"instance_port": 8080, "instance_protocol": "http", "lb_port": 80, "lb_protocol": "http"}])  # fmt: skip


@program(Expect("alb-https-listener-present", "load balancer alb has no HTTPS listener"))
def alb_without_https() -> None:
    """An ALB whose only listener redirects to an HTTPS listener that does not exist."""
    lb = alb()
    aws.lb.Listener("http-only", load_balancer_arn=lb.arn, port=80, protocol="HTTP", default_actions=[REDIRECT])  # fmt: skip


# ---- escape hatches --------------------------------------------------------------------------
@program(
    Expect(
        "allowed-resource-types",
        "aws:cloudformation/stack:Stack is not on the platform's allowlist",
    )
)
def cloudformation_stack() -> None:
    """A security group open to the world, inside a CloudFormation template the pack never reads."""
    template = {"Resources": {"Open": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "x", "SecurityGroupIngress": [{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}]}}}}  # fmt: skip
    aws.cloudformation.Stack("hidden", template_body=json.dumps(template))


@program(
    Expect(
        "allowed-resource-types",
        "aws:cloudcontrol/resource:Resource is not on the platform's allowlist",
    )
)
def cloud_control_resource() -> None:
    """The same through the Cloud Control API."""
    state = {"GroupDescription": "x", "VpcId": VPC, "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}]}  # fmt: skip
    aws.cloudcontrol.Resource(
        "hidden", type_name="AWS::EC2::SecurityGroup", desired_state=json.dumps(state)
    )


# ---- buckets -----------------------------------------------------------------------------------
@program(Expect("s3-tls-only", "bucket logs has no policy denying non-TLS requests"))
def tls_deny_covers_one_action() -> None:
    """A "TLS-only" deny on s3:GetObject only."""
    bucket(policy=document(tls_deny(LOG_BUCKET, Action="s3:GetObject")))


@program(Expect("s3-tls-only", "bucket logs has no policy denying non-TLS requests"))
def tls_deny_covers_another_bucket() -> None:
    """A deny copied from another bucket's policy."""
    bucket(policy=document(tls_deny("some-other-bucket")))


@program(Expect("s3-tls-only", "bucket logs has no policy denying non-TLS requests"))
def tls_deny_covers_the_bucket_not_its_objects() -> None:
    """The deny names the bucket ARN but not ARN/*."""
    bucket(policy=document(tls_deny(LOG_BUCKET, Resource=f"arn:aws:s3:::{LOG_BUCKET}")))


@program(Expect("s3-tls-only", "bucket logs has no policy denying non-TLS requests"))
def tls_deny_narrowed_by_another_condition() -> None:
    """A second condition key ANDed in: the deny no longer applies to everyone."""
    condition = {
        "Bool": {"aws:SecureTransport": "false"},
        "IpAddress": {"aws:SourceIp": "192.0.2.0/24"},
    }
    bucket(policy=document(tls_deny(LOG_BUCKET, Condition=condition)))


@program(Expect("s3-tls-only", "bucket logs has no policy denying non-TLS requests"))
def tls_deny_for_one_principal() -> None:
    """The deny applies to one role, not to everyone."""
    bucket(
        policy=document(
            tls_deny(LOG_BUCKET, Principal={"AWS": "arn:aws:iam::210987654321:role/ci"})
        )
    )


@program(Expect("s3-tls-only", "bucket logs has 2 bucket policies"))
def two_policies_for_one_bucket() -> None:
    """A second aws.s3.BucketPolicy: the last write wins, and it has no deny."""
    b = bucket()
    aws.s3.BucketPolicy("logs-extra", bucket=b.id, policy=document(log_delivery(LOG_BUCKET)))


@program(
    Expect(
        "s3-tls-only", "bucket logs has no policy denying non-TLS requests", preview="unverified"
    )
)
def tls_policy_built_from_the_arn() -> None:
    """The policy document built from the bucket's ARN (unknown in a preview), denying one action."""
    b = aws.s3.Bucket("logs", bucket=LOG_BUCKET)
    aws.s3.BucketPublicAccessBlock("logs", bucket=b.id, block_public_acls=True, block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True)  # fmt: skip
    aws.s3.BucketOwnershipControls(
        "logs", bucket=b.id, rule={"object_ownership": "BucketOwnerEnforced"}
    )
    policy = b.arn.apply(lambda arn: document({**tls_deny(LOG_BUCKET, Action="s3:PutObject"), "Resource": [arn, f"{arn}/*"]}))  # fmt: skip
    aws.s3.BucketPolicy("logs", bucket=b.id, policy=policy)


@program(Expect("s3-no-public-grants", "bucket logs: logs-acl sets the canned ACL public-read"))
def public_read_acl() -> None:
    """aws.s3.BucketAcl with the public-read canned ACL."""
    b = bucket()
    aws.s3.BucketAcl("logs-acl", bucket=b.id, acl="public-read")


@program(
    Expect("s3-no-public-grants", "bucket logs: logs-acl grants READ to AllUsers"),
    Expect(
        "allowed-resource-types",
        "aws:s3/bucketAclV2:BucketAclV2 is not on the platform's allowlist",
    ),
)
def grant_to_all_users() -> None:
    """aws.s3.BucketAclV2 with an explicit grant to the AllUsers group."""
    b = bucket()
    grant: Any = {"grantee": {"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers"}, "permission": "READ"}  # fmt: skip
    aws.s3.BucketAclV2("logs-acl", bucket=b.id, access_control_policy={"grants": [grant], "owner": {"id": "0123abcd"}})  # fmt: skip


@program(
    Expect(
        "s3-no-public-grants",
        "bucket public-assets-copy: public-assets-copy sets the canned ACL public-read-write",
    )
)
def canned_acl_on_the_bucket() -> None:
    """The acl argument of aws.s3.Bucket itself."""
    aws.s3.Bucket("public-assets-copy", bucket="corpus-public-assets-copy", acl="public-read-write")


@program(
    Expect(
        "s3-no-public-grants", """bucket logs: logs's policy allows Principal "*" (statement 2)"""
    )
)
def policy_allows_everyone() -> None:
    """A policy statement that allows Principal "*" to read every object."""
    read = {"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"], "Resource": f"arn:aws:s3:::{LOG_BUCKET}/*"}  # fmt: skip
    bucket(policy=document(tls_deny(LOG_BUCKET), log_delivery(LOG_BUCKET), read))


@program(
    Expect(
        "resource-links-consistent",
        "logs-pab.bucket depends on logs but names someone-elses-bucket",
    ),
    Expect("s3-public-access-blocked", "bucket logs has no public access block"),
)
def side_resource_pointed_elsewhere() -> None:
    """A public access block that depends on the bucket but names another one."""
    b = aws.s3.Bucket("logs", bucket=LOG_BUCKET)
    aws.s3.BucketPublicAccessBlock("logs-pab", bucket=b.bucket.apply(lambda _: "someone-elses-bucket"), block_public_acls=True, block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True)  # fmt: skip


@program(
    Expect(
        "alb-access-log-bucket-in-stack",
        "access logs go to bucket legacy-alb-logs, which this stack does not create",
        level="advisory",
    )
)
def access_logs_to_a_bucket_outside_the_stack() -> None:
    """Access logs to an existing bucket nobody looks at."""
    platform()
    alb("other-alb", logs="legacy-alb-logs")


# ---- compute -----------------------------------------------------------------------------------
def instance(name: str, **args: Any) -> aws.ec2.Instance:
    args.setdefault("metadata_options", {"http_tokens": "required"})
    args.setdefault("root_block_device", {"encrypted": True})
    args.setdefault("associate_public_ip_address", False)
    return aws.ec2.Instance(name, ami=AMI, instance_type="m7i.large", subnet_id=SUBNETS[0], **args)


@program(Expect("launch-template-imdsv2", "instance metadata tokens are 'optional'"))
def instance_with_imdsv1() -> None:
    """An aws.ec2.Instance with IMDSv1 left on."""
    instance("scoring", metadata_options={"http_tokens": "optional"})


@program(Expect("launch-template-encrypted-volumes", "rootBlockDevice is not encrypted"))
def instance_with_an_unencrypted_root() -> None:
    """An instance whose root volume is not encrypted (the data volume is)."""
    instance("scoring", root_block_device={"encrypted": False}, ebs_block_devices=[{"device_name": "/dev/sdf", "encrypted": True}])  # fmt: skip


@program(Expect("compute-no-public-ip", "associatePublicIpAddress is true"))
def instance_with_a_public_ip() -> None:
    """An instance that asks for a public IP."""
    instance("scoring", associate_public_ip_address=True)


@program(Expect("compute-no-public-ip", "subnet public-a maps a public IP on launch"))
def instance_in_a_public_subnet() -> None:
    """No public IP asked for, but the subnet hands one out."""
    subnet = aws.ec2.Subnet(
        "public-a", vpc_id=VPC, cidr_block="10.40.0.0/20", map_public_ip_on_launch=True
    )
    aws.ec2.Instance("scoring", ami=AMI, instance_type="m7i.large", subnet_id=subnet.id, metadata_options={"http_tokens": "required"}, root_block_device={"encrypted": True})  # fmt: skip


@program(
    Expect("launch-template-imdsv2", "instance metadata tokens are 'optional'"),
    Expect("launch-template-encrypted-volumes", "no rootBlockDevice"),
    Expect(
        "allowed-resource-types",
        "aws:ec2/launchConfiguration:LaunchConfiguration is not on the platform's allowlist",
    ),
)
def launch_configuration_defaults() -> None:
    """An aws.ec2.LaunchConfiguration with every default (IMDSv1, AMI-default root)."""
    aws.ec2.LaunchConfiguration("legacy-fleet", image_id=AMI, instance_type="m7i.large")


@program(Expect("launch-template-imdsv2", "instance metadata tokens are 'optional'"))
def launch_template_dict_form_optional() -> None:
    """metadata_options as a plain dict, http_tokens optional."""
    aws.ec2.LaunchTemplate("fleet", image_id=AMI, metadata_options={"http_endpoint": "enabled", "http_tokens": "optional"}, block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {"encrypted": "true"}}])  # fmt: skip


@program(
    Expect(
        "launch-template-encrypted-volumes", "blockDeviceMappings[1] (/dev/sdf) is not encrypted"
    )
)
def launch_template_unencrypted_data_volume() -> None:
    """The root volume encrypted, the data volume not."""
    aws.ec2.LaunchTemplate("fleet", image_id=AMI, metadata_options={"http_tokens": "required"}, block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {"encrypted": "true"}}, {"device_name": "/dev/sdf", "ebs": {"volume_size": 500}}])  # fmt: skip


@program(
    Expect(
        "launch-template-imdsv2", "instance metadata tokens are 'optional'", preview="unverified"
    )
)
def imds_tokens_from_a_computed_value() -> None:
    """http_tokens computed from another resource: unknown in a preview, optional at deploy."""
    sg = group()
    aws.ec2.LaunchTemplate("fleet", image_id=AMI, metadata_options={"http_tokens": computed(sg, "optional")}, block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {"encrypted": "true"}}])  # fmt: skip


@program(
    Expect("launch-template-imdsv2", "instance metadata tokens are 'optional'"),
    Expect("launch-template-encrypted-volumes", "no rootBlockDevice"),
    Expect(
        "allowed-resource-types",
        "aws:ec2/spotInstanceRequest:SpotInstanceRequest is not on the platform's allowlist",
    ),
)
def spot_instance_request() -> None:
    """A spot request: it boots an instance too."""
    aws.ec2.SpotInstanceRequest("cheap", ami=AMI, instance_type="g5.xlarge", spot_price="0.50")


@program(
    Expect("launch-template-encrypted-volumes", "the volume is not encrypted"),
    Expect("allowed-resource-types", "aws:ebs/volume:Volume is not on the platform's allowlist"),
)
def unencrypted_ebs_volume() -> None:
    """A separate EBS volume, attached later, not encrypted."""
    aws.ebs.Volume("scratch", availability_zone="eu-west-1a", size=500, encrypted=False)


@program(
    Expect(
        "asg-elb-health-check", "group fleet is behind a target group with health check type EC2"
    )
)
def fleet_behind_a_target_group_with_ec2_checks() -> None:
    """An Auto Scaling group behind a target group that only uses EC2 status checks."""
    tg = target_group()
    lt = aws.ec2.LaunchTemplate("fleet", image_id=AMI, metadata_options={"http_tokens": "required"}, block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {"encrypted": "true"}}])  # fmt: skip
    aws.autoscaling.Group("fleet", min_size=2, max_size=4, vpc_zone_identifiers=SUBNETS, target_group_arns=[tg.arn], launch_template={"id": lt.id, "version": "$Latest"})  # fmt: skip


# ---- false positives: these must pass -----------------------------------------------------------
@program()
def compliant_platform() -> None:
    """The baseline every false-positive case builds on: it must be clean."""
    platform()


@program()
def fips_tls_policy() -> None:
    """A FIPS TLS policy (ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04)."""
    platform(ssl_policy="ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04")


@program()
def fips_post_quantum_tls_policy() -> None:
    """The FIPS post-quantum variant."""
    platform(ssl_policy="ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09")


@program()
def https_written_in_lower_case() -> None:
    """The ALB's HTTPS listener written "https": it is an HTTPS listener."""
    platform(https="https")


@program()
def tls_only_with_lower_case_key_and_list_value() -> None:
    """Condition key "aws:securetransport" and ["false"] as a list."""
    deny = tls_deny(LOG_BUCKET, Condition={"Bool": {"aws:securetransport": ["false"]}})
    platform(policy=document(deny, log_delivery(LOG_BUCKET)))


@program()
def tls_only_with_bool_if_exists_and_a_boolean() -> None:
    """BoolIfExists, a JSON boolean, Action as a list, Statement as one object, Resource "*"."""
    deny = tls_deny(
        LOG_BUCKET,
        Action=["s3:*"],
        Resource="*",
        Condition={"BoolIfExists": {"aws:SecureTransport": False}},
    )
    platform(policy=json.dumps({"Version": "2012-10-17", "Statement": deny}))


@program()
def fleet_with_elb_and_ebs_health_checks() -> None:
    """health_check_type "ELB,EBS" (a documented comma list)."""
    _, _, _, tg = platform()
    lt = aws.ec2.LaunchTemplate("fleet", image_id=AMI, metadata_options={"http_tokens": "required"}, block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {"encrypted": "true"}}])  # fmt: skip
    aws.autoscaling.Group("fleet", min_size=2, max_size=4, vpc_zone_identifiers=SUBNETS, health_check_type="ELB,EBS", health_check_grace_period=180, target_group_arns=[tg.arn], launch_template={"id": lt.id, "version": "$Latest"})  # fmt: skip


@program()
def private_ranges_and_egress_to_the_world() -> None:
    """RFC 1918 sources together (not the internet), ICMP for path MTU, egress to anywhere."""
    sg = group("targets")
    for name, cidr in (("ten", "10.0.0.0/8"), ("172", "172.16.0.0/12"), ("192", "192.168.0.0/16")):
        ingress(f"model-from-{name}", sg, 8080, cidr)
    ingress("pmtu", sg, 3, "0.0.0.0/0", ip_protocol="icmp", to_port=4)
    aws.vpc.SecurityGroupEgressRule("out", security_group_id=sg.id, ip_protocol="-1", cidr_ipv4="0.0.0.0/0", description="anywhere")  # fmt: skip


@program()
def internal_nlb_with_tcp() -> None:
    """Plain TCP on an internal NLB (no internet on the other side)."""
    logs = bucket()
    nlb = aws.lb.LoadBalancer("internal-grpc", load_balancer_type="network", internal=True, subnets=SUBNETS, enable_deletion_protection=True, access_logs={"bucket": logs.bucket, "enabled": True})  # fmt: skip
    tg = aws.lb.TargetGroup("grpc-tcp", port=8080, protocol="TCP", vpc_id=VPC, deregistration_delay=30, health_check={"protocol": "TCP", "interval": 5, "timeout": 4, "unhealthy_threshold": 2})  # fmt: skip
    aws.lb.Listener("grpc-8080", load_balancer_arn=nlb.arn, port=8080, protocol="TCP", default_actions=[{"type": "forward", "target_group_arn": tg.arn}])  # fmt: skip
