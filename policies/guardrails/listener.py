"""Listener guardrails: an HTTPS listener on every ALB, HTTP only redirects (default actions and
rules alike), nothing in clear text to the internet on any load balancer kind, TLS policies from an
allowlist, a certificate on every TLS-terminating listener.

Protocols and action types are compared canonically (``"http"`` is HTTP); listeners and rules are
linked to their load balancer and listener by dependency or by ARN (:mod:`guardrails.links`).
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from guardrails import links
from guardrails import types as t
from guardrails.adapters import resource_policy, stack_policy
from guardrails.findings import Finding, Unverified
from guardrails.load_balancer import application_kind, internet_facing, lb_kind
from guardrails.meta import Guardrail, sees
from guardrails.normalize import lower, upper
from guardrails.resource import Resource
from guardrails.values import UNKNOWN, as_dict, as_int, as_list, is_unknown

# AWS's recommended policies (TLS 1.2+ with forward secrecy; PQ = hybrid post-quantum key exchange)
# and their FIPS 140-3 counterparts (the same protocols, FIPS-validated ciphers).
RECOMMENDED_TLS_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
]
TLS_PROTOCOLS = ("HTTPS", "TLS")
"""Listener protocols that terminate TLS (HTTPS on an ALB, TLS on an NLB)."""
CLEARTEXT_NLB_PROTOCOLS = ("TCP", "UDP", "TCP_UDP")
CLEARTEXT_CLASSIC_PROTOCOLS = ("HTTP", "TCP")


def protocol(listener: Resource) -> Any:
    """The listener's protocol, upper-cased; the provider defaults an ALB listener to HTTP."""
    return upper(listener.get("protocol"), default="HTTP")


def action_type(action: Any) -> Any:
    fields = as_dict(action)
    return UNKNOWN if fields is None else lower(fields.get("type"))


def serving_actions(actions: list[Any]) -> list[str] | None:
    """The types of the actions that are not redirects; ``None`` if a preview cannot tell."""
    kinds = [action_type(a) for a in actions]
    if any(is_unknown(k) for k in kinds):
        return None
    return [str(k) for k in kinds if k != "redirect"]


def redirect_targets(actions: list[Any]) -> list[Any]:
    """The protocol each redirect action sends to (``#{protocol}`` keeps the request's)."""
    targets = []
    for action in actions:
        redirect = as_dict((as_dict(action) or {}).get("redirect"))
        targets.append(
            UNKNOWN if redirect is None else upper(redirect.get("protocol"), "#{PROTOCOL}")
        )
    return targets


LISTENER_FIELDS = (
    "protocol",
    "port",
    "defaultActions[].type",
    "defaultActions[].redirect.protocol",
)

HTTPS_PRESENT = Guardrail(
    name="alb-https-listener-present",
    description="Every ALB in the stack has an HTTPS listener.",
    severity=Severity.HIGH,
    controls=("SecurityHub ELB.1", "CKV2_AWS_20"),
    remediation="Add a listener with protocol HTTPS on 443 to the load balancer.",
    sees=(
        sees(t.LOAD_BALANCERS, "loadBalancerType", "arn"),
        sees(t.LISTENERS, "protocol", "loadBalancerArn"),
    ),
)


def check_https_present(
    resources: list[Resource], _: dict[str, Any]
) -> list[tuple[Resource, Finding]]:
    listeners = [r for r in resources if r.type in t.LISTENERS]
    found: list[tuple[Resource, Finding]] = []
    for lb in resources:
        if lb.type not in t.LOAD_BALANCERS or application_kind(lb) is False:
            continue
        own, maybe = [], []
        for listener in listeners:
            link = links.LISTENER_LB.follow(listener, resources)
            if link.leads_to(lb):
                own.append(listener)
            elif any(m.urn == lb.urn for m in link.maybe) or link.unresolved:
                maybe.append(listener)
        if any(protocol(x) == "HTTPS" for x in own):
            continue
        undecided = [x for x in own if is_unknown(protocol(x))] + maybe
        if undecided:
            found.append((lb, Unverified(f"the protocol or load balancer of {undecided[0].name}")))
        elif application_kind(lb) is None:
            found.append((lb, Unverified("loadBalancerType")))
        else:
            found.append((lb, f"load balancer {lb.name} has no HTTPS listener"))
    return found


HTTP_REDIRECTS = Guardrail(
    name="alb-http-redirects-to-https",
    description="HTTP listeners only redirect to HTTPS; nothing is served in clear text.",
    severity=Severity.HIGH,
    controls=("SecurityHub ELB.1", "CKV_AWS_2", "CKV2_AWS_20"),
    remediation="Give the HTTP listener one default action: redirect to protocol HTTPS, port 443, HTTP_301.",
    sees=(sees(t.LISTENERS, *LISTENER_FIELDS),),
)


def check_http_redirects(listener: Resource, _: dict[str, Any]) -> list[Finding]:
    kind = protocol(listener)
    if is_unknown(kind):
        as_http = _http_verdict(listener)  # what it would be on an HTTP listener
        return [Unverified("protocol")] if as_http else []
    return _http_verdict(listener) if kind == "HTTP" else []


def _http_verdict(listener: Resource) -> list[Finding]:
    actions = as_list(listener.get("defaultActions"))
    serving = None if actions is None else serving_actions(actions)
    if actions is None or serving is None:
        return [Unverified("defaultActions")]
    port = as_int(listener.get("port", default=80)) or "(unknown)"
    if serving or not actions:
        return [
            f"HTTP listener on port {port} serves traffic ({', '.join(serving) or 'no action'}) instead of redirecting to HTTPS"
        ]
    for target in redirect_targets(actions):
        if is_unknown(target):
            return [Unverified("defaultActions[].redirect.protocol")]
        if target != "HTTPS":
            return [f"HTTP listener on port {port} redirects to {target.lower()} instead of HTTPS"]
    return []


HTTP_RULES = Guardrail(
    name="alb-http-rules-redirect-only",
    description="Listener rules on an HTTP listener only redirect to HTTPS (no forwarding around the redirect), however the rule names its listener.",
    severity=Severity.HIGH,
    controls=("SecurityHub ELB.1", "CKV2_AWS_20"),
    remediation="Attach routing rules to the HTTPS listener; the HTTP listener only redirects.",
    sees=(
        sees(t.LISTENERS, "protocol", "arn"),
        sees(t.LISTENER_RULES, "listenerArn", "actions[].type", "actions[].redirect.protocol"),
    ),
)


def _rule_verdict(rule: Resource) -> Finding | None:
    """What a rule on an HTTP listener does wrong (``None``: it only redirects to HTTPS)."""
    actions = as_list(rule.get("actions"))
    serving = None if actions is None else serving_actions(actions)
    if actions is None or serving is None:
        return Unverified("actions")
    if serving:
        return f"rule {rule.name} on an HTTP listener serves traffic ({', '.join(serving)})"
    targets = redirect_targets(actions)
    if any(is_unknown(x) for x in targets):
        return Unverified("actions[].redirect.protocol")
    wrong = [x for x in targets if x != "HTTPS"]
    return (
        f"rule {rule.name} on an HTTP listener redirects to {wrong[0].lower()}" if wrong else None
    )


def check_http_rules(
    resources: list[Resource], _: dict[str, Any]
) -> list[tuple[Resource, Finding]]:
    found: list[tuple[Resource, Finding]] = []
    for rule in resources:
        if rule.type not in t.LISTENER_RULES:
            continue
        link = links.RULE_LISTENER.follow(rule, resources)
        kinds = {protocol(x) for x in link.targets}
        maybe_http = link.unresolved or any(protocol(x) in ("HTTP", UNKNOWN) for x in link.maybe)
        if "HTTP" not in kinds and UNKNOWN not in kinds and not maybe_http:
            continue
        verdict = _rule_verdict(rule)
        if verdict is None:
            continue
        if "HTTP" in kinds:
            found.append((rule, verdict))
        else:
            where = (
                "the listener listenerArn names"
                if link.maybe or link.unresolved
                else "its listener's protocol"
            )
            found.append((rule, Unverified(where)))
    return found


TLS_POLICY = Guardrail(
    name="alb-tls-policy-allowed",
    description="HTTPS and TLS listeners use a TLS policy from the allowlist (TLS 1.2+, forward secrecy; FIPS variants included).",
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
    sees=(sees(t.LISTENERS, "protocol", "sslPolicy"),),
)


def check_tls_policy(listener: Resource, config: dict[str, Any]) -> list[Finding]:
    kind = protocol(listener)
    policy = listener.get("sslPolicy")
    allowed = policy in config["allowedPolicies"]
    if is_unknown(kind):
        return [] if allowed else [Unverified("protocol")]
    if kind not in TLS_PROTOCOLS:
        return []
    if is_unknown(policy):
        return [Unverified("sslPolicy")]
    if allowed:
        return []
    shown = policy or "none (the API default ELBSecurityPolicy-2016-08 allows TLS 1.0)"
    return [f"TLS policy {shown} is not allowed"]


CERTIFICATE = Guardrail(
    name="alb-https-certificate",
    description="HTTPS and TLS listeners have a certificate.",
    severity=Severity.HIGH,
    controls=("AWS ELB API constraint",),
    remediation="Set certificateArn to an ACM certificate (serving:certificate).",
    sees=(sees(t.LISTENERS, "protocol", "certificateArn"),),
)


def check_certificate(listener: Resource, _: dict[str, Any]) -> list[Finding]:
    kind = protocol(listener)
    arn = listener.get("certificateArn")
    has_certificate = is_unknown(arn) or (isinstance(arn, str) and arn.startswith("arn:"))
    if is_unknown(kind):
        return [] if has_certificate else [Unverified("protocol")]
    if kind not in TLS_PROTOCOLS or has_certificate:
        return []
    return [f"{kind} listener has no certificate"]


CLEARTEXT = Guardrail(
    name="lb-no-cleartext-listeners",
    description="No internet-facing load balancer of any kind takes clear text: no TCP/UDP listener on an internet-facing NLB, no HTTP/TCP listener on a classic ELB.",
    severity=Severity.HIGH,
    controls=("SecurityHub ELB.1", "SecurityHub ELB.3", "CKV_AWS_2"),
    remediation="Terminate TLS at the load balancer (a TLS listener on an NLB, HTTPS on an ALB), or make the load balancer internal.",
    sees=(
        sees(t.LOAD_BALANCERS, "loadBalancerType", "internal", "arn"),
        sees(t.LISTENERS, "protocol", "port", "loadBalancerArn"),
        sees(t.CLASSIC_ELB, "internal", "listeners[].lbProtocol", "listeners[].lbPort"),
    ),
)


def _nlb_listener(listener: Resource, resources: list[Resource]) -> Finding | None:
    kind = upper(listener.get("protocol"), default="TCP")  # an NLB listener has no HTTP default
    if not (is_unknown(kind) or kind in CLEARTEXT_NLB_PROTOCOLS):
        return None
    link = links.LISTENER_LB.follow(listener, resources)
    port = as_int(listener.get("port")) or "(unknown)"
    for lb in link.targets:
        nlb, facing = lb_kind(lb), internet_facing(lb)
        if nlb == "network" and facing is True and not is_unknown(kind):
            return f"{kind} listener on port {port} of internet-facing NLB {lb.name} carries clear text"
        if nlb in ("network", UNKNOWN) and facing is not False:
            return Unverified(
                f"the protocol of listener {listener.name} or the kind and scheme of {lb.name}"
            )
    for arn in link.external:
        if "loadbalancer/net/" in arn and not is_unknown(kind):
            return f"{kind} listener on port {port} of an NLB this stack does not create ({arn}): it may face the internet"
    if link.maybe or link.unresolved:
        return Unverified("loadBalancerArn")
    return None


def _classic_listeners(elb: Resource) -> list[Finding]:
    internal = internet_facing(elb)
    listeners = as_list(elb.get("listeners"))
    if internal is False:
        return []
    if listeners is None:
        return [Unverified("listeners")]
    found: list[Finding] = []
    for index, entry in enumerate(listeners):
        fields = as_dict(entry) or {}
        kind = upper(fields.get("lbProtocol")) if fields else UNKNOWN
        if is_unknown(kind) or internal is None:
            if is_unknown(kind) or kind in CLEARTEXT_CLASSIC_PROTOCOLS:
                found.append(Unverified(f"listeners[{index}] or internal"))
        elif kind in CLEARTEXT_CLASSIC_PROTOCOLS:
            port = as_int(fields.get("lbPort")) or "(unknown)"
            found.append(
                f"classic ELB {elb.name} listens for {kind} on port {port} from the internet"
            )
    return found


def check_cleartext(resources: list[Resource], _: dict[str, Any]) -> list[tuple[Resource, Finding]]:
    found: list[tuple[Resource, Finding]] = []
    for resource in resources:
        if resource.type in t.LISTENERS:
            verdict = _nlb_listener(resource, resources)
            if verdict is not None:
                found.append((resource, verdict))
        elif resource.type == t.CLASSIC_ELB:
            found += [(resource, f) for f in _classic_listeners(resource)]
    return found


POLICIES = [
    stack_policy(HTTPS_PRESENT, check_https_present),
    resource_policy(HTTP_REDIRECTS, t.LISTENERS, check_http_redirects),
    stack_policy(HTTP_RULES, check_http_rules),
    resource_policy(TLS_POLICY, t.LISTENERS, check_tls_policy),
    resource_policy(CERTIFICATE, t.LISTENERS, check_certificate),
    stack_policy(CLEARTEXT, check_cleartext),
]
GUARDRAILS = [HTTPS_PRESENT, HTTP_REDIRECTS, HTTP_RULES, TLS_POLICY, CERTIFICATE, CLEARTEXT]
