"""``--probe``: a bounded number of HTTPS requests to each model's health path through the ALB.

Each request opens a new connection to the ALB's DNS name (so requests spread over the ALB's nodes
in every AZ) and presents the service's name, not the ALB's: the host of the stack's ``url`` (or the
model's host route) is the TLS server name and the ``Host`` header, so the certificate is verified
against the name clients use and host rules match. Path routes get ``<prefix><health path>``.
When the stack has no DNS name (``url`` is the ALB's own name, which no ACM certificate covers) the
certificate chain is verified but not the name. Only the standard library is used.
"""

from __future__ import annotations

import http.client
import math
import socket
import ssl
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from shared.serving_outputs import ModelOutput, ServingOutputs
from tooling.verify.checks import Check
from tooling.verify.routes import service_host

USER_AGENT = "make-verify/1 (post-deploy probe)"
BODY_LIMIT = 64 * 1024
PERCENTILES = (50, 90, 99)


@dataclass(frozen=True)
class ProbeTarget:
    model: str
    scheme: str
    """``https``; ``http`` only when a test points ``--probe-base-url`` at a plain local server."""
    address: str
    """Where to connect: the ALB's DNS name (or the ``--probe-base-url`` host)."""
    port: int
    path: str
    host: str
    """``Host`` header and TLS server name (SNI): the service's name."""
    verify_hostname: bool

    @property
    def url(self) -> str:
        default = 443 if self.scheme == "https" else 80
        port = "" if self.port == default else f":{self.port}"
        return f"{self.scheme}://{self.address}{port}{self.path}"


def probe_target(
    outputs: ServingOutputs, model: ModelOutput, base_url: str | None = None
) -> ProbeTarget:
    """``https://<alb dns><prefix><health path>``, with the service's name as Host and SNI."""
    path = model.health_check_path
    if model.route.kind == "path":
        path = model.route.value.rstrip("/") + path
    host = service_host(outputs, model)
    scheme, address, port = "https", outputs.alb_dns_name, 443
    if base_url:
        parts = urlsplit(base_url)
        scheme = parts.scheme or "https"
        address = parts.hostname or address
        port = parts.port or (443 if scheme == "https" else 80)
    verify_hostname = host.lower() != outputs.alb_dns_name.lower()
    return ProbeTarget(model.name, scheme, address, port, path, host, verify_hostname)


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile (0 for no samples)."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class ProbeResult:
    target: ProbeTarget
    requests: int
    outcomes: Counter[str] = field(default_factory=Counter)
    """HTTP status code, or what went wrong (``timeout``, ``tls: ...``) -> count."""
    latencies_ms: list[float] = field(default_factory=list)
    """Of the requests that got an HTTP response (any status), connect to last byte."""

    @property
    def succeeded(self) -> int:
        return sum(n for outcome, n in self.outcomes.items() if outcome.startswith("2"))

    def latency(self) -> dict[str, float] | None:
        if not self.latencies_ms:
            return None
        return {f"p{p}": round(percentile(self.latencies_ms, p), 1) for p in PERCENTILES}

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.target.model,
            "url": self.target.url,
            "host": self.target.host,
            "requests": self.requests,
            "outcomes": dict(sorted(self.outcomes.items())),
            "latency_ms": self.latency(),
        }

    def check(self) -> Check:
        outcomes = ", ".join(f"{o} x{n}" for o, n in sorted(self.outcomes.items()))
        figures = self.latency()
        latency = (
            ", ".join(f"{k} {v:.0f} ms" for k, v in figures.items()) if figures else "no response"
        )
        detail = f"GET {self.target.url} (Host {self.target.host}): {outcomes}; {latency}"
        if not self.target.verify_hostname:
            detail += "; certificate chain verified, not its name (the stack has no DNS name)"
        if self.succeeded == self.requests:
            status = "pass"
        else:
            status = "warn" if self.succeeded else "fail"
            detail += f"; {self.requests - self.succeeded} of {self.requests} not 2xx"
        return Check(f"model {self.target.model}", "probe", status, detail)


class _Connection(http.client.HTTPSConnection):
    """An HTTPS connection to ``address`` that presents ``server_name`` for SNI and verification."""

    def __init__(
        self, address: str, port: int, *, server_name: str, tls: ssl.SSLContext, timeout: float
    ) -> None:
        super().__init__(address, port, timeout=timeout, context=tls)
        self._server_name = server_name
        self._tls = tls

    def connect(self) -> None:
        http.client.HTTPConnection.connect(self)
        self.sock = self._tls.wrap_socket(self.sock, server_hostname=self._server_name)


def tls_context(
    target: ProbeTarget, *, ca_file: Path | None = None, insecure: bool = False
) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    if insecure or not target.verify_hostname:
        context.check_hostname = False
    if insecure:
        context.verify_mode = ssl.CERT_NONE
    return context


def describe_error(error: BaseException) -> str:
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"tls: {error.verify_message}"
    if isinstance(error, ssl.SSLError):
        return f"tls: {error.reason or type(error).__name__}"
    if isinstance(error, TimeoutError):
        return "timeout"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, socket.gaierror):
        return "dns: name not resolved"
    if isinstance(error, http.client.HTTPException):
        return f"http: {type(error).__name__}"
    return (
        f"error: {error.strerror or type(error).__name__}"
        if isinstance(error, OSError)
        else (f"error: {type(error).__name__}")
    )


def request_once(target: ProbeTarget, *, tls: ssl.SSLContext, timeout: float) -> str:
    """One GET on a new connection: the status code, or what went wrong."""
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = _Connection(
            target.address, target.port, server_name=target.host, tls=tls, timeout=timeout
        )
    else:
        connection = http.client.HTTPConnection(target.address, target.port, timeout=timeout)
    try:
        connection.request(
            "GET",
            target.path,
            headers={"Host": target.host, "User-Agent": USER_AGENT, "Connection": "close"},
        )
        response = connection.getresponse()
        response.read(BODY_LIMIT)
        return str(response.status)
    except (OSError, http.client.HTTPException) as error:
        return describe_error(error)
    finally:
        connection.close()


def probe(
    target: ProbeTarget,
    *,
    count: int,
    timeout: float,
    ca_file: Path | None = None,
    insecure: bool = False,
) -> ProbeResult:
    tls = tls_context(target, ca_file=ca_file, insecure=insecure)
    result = ProbeResult(target, count)
    for _ in range(count):
        started = time.perf_counter()
        outcome = request_once(target, tls=tls, timeout=timeout)
        elapsed = (time.perf_counter() - started) * 1000
        result.outcomes[outcome] += 1
        if outcome.isdigit():
            result.latencies_ms.append(elapsed)
    return result


def probe_all(
    outputs: ServingOutputs,
    *,
    count: int,
    timeout: float,
    base_url: str | None = None,
    ca_file: Path | None = None,
    insecure: bool = False,
) -> list[ProbeResult]:
    return [
        probe(
            probe_target(outputs, model, base_url),
            count=count,
            timeout=timeout,
            ca_file=ca_file,
            insecure=insecure,
        )
        for model in outputs.models.values()
    ]
