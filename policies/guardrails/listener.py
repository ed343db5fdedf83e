"""Listener guardrails: an HTTPS listener on every ALB, HTTP only redirects, allowed TLS, a certificate."""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from guardrails.load_balancer import is_application
from guardrails.meta import Guardrail, Resource, is_unknown, resource_policy, stack_policy
from guardrails.types import LISTENER_RULES, LISTENERS, LOAD_BALANCERS

RECOMMENDED_TLS_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
]

HTTPS_PRESENT = Guardrail(
    name="alb-https-listener-present",
    description="Every ALB in the stack has an HTTPS listener.",
    severity=Severity.HIGH,
    controls=("SecurityHub ELB.1", "CKV2_AWS_20"),
    remediation="Add a listener with protocol HTTPS on 443 to the load balancer.",
)


def check_https_present(resources: list[Resource], _: dict[str, Any]) -> list[tuple[Resource, str]]:
    listeners = [r for r in resources if r.type in LISTENERS]
    violations = []
    for lb in resources:
        if lb.type not in LOAD_BALANCERS or not is_application(lb):
            continue
        https = [
            listener
            for listener in listeners
            if listener.linked_to(lb, "loadBalancerArn") and listener.get("protocol") == "HTTPS"
        ]
        if not https:
            violations.append((lb, f"load balancer {lb.name} has no HTTPS listener"))
    return violations


HTTP_REDIRECTS = Guardrail(
    name="alb-http-redirects-to-https",
    description="HTTP listeners only redirect to HTTPS; nothing is served in clear text.",
    severity=Severity.HIGH,
    controls=("SecurityHub ELB.1", "CKV_AWS_2", "CKV2_AWS_20"),
    remediation="Give the HTTP listener one default action: redirect to protocol HTTPS, port 443, HTTP_301.",
)


def check_http_redirects(listener: Resource, _: dict[str, Any]) -> list[str]:
    protocol = listener.get("protocol", default="HTTP")
    if protocol != "HTTP":
        return []
    actions = listener.get("defaultActions", default=[])
    if is_unknown(actions):
        return []
    non_redirects = [
        a for a in actions if not (isinstance(a, dict) and a.get("type") == "redirect")
    ]
    if non_redirects or not actions:
        kinds = (
            ", ".join(str(a.get("type")) for a in non_redirects if isinstance(a, dict))
            or "no action"
        )
        return [
            f"HTTP listener on port {listener.get('port')} serves traffic ({kinds}) instead of redirecting to HTTPS"
        ]
    for action in actions:
        target = (action.get("redirect") or {}).get("protocol")
        if target != "HTTPS" and not is_unknown(target):
            return [f"HTTP listener redirects to {target or '#{protocol}'} instead of HTTPS"]
    return []


HTTP_RULES = Guardrail(
    name="alb-http-rules-redirect-only",
    description="Listener rules on an HTTP listener only redirect to HTTPS (no forwarding around the redirect).",
    severity=Severity.HIGH,
    controls=("SecurityHub ELB.1", "CKV2_AWS_20"),
    remediation="Attach routing rules to the HTTPS listener; the HTTP listener only redirects.",
)


def check_http_rules(resources: list[Resource], _: dict[str, Any]) -> list[tuple[Resource, str]]:
    http = [
        r for r in resources if r.type in LISTENERS and r.get("protocol", default="HTTP") == "HTTP"
    ]
    violations = []
    for rule in resources:
        if rule.type not in LISTENER_RULES or not any(
            rule.linked_to(listener, "listenerArn") for listener in http
        ):
            continue
        actions = rule.get("actions", default=[])
        if is_unknown(actions):
            continue
        serving = [a for a in actions if not (isinstance(a, dict) and a.get("type") == "redirect")]
        if serving:
            kinds = ", ".join(str(a.get("type")) for a in serving if isinstance(a, dict))
            violations.append(
                (rule, f"rule {rule.name} on an HTTP listener serves traffic ({kinds})")
            )
    return violations


TLS_POLICY = Guardrail(
    name="alb-tls-policy-allowed",
    description="HTTPS listeners use a TLS policy from the allowlist (TLS 1.2+, forward secrecy).",
    severity=Severity.HIGH,
    controls=("SecurityHub ELB.17", "CKV_AWS_103", "CKV2_AWS_74"),
    remediation=f"Set sslPolicy to one of the allowed policies, e.g. {RECOMMENDED_TLS_POLICIES[0]}.",
    config={
        "allowedPolicies": {
            "type": "array",
            "items": {"type": "string"},
            "default": RECOMMENDED_TLS_POLICIES,
        }
    },
)


def check_tls_policy(listener: Resource, config: dict[str, Any]) -> list[str]:
    if listener.get("protocol") != "HTTPS":
        return []
    policy = listener.get("sslPolicy")
    if is_unknown(policy) or policy in config["allowedPolicies"]:
        return []
    shown = policy or "none (the API default ELBSecurityPolicy-2016-08 allows TLS 1.0)"
    return [f"TLS policy {shown} is not allowed"]


CERTIFICATE = Guardrail(
    name="alb-https-certificate",
    description="HTTPS listeners have a certificate.",
    severity=Severity.HIGH,
    controls=("SecurityHub ELB.1",),
    remediation="Set certificateArn to an ACM certificate (serving:certificate).",
)


def check_certificate(listener: Resource, _: dict[str, Any]) -> list[str]:
    if listener.get("protocol") != "HTTPS":
        return []
    arn = listener.get("certificateArn")
    if is_unknown(arn) or (isinstance(arn, str) and arn):
        return []
    return ["HTTPS listener has no certificate"]


POLICIES = [
    stack_policy(HTTPS_PRESENT, check_https_present),
    resource_policy(HTTP_REDIRECTS, LISTENERS, check_http_redirects),
    stack_policy(HTTP_RULES, check_http_rules),
    resource_policy(TLS_POLICY, LISTENERS, check_tls_policy),
    resource_policy(CERTIFICATE, LISTENERS, check_certificate),
]
GUARDRAILS = [HTTPS_PRESENT, HTTP_REDIRECTS, HTTP_RULES, TLS_POLICY, CERTIFICATE]
