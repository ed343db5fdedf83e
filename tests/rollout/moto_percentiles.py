"""``moto_server`` that also answers percentile statistics (``p99``) in ``GetMetricData``.

moto computes Sum, Average, Minimum, Maximum and SampleCount but returns nothing for ``pNN``;
the rollout reads the ALB's ``TargetResponseTime`` at ``p99`` as CloudWatch gives it. This patch
computes the nearest-rank percentile of the data points in a period, which is what CloudWatch
returns for raw values. With the snapshots of ``tests/moto_snapshots.py`` (whose server this is),
the tests' only additions to moto. Run as
``python -m tests.rollout.moto_percentiles -H 127.0.0.1 -p PORT``.
"""

from __future__ import annotations

import math
import re
import sys
from typing import Any

from moto.cloudwatch import models

from tests.moto_snapshots import main

_PERCENTILE = re.compile(r"^p(\d{1,2}(\.\d+)?)$")
_original = models.Statistics.get_statistics_for_type


def _with_percentiles(self: Any, stat: str) -> Any:
    match = _PERCENTILE.match(stat)
    if match is None:
        return _original(self, stat)
    values = sorted(self.metric_single_values_list)
    if not values:
        return None
    rank = math.ceil(float(match.group(1)) / 100 * len(values))
    return values[min(len(values), max(1, rank)) - 1]


models.Statistics.get_statistics_for_type = _with_percentiles  # type: ignore[method-assign]

if __name__ == "__main__":
    main(sys.argv[1:])
