"""``--probe`` against a local HTTPS server on 127.0.0.1 only, with a self-signed certificate made for
the service's name: the requests present that name (SNI and Host), verify the certificate, and the
report carries status codes and latency percentiles."""

from __future__ import annotations

import datetime
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from shared.serving_outputs import ModelOutput, ServingOutputs
from tests.verify.conftest import verify
from tests.verify.layout import Deployment
from tooling.verify.probe import percentile, probe, probe_target

SERVICE = "api.ml.acme-corp.com"
EMBEDDINGS_HOST = "embeddings.ml.acme-corp.com"
ALB_DNS = "serving-prod-alb-1234567890.eu-west-1.elb.amazonaws.com"
HEALTHY_PATHS = {"/v1/chat/healthz", "/v1/embeddings/health", "/health"}


@dataclass
class Seen:
    server_names: list[str | None] = field(default_factory=list)
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    """(path, Host header)"""


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SERVICE)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(SERVICE), x509.DNSName(EMBEDDINGS_HOST)]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "alb.pem", directory / "alb.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@dataclass
class LocalAlb:
    base_url: str
    ca_file: Path
    seen: Seen


@pytest.fixture
def local_alb(tmp_path: Path) -> Iterator[LocalAlb]:
    """An HTTPS server on 127.0.0.1 that answers the models' health paths like their servers."""
    cert_file, key_file = _self_signed(tmp_path)
    seen = Seen()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.requests.append((self.path, self.headers.get("Host")))
            ok = self.path in HEALTHY_PATHS
            body = b'{"status": "ok"}' if ok else b'{"error": "not_found"}'
            self.send_response(200 if ok else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert_file, key_file)
    tls.sni_callback = lambda sock, name, ctx: seen.server_names.append(name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LocalAlb(f"https://127.0.0.1:{server.server_address[1]}", cert_file, seen)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_probe_reports_status_codes_and_latency_per_model(
    deployment: Deployment,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    local_alb: LocalAlb,
) -> None:
    run = verify(
        deployment, tmp_path, capsys,
        "--probe", "--probe-count", "5", "--probe-base-url", local_alb.base_url,
        "--probe-ca-file", str(local_alb.ca_file),
    )  # fmt: skip
    assert run.code == 0, run.stdout + run.stderr
    assert run.report is not None
    probes = {p["model"]: p for p in run.report["probes"]}
    assert set(probes) == {"llm-chat", "embeddings"}
    chat = probes["llm-chat"]
    assert chat["url"] == f"{local_alb.base_url}/v1/chat/healthz"
    assert (chat["host"], chat["requests"], chat["outcomes"]) == (SERVICE, 5, {"200": 5})
    assert set(chat["latency_ms"]) == {"p50", "p90", "p99"}
    assert 0 < chat["latency_ms"]["p50"] <= chat["latency_ms"]["p90"] <= chat["latency_ms"]["p99"]
    assert run.check("model llm-chat", "probe")["status"] == "pass"
    assert run.check("model embeddings", "probe")["detail"].startswith(
        f"GET {local_alb.base_url}/v1/embeddings/health (Host {SERVICE}): 200 x5; p50 "
    )
    # Every request presented the service's name (SNI + Host), each on a new connection.
    assert local_alb.seen.server_names == [SERVICE] * 10
    assert sorted(local_alb.seen.requests) == sorted(
        [("/v1/chat/healthz", SERVICE)] * 5 + [("/v1/embeddings/health", SERVICE)] * 5
    )


def test_a_broken_health_path_fails_the_probe(
    deployment: Deployment,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    local_alb: LocalAlb,
) -> None:
    deployment.model("embeddings")["health_check_path"] = "/readyz"
    deployment.elbv2.modify_target_group(
        TargetGroupArn=deployment.model("embeddings")["target_group_arn"], HealthCheckPath="/readyz"
    )
    run = verify(
        deployment, tmp_path, capsys,
        "--probe", "--probe-count", "3", "--probe-base-url", local_alb.base_url,
        "--probe-ca-file", str(local_alb.ca_file),
    )  # fmt: skip
    assert run.code == 1
    assert run.failed() == [("model embeddings", "probe")]
    detail = run.check("model embeddings", "probe")["detail"]
    assert detail.startswith(
        f"GET {local_alb.base_url}/v1/embeddings/readyz (Host {SERVICE}): 404 x3;"
    )
    assert detail.endswith("; 3 of 3 not 2xx")


def test_an_untrusted_certificate_is_a_failed_probe_not_a_crash(
    deployment: Deployment,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    local_alb: LocalAlb,
) -> None:
    run = verify(
        deployment, tmp_path, capsys,
        "--probe", "--probe-count", "2", "--probe-base-url", local_alb.base_url,
    )  # fmt: skip
    assert run.code == 1
    assert run.failed() == [("model llm-chat", "probe"), ("model embeddings", "probe")]
    assert run.report is not None
    chat = next(p for p in run.report["probes"] if p["model"] == "llm-chat")
    assert chat["outcomes"] == {"tls: self-signed certificate": 2}
    assert chat["latency_ms"] is None
    assert "no response" in run.check("model llm-chat", "probe")["detail"]


def _outputs(url: str, **route: str | int | None) -> ServingOutputs:
    arn = "arn:aws:elasticloadbalancing:eu-west-1:210987654321"
    return ServingOutputs.model_validate(
        {
            "alb_arn": f"{arn}:loadbalancer/app/serving-staging-alb/50dc6c495c0c9188",
            "alb_dns_name": ALB_DNS,
            "alb_zone_id": "Z32O12XQLNTSW2",
            "url": url,
            "scheme": "internet-facing",
            "availability_zones": ["eu-west-1a", "eu-west-1b"],
            "https_listener_arn": f"{arn}:listener/app/serving-staging-alb/50dc6c495c0c9188/f2f7dc8efc522ab2",
            "http_listener_arn": f"{arn}:listener/app/serving-staging-alb/50dc6c495c0c9188/0a1b2c3d4e5f6789",
            "tls_policy": "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
            "certificate_arn": "arn:aws:acm:eu-west-1:210987654321:certificate/5f3c2b1a-8d4e-4f6a-9b7c-1e2d3c4b5a69",
            "log_bucket": "serving-staging-alb-logs-210987654321-eu-west-1",
            "deletion_protection": False,
            "desync_mitigation_mode": "defensive",
            "models": {
                "embeddings": {
                    "name": "embeddings",
                    "route": route,
                    "target_group_arn": f"{arn}:targetgroup/srv-staging-embeddings-9c1e2f3/73e2d6bc24d8a067",
                    "port": 8000,
                    "health_check_path": "/health",
                    "targets": "fleet",
                    "min_healthy_targets": 2,
                }
            },
            "failover": {"detection_seconds": 10, "recovery_seconds": 10, "drain_seconds": 30, "az_count": 2, "min_healthy_per_az": 1},
        }
    )  # fmt: skip


def _model(outputs: ServingOutputs) -> ModelOutput:
    return outputs.models["embeddings"]


def test_a_host_route_is_probed_with_its_host_name(local_alb: LocalAlb) -> None:
    outputs = _outputs(f"https://{SERVICE}", kind="host", value=EMBEDDINGS_HOST, priority=31234)
    target = probe_target(outputs, _model(outputs), local_alb.base_url)
    result = probe(target, count=2, timeout=5, ca_file=local_alb.ca_file)
    assert dict(result.outcomes) == {"200": 2}
    assert local_alb.seen.server_names == [EMBEDDINGS_HOST] * 2
    assert local_alb.seen.requests == [("/health", EMBEDDINGS_HOST)] * 2


def test_the_real_target_is_the_alb_dns_name_with_the_service_name() -> None:
    outputs = _outputs(f"https://{SERVICE}", kind="path", value="/v1/embeddings/", priority=4242)
    target = probe_target(outputs, _model(outputs))
    assert (target.url, target.host, target.verify_hostname) == (
        f"https://{ALB_DNS}/v1/embeddings/health",
        SERVICE,
        True,
    )
    default = _outputs(f"https://{SERVICE}", kind="default", value="*", priority=None)
    assert probe_target(default, _model(default)).url == f"https://{ALB_DNS}/health"


def test_without_a_dns_name_only_the_certificate_chain_can_be_verified() -> None:
    outputs = _outputs(f"https://{ALB_DNS}", kind="path", value="/v1/embeddings", priority=4242)
    target = probe_target(outputs, _model(outputs))
    assert (target.host, target.verify_hostname) == (ALB_DNS, False)


def test_nothing_listening_is_reported_per_request(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    outputs = _outputs(f"https://{SERVICE}", kind="path", value="/v1/embeddings", priority=4242)
    target = probe_target(outputs, _model(outputs), f"https://127.0.0.1:{closed}")
    result = probe(target, count=3, timeout=1)
    assert dict(result.outcomes) == {"connection refused": 3}
    assert result.check().status == "fail"


@pytest.mark.parametrize(
    ("p", "expected"), [(50, 50.0), (90, 90.0), (99, 99.0), (100, 100.0), (1, 1.0)]
)
def test_percentiles_are_nearest_rank(p: float, expected: float) -> None:
    samples = [float(v) for v in range(100, 0, -1)]
    assert percentile(samples, p) == expected
    assert percentile([], p) == 0.0
    assert percentile([7.0], p) == 7.0
