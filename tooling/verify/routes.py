"""The requests each model's route is meant to take, as the listener will see them."""

from __future__ import annotations

from urllib.parse import urlsplit

from shared.serving_outputs import ModelOutput, ServingOutputs
from tooling.verify.traffic import Request, RouteSpace


def service_host(outputs: ServingOutputs, model: ModelOutput) -> str:
    """The name clients use: the model's host route, else the host of the stack's ``url``."""
    if model.route.kind == "host":
        return model.route.value
    return urlsplit(outputs.url).hostname or outputs.alb_dns_name


def representative_requests(outputs: ServingOutputs, model: ModelOutput) -> list[Request]:
    """What a client sends: the health path (as ``--probe`` does) and an inference ``POST``; no
    extra header, no query string, from a client that no ``source-ip`` condition names."""
    host, health = service_host(outputs, model), model.health_check_path
    if model.route.kind == "path":
        prefix = model.route.value.rstrip("/")
        return [Request(host, prefix + health), Request(host, prefix, "POST")]
    return [Request(host, health), Request(host, "/", "POST")]


def route_space(model: ModelOutput) -> RouteSpace | None:
    """Every request the route covers (the stack's rule: ``prefix`` and ``prefix/*``, or the host);
    None for the default route, which takes what no rule takes."""
    if model.route.kind == "path":
        prefix = model.route.value.rstrip("/")
        return RouteSpace(paths=(prefix, f"{prefix}/*"))
    if model.route.kind == "host":
        return RouteSpace(hosts=(model.route.value,))
    return None
