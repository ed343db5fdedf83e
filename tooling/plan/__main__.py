"""``python -m tooling.plan``: the gate as its own process, with its defences on (``hardening``)."""

import sys

from tooling.plan import hardening
from tooling.plan.cli import main


def run() -> int:
    try:
        with hardening.guarded():
            return main()
    except hardening.Stopped as stop:  # a signal after the gate had finished its report
        print(f"plan: stopped by {stop.name}", file=sys.stderr)
        return 2


sys.exit(run())
