"""Listener guardrails: an HTTPS listener on every ALB, HTTP only redirects (default actions and
rules alike), TLS policies from an allowlist, a certificate on every TLS-terminating listener.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from guardrails.adapters import resource_policy, stack_policy
from guardrails.load_balancer import application_kind
from guardrails.meta import Guardrail
from guardrails.resource import Resource
from guardrails.types import LISTENER_RULES, LISTENERS, LOAD_BALANCERS
from guardrails.values import UNKNOWN, as_dict, as_int, as_list, is_unknown

# AWS's recommended policies (TLS 1.2+ with forward secrecy; PQ = hybrid post-quantum key exchange).
RECOMMENDED_TLS_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
]
TLS_PROTOCOLS = ("HTTPS", "TLS")
"""Listener protocols that terminate TLS (HTTPS on an ALB, TLS on an NLB)."""


def protocol(listener: Resource) -> Any:
    """The listener's protocol; the provider defaults an ALB listener to HTTP."""
    return listener.get("protocol", default="HTTP")


def action_type(action: Any) -> Any:
    fields = as_dict(action)
    return UNKNOWN if fields is None else fields.get("type")


def serving_actions(actions: list[Any]) -> list[str] | None:
    """The types of the actions that are not redirects; ``None`` if a preview cannot tell."""
    kinds = [action_type(a) for a in actions]
    if any(is_unknown(k) for k in kinds):
        return None
    return [str(k) for k in kinds if k != "redirect"]


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
        if lb.type not in LOAD_BALANCERS or application_kind(lb) is not True:
            continue
        own = [listener for listener in listeners if listener.linked_to(lb, "loadBalancerArn")]
        if not any(is_unknown(protocol(x)) or protocol(x) == "HTTPS" for x in own):
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
    if protocol(listener) != "HTTP":
        return []
    actions = as_list(listener.get("defaultActions"))
    if actions is None:
        return []
    serving = serving_actions(actions)
    if serving is None:
        return []
    port = as_int(listener.get("port", default=80)) or "(unknown)"
    if serving or not actions:
        return [
            f"HTTP listener on port {port} serves traffic ({', '.join(serving) or 'no action'}) instead of redirecting to HTTPS"
        ]
    for action in actions:
        redirect = as_dict((as_dict(action) or {}).get("redirect"))
        target = None if redirect is None else redirect.get("protocol", "#{protocol}")
        if target is not None and not is_unknown(target) and target != "HTTPS":
            return [f"HTTP listener on port {port} redirects to {target} instead of HTTPS"]
    return []


HTTP_RULES = Guardrail(
    name="alb-http-rules-redirect-only",
    description="Listener rules on an HTTP listener only redirect to HTTPS (no forwarding around the redirect).",
    severity=Severity.HIGH,
    controls=("SecurityHub ELB.1", "CKV2_AWS_20"),
    remediation="Attach routing rules to the HTTPS listener; the HTTP listener only redirects.",
)


def check_http_rules(resources: list[Resource], _: dict[str, Any]) -> list[tuple[Resource, str]]:
    http = [r for r in resources if r.type in LISTENERS and protocol(r) == "HTTP"]
    violations = []
    for rule in resources:
        if rule.type not in LISTENER_RULES or not any(
            rule.linked_to(listener, "listenerArn") for listener in http
        ):
            continue
        actions = as_list(rule.get("actions"))
        serving = None if actions is None else serving_actions(actions)
        if serving:
            violations.append(
                (
                    rule,
                    f"rule {rule.name} on an HTTP listener serves traffic ({', '.join(serving)})",
                )
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
            "items": {"type": "string", "pattern": "^ELBSecurityPolicy-"},
            "minItems": 1,
            "default": RECOMMENDED_TLS_POLICIES,
            "description": "TLS security policies an HTTPS/TLS listener may use.",
        }
    },
)


def check_tls_policy(listener: Resource, config: dict[str, Any]) -> list[str]:
    if protocol(listener) not in TLS_PROTOCOLS:
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
    controls=("AWS ELB API constraint",),
    remediation="Set certificateArn to an ACM certificate (serving:certificate).",
)


def check_certificate(listener: Resource, _: dict[str, Any]) -> list[str]:
    if protocol(listener) not in TLS_PROTOCOLS:
        return []
    arn = listener.get("certificateArn")
    if is_unknown(arn) or (isinstance(arn, str) and arn.startswith("arn:")):
        return []
    return [f"{protocol(listener)} listener has no certificate"]


POLICIES = [
    stack_policy(HTTPS_PRESENT, check_https_present),
    resource_policy(HTTP_REDIRECTS, LISTENERS, check_http_redirects),
    stack_policy(HTTP_RULES, check_http_rules),
    resource_policy(TLS_POLICY, LISTENERS, check_tls_policy),
    resource_policy(CERTIFICATE, LISTENERS, check_certificate),
]
GUARDRAILS = [HTTPS_PRESENT, HTTP_REDIRECTS, HTTP_RULES, TLS_POLICY, CERTIFICATE]
