"""The limits (floor, ratio, reference, baseline, minRequests) and the live line, without AWS."""

from __future__ import annotations

import io

from rich.console import Console

from serving_stack.config import RolloutConfig
from tooling.rollout.judge import judge
from tooling.rollout.metrics import Figures, dimension_value
from tooling.rollout.progress import Progress

LIMITS = RolloutConfig()  # max5xxRatio 2, allowed5xxPercent 0.5, maxP99Ratio 1.5, allowedP99 0.2


def test_the_limit_is_the_floor_or_the_ratio_times_the_reference() -> None:
    new = Figures(1000, 30, 0.9)
    errors, latency = judge(new, Figures(1000, 20, 0.8), None, LIMITS)
    assert (errors.limit, errors.breach) == (4.0, False)  # 2 x 2 %, above the 0.5 % floor
    assert (round(latency.limit or 0, 3), latency.breach) == (1.2, False)
    errors, latency = judge(new, Figures(1000, 0, 0.05), None, LIMITS)
    assert (errors.limit, errors.breach) == (0.5, True)  # the floor: the old one had no errors
    assert (latency.limit, latency.breach) == (0.2, True)


def test_without_traffic_on_the_previous_version_the_baseline_is_the_reference() -> None:
    new = Figures(1000, 30, 0.1)
    (errors, _) = judge(new, Figures(0, 0, None), Figures(5000, 100, 0.1), LIMITS)
    assert errors.limit == 4.0
    (errors, latency) = judge(new, Figures(0, 0, None), None, LIMITS)
    assert (errors.limit, errors.breach, latency.limit) == (None, False, None)
    assert errors.note.startswith("not judged (no reference")


def test_too_few_requests_are_not_judged() -> None:
    (errors, latency) = judge(Figures(99, 99, 9.0), Figures(1000, 0, 0.1), None, LIMITS)
    assert not errors.breach and not latency.breach
    assert errors.describe() == "5xx not judged (99/100 requests)"


def test_dimensions_are_the_arns_resource_parts() -> None:
    assert (
        dimension_value(
            "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/serving-prod-alb/50dc6c495c0c9188"
        )
        == "app/serving-prod-alb/50dc6c495c0c9188"
    )
    assert (
        dimension_value(
            "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/srv-prod-llm-chat-v2/73e2d6bc24d8a067"
        )
        == "targetgroup/srv-prod-llm-chat-v2/73e2d6bc24d8a067"
    )


def test_on_a_terminal_the_live_line_updates_in_place_and_stays_when_done() -> None:
    out = io.StringIO()
    progress = Progress(
        Console(file=out, force_terminal=True, width=200, soft_wrap=True, highlight=False)
    )
    progress.live("step 1/3 (10 %): 300 s left")
    progress.live("step 1/3 (10 %): 0 s left")
    progress.line("step 2/3 (50 %): deploying")
    text = out.getvalue()
    settled, final = text.split("\x1b[2K")[-1].splitlines()  # after the status line is erased
    assert (settled, final) == ("step 1/3 (10 %): 0 s left", "step 2/3 (50 %): deploying")
    plain = io.StringIO()
    progress = Progress(Console(file=plain, force_terminal=False, soft_wrap=True))
    progress.live("a")
    progress.live("b")
    progress.settle()
    assert plain.getvalue() == "a\nb\n"
