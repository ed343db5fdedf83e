"""Listeners: every HTTPS listener on the ALB is held to the stack's TLS policy and certificate,
every HTTP listener may only redirect to HTTPS, and the stack's listeners keep their defaults."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.serving_outputs import ServingOutputs
from tooling.verify.aws_view import AwsView
from tooling.verify.checks.actions import describe_action, model_label
from tooling.verify.checks.record import REDEPLOY, Check, check, compare
from tooling.verify.checks.versions import model_arns
from tooling.verify.traffic import final_action, weights_of

GROUP = "listeners"
WEAK_PROTOCOLS = ("SSLv3", "TLSv1", "TLSv1.1")


def find_listener(view: AwsView, arn: str) -> dict[str, Any] | None:
    return next((item for item in view.listeners if item["ListenerArn"] == arn), None)


def custom_rules(view: AwsView, listener_arn: str) -> list[dict[str, Any]]:
    """A listener's rules without its default rule (the listener's default actions)."""
    return [r for r in view.rules.get(listener_arn, []) if not r.get("IsDefault")]


def label(listener: Mapping[str, Any]) -> str:
    return f"{listener.get('Protocol')} :{listener.get('Port')}"


def redirects_to_https(action: Mapping[str, Any], https_port: int) -> bool:
    redirect = action.get("RedirectConfig", {})
    return (
        action.get("Type") == "redirect"
        and redirect.get("Protocol") == "HTTPS"
        and str(redirect.get("Port", "")) == str(https_port)
    )


def _tls_protocols(view: AwsView, name: str, policy: str) -> Check:
    protocols = view.ssl_protocols.get(policy)
    if protocols is None:
        return Check(
            GROUP, name, "warn", f"AWS does not describe the policy {policy}", "unknown policy",
            fix="use a current policy (the stack's tlsPolicy)",
        )  # fmt: skip
    weak = sorted(p for p in protocols if p in WEAK_PROTOCOLS)
    shown = ", ".join(sorted(protocols))
    return check(
        GROUP, name, not weak, shown + (f": allows {', '.join(weak)}" if weak else ""),
        actual=shown, expected="TLSv1.2 and later only",
        fix="set the stack's TLS policy on this listener (`make deploy`), or delete the listener",
    )  # fmt: skip


def tls_checks(outputs: ServingOutputs, view: AwsView, listener: Mapping[str, Any]) -> list[Check]:
    """Any HTTPS listener: the stack's TLS policy, what AWS says it allows, the stack's certificate."""
    name = label(listener)
    policy = str(listener.get("SslPolicy") or "none")
    certificates = [c["CertificateArn"] for c in listener.get("Certificates", [])]
    fix = f"set {outputs.tls_policy} on {name} (`make deploy` for the stack's), or delete it"
    return [
        compare(GROUP, f"{name} TLS policy", policy, outputs.tls_policy, fix=fix),
        _tls_protocols(view, f"{name} TLS protocols", policy),
        check(
            GROUP, f"{name} certificate", outputs.certificate_arn in certificates,
            ", ".join(certificates or ["none"])
            + ("" if outputs.certificate_arn in certificates else f" (expected {outputs.certificate_arn})"),
            actual=", ".join(certificates or ["none"]), expected=outputs.certificate_arn,
            fix=f"serve the stack's certificate on {name}",
        ),
    ]  # fmt: skip


def _default_action(outputs: ServingOutputs, listener: Mapping[str, Any]) -> Check:
    """The stack's HTTPS listener: forward to the default model, else its JSON 404."""
    action, _ = final_action(listener.get("DefaultActions", []))
    actual = describe_action(outputs, action)
    default = next((m for m in outputs.models.values() if m.route.kind == "default"), None)
    settings = outputs.listener_settings
    if default is not None:
        expected = f"forward to {model_label(outputs, default)}"
        weights = weights_of(action) if action is not None else {}
        ok = any(weights.get(arn, 0) > 0 for arn in model_arns(default))
    else:
        expected = (
            f"fixed-response {settings.not_found_status_code} ({settings.not_found_content_type})"
        )
        ok = actual == expected
    return check(
        GROUP, f"{label(listener)} default action", ok,
        actual + ("" if ok else f" (expected {expected})"),
        actual=actual, expected=expected, fix=REDEPLOY,
    )  # fmt: skip


def https_checks(outputs: ServingOutputs, view: AwsView) -> list[Check]:
    https = find_listener(view, outputs.https_listener_arn)
    if https is None:
        return [
            Check(
                GROUP, "HTTPS listener", "fail", f"AWS does not know {outputs.https_listener_arn}",
                "missing", outputs.https_listener_arn, "redeploy the serving stack (`make deploy`)",
            )
        ]  # fmt: skip
    port = outputs.listener_settings.https_port
    actual = f"{https.get('Protocol')} on {https.get('Port')}"
    return [
        compare(GROUP, "HTTPS listener", actual, f"HTTPS on {port}"),
        _default_action(outputs, https),
    ]


def _redirect_problems(
    outputs: ServingOutputs, view: AwsView, listener: Mapping[str, Any], ours: bool
) -> list[str]:
    settings = outputs.listener_settings
    problems = [
        f"default action {describe_action(outputs, a)}"
        for a in listener.get("DefaultActions", [])
        if not redirects_to_https(a, settings.https_port)
        or (ours and a.get("RedirectConfig", {}).get("StatusCode") != settings.redirect_status_code)
    ]
    if not listener.get("DefaultActions"):
        problems.append("no default action")
    for rule in custom_rules(view, listener["ListenerArn"]):
        problems += [
            f"rule {rule.get('Priority')} {describe_action(outputs, a)}"
            for a in rule.get("Actions", [])
            if not redirects_to_https(a, settings.https_port)
        ]
    return problems


def http_check(outputs: ServingOutputs, view: AwsView, listener: Mapping[str, Any]) -> Check:
    """A plain-HTTP listener, the stack's or not, may only send clients to HTTPS."""
    ours = listener["ListenerArn"] == outputs.http_listener_arn
    settings = outputs.listener_settings
    expected = f"redirect to HTTPS:{settings.https_port}" + (
        f" ({settings.redirect_status_code})" if ours else ""
    )
    problems = _redirect_problems(outputs, view, listener, ours)
    actual = "; ".join(problems) if problems else expected
    return check(
        GROUP, f"{label(listener)} redirects only", not problems,
        actual + (f" (expected only {expected})" if problems else ""),
        actual=actual, expected=f"only {expected}",
        fix=(REDEPLOY if ours else "delete the listener") + "; plain HTTP must never reach a model",
    )  # fmt: skip


def models_served(outputs: ServingOutputs, view: AwsView, listener: Mapping[str, Any]) -> list[str]:
    """The models whose target groups any action of ``listener`` forwards to (weight > 0)."""
    actions = list(listener.get("DefaultActions", []))
    for rule in view.rules.get(listener["ListenerArn"], []):
        actions += rule.get("Actions", [])
    arns = {arn for a in actions for arn, w in weights_of(a).items() if w > 0}
    return [m.name for m in outputs.models.values() if m.target_group_arn in arns]


def foreign_check(outputs: ServingOutputs, view: AwsView, listener: Mapping[str, Any]) -> Check:
    served = models_served(outputs, view, listener)
    detail = "a listener the stack did not create" + (
        f"; it serves {', '.join(served)}" if served else ""
    )
    return Check(
        GROUP, f"{label(listener)} listener", "warn", detail, detail, "only the stack's listeners",
        "delete it, or add it to the stack; until then it is held to the stack's rules",
    )  # fmt: skip


def listener_checks(outputs: ServingOutputs, view: AwsView) -> list[Check]:
    if view.load_balancer is None:
        return []
    checks = https_checks(outputs, view)
    known = {outputs.https_listener_arn, outputs.http_listener_arn}
    for listener in sorted(view.listeners, key=lambda item: int(item.get("Port") or 0)):
        if listener["ListenerArn"] not in known:
            checks.append(foreign_check(outputs, view, listener))
        if listener.get("Protocol") == "HTTPS":
            checks += tls_checks(outputs, view, listener)
        elif listener.get("Protocol") == "HTTP":
            checks.append(http_check(outputs, view, listener))
    if find_listener(view, outputs.http_listener_arn) is None:
        checks.append(
            Check(
                GROUP, "HTTP redirect listener", "warn",
                f"AWS does not know {outputs.http_listener_arn}: http:// clients get no redirect",
                "missing", outputs.http_listener_arn, "redeploy the serving stack (`make deploy`)",
            )
        )  # fmt: skip
    return checks
