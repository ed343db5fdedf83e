import sys

from tooling.plan.cli import main

sys.exit(main())
