"""Listeners: HTTPS with the expected TLS policy and certificate; HTTP only ever redirects."""

from __future__ import annotations

from typing import Any

from shared.serving_outputs import ServingOutputs
from tooling.verify.aws_view import AwsView
from tooling.verify.checks.record import Check, check

GROUP = "listeners"
HTTPS_PORT = 443
WEAK_PROTOCOLS = ("SSLv3", "TLSv1", "TLSv1.1")


def find_listener(view: AwsView, arn: str) -> dict[str, Any] | None:
    return next((item for item in view.listeners if item["ListenerArn"] == arn), None)


def custom_rules(view: AwsView, listener_arn: str) -> list[dict[str, Any]]:
    """A listener's rules without its default rule (the listener's default actions)."""
    return [r for r in view.rules.get(listener_arn, []) if not r.get("IsDefault")]


def redirects_to_https(action: dict[str, Any]) -> bool:
    redirect = action.get("RedirectConfig", {})
    return (
        action.get("Type") == "redirect"
        and redirect.get("Protocol") == "HTTPS"
        and str(redirect.get("Port", "")) == str(HTTPS_PORT)
    )


def _describe_action(action: dict[str, Any]) -> str:
    kind = str(action.get("Type", "?"))
    if kind == "redirect":
        redirect = action.get("RedirectConfig", {})
        return f"redirect to {redirect.get('Protocol', '#{protocol}')}:{redirect.get('Port', '#{port}')}"
    return kind


def https_checks(outputs: ServingOutputs, view: AwsView) -> list[Check]:
    https = find_listener(view, outputs.https_listener_arn)
    if https is None:
        return [
            Check(
                GROUP, "HTTPS listener", "fail", f"AWS does not know {outputs.https_listener_arn}"
            )
        ]
    protocol, port = https.get("Protocol"), https.get("Port")
    policy = str(https.get("SslPolicy") or "none")
    certificates = [c["CertificateArn"] for c in https.get("Certificates", [])]
    protocols = view.ssl_protocols.get(policy)
    if protocols is None:
        tls = Check(GROUP, "TLS protocols", "warn", f"AWS does not describe the policy {policy}")
    else:
        weak = sorted(p for p in protocols if p in WEAK_PROTOCOLS)
        tls = check(
            GROUP,
            "TLS protocols",
            not weak,
            ", ".join(sorted(protocols)) + (f": allows {', '.join(weak)}" if weak else ""),
        )
    return [
        check(
            GROUP,
            "HTTPS listener",
            protocol == "HTTPS" and port == HTTPS_PORT,
            f"{protocol} on {port}"
            + (
                ""
                if (protocol, port) == ("HTTPS", HTTPS_PORT)
                else f" (expected HTTPS on {HTTPS_PORT})"
            ),
        ),
        check(
            GROUP,
            "TLS policy",
            policy == outputs.tls_policy,
            policy + ("" if policy == outputs.tls_policy else f" (expected {outputs.tls_policy})"),
        ),
        tls,
        check(
            GROUP,
            "certificate",
            outputs.certificate_arn in certificates,
            ", ".join(certificates or ["none"])
            + (
                ""
                if outputs.certificate_arn in certificates
                else f" (expected {outputs.certificate_arn})"
            ),
        ),
    ]


def http_checks(outputs: ServingOutputs, view: AwsView) -> list[Check]:
    """Every plain-HTTP listener, the stack's or not, may only send clients to HTTPS."""
    checks: list[Check] = []
    for listener in view.listeners:
        if listener.get("Protocol") != "HTTP":
            continue
        problems = [
            f"default action {_describe_action(a)}"
            for a in listener.get("DefaultActions", [])
            if not redirects_to_https(a)
        ]
        if not listener.get("DefaultActions"):
            problems.append("no default action")
        for rule in custom_rules(view, listener["ListenerArn"]):
            problems += [
                f"rule {rule.get('Priority')} {_describe_action(a)}"
                for a in rule.get("Actions", [])
                if not redirects_to_https(a)
            ]
        checks.append(
            check(
                GROUP,
                f"HTTP :{listener.get('Port')} redirects only",
                not problems,
                "; ".join(problems) if problems else f"redirect to HTTPS:{HTTPS_PORT}",
            )
        )
    if find_listener(view, outputs.http_listener_arn) is None:
        checks.append(
            Check(
                GROUP,
                "HTTP redirect listener",
                "warn",
                f"AWS does not know {outputs.http_listener_arn}: http:// clients get no redirect",
            )
        )
    return checks


def unexpected_listener_checks(outputs: ServingOutputs, view: AwsView) -> list[Check]:
    known = {outputs.https_listener_arn, outputs.http_listener_arn}
    return [
        Check(
            GROUP,
            f"{listener.get('Protocol')} :{listener.get('Port')}",
            "warn",
            "a listener the stack did not create",
        )
        for listener in view.listeners
        if listener["ListenerArn"] not in known and listener.get("Protocol") != "HTTP"
    ]


def listener_checks(outputs: ServingOutputs, view: AwsView) -> list[Check]:
    if view.load_balancer is None:
        return []
    return (
        https_checks(outputs, view)
        + http_checks(outputs, view)
        + unexpected_listener_checks(outputs, view)
    )
