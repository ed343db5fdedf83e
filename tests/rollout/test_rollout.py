"""The whole rollout against moto and the stand-in pulumi, on a fake clock."""

from __future__ import annotations

import pytest

from tests.rollout.conftest import Harness


def test_a_healthy_rollout_reaches_100(
    harness: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    harness.traffic()
    result = harness.run(capsys)
    print(result.stdout)
    print(result.stderr)
    assert result.code == 0
