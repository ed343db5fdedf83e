"""``--probe``: a bounded number of HTTPS requests to each model's health path through the ALB."""

from __future__ import annotations

import ssl
import statistics
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass

from shared.serving_outputs import ModelOutput, ServingOutputs
from tooling.verify.checks import Check


@dataclass(frozen=True)
class ProbeTarget:
    url: str
    host: str | None


def probe_target(
    outputs: ServingOutputs, model: ModelOutput, base_url: str | None = None
) -> ProbeTarget:
    """``https://<alb dns><path prefix><health path>``; a host route sends its Host header."""
    base = (base_url or f"https://{outputs.alb_dns_name}").rstrip("/")
    if model.route.kind == "path":
        return ProbeTarget(f"{base}{model.route.value.rstrip('/')}{model.health_check_path}", None)
    if model.route.kind == "host":
        return ProbeTarget(f"{base}{model.health_check_path}", model.route.value)
    return ProbeTarget(f"{base}{model.health_check_path}", None)


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return 0.0
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def probe(
    target: ProbeTarget, *, count: int, timeout: float, verify_tls: bool = True
) -> tuple[Counter[str], list[float]]:
    context = ssl.create_default_context() if verify_tls else ssl._create_unverified_context()
    statuses: Counter[str] = Counter()
    latencies: list[float] = []
    for _ in range(count):
        request = urllib.request.Request(
            target.url, headers={"Host": target.host} if target.host else {}
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
                response.read(1024)
                statuses[str(response.status)] += 1
        except urllib.error.HTTPError as error:
            statuses[str(error.code)] += 1
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            statuses[f"error: {type(reason).__name__}"] += 1
        latencies.append((time.perf_counter() - started) * 1000)
    return statuses, latencies


def probe_checks(
    outputs: ServingOutputs,
    *,
    count: int,
    timeout: float,
    base_url: str | None = None,
    verify_tls: bool = True,
) -> list[Check]:
    checks = []
    for model in outputs.models.values():
        target = probe_target(outputs, model, base_url)
        statuses, latencies = probe(target, count=count, timeout=timeout, verify_tls=verify_tls)
        ok = sum(n for s, n in statuses.items() if s.startswith("2"))
        codes = ", ".join(f"{s} x{n}" for s, n in sorted(statuses.items()))
        detail = (
            f"{target.url}{f' (Host: {target.host})' if target.host else ''}: {codes}; "
            f"p50 {percentile(latencies, 50):.0f} ms, p90 {percentile(latencies, 90):.0f} ms, "
            f"p99 {percentile(latencies, 99):.0f} ms, mean {statistics.fmean(latencies) if latencies else 0:.0f} ms"
        )
        status = "pass" if ok == count else ("warn" if ok else "fail")
        checks.append(Check(f"model {model.name}", "probe", status, detail))
    return checks
