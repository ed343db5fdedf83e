import sys

from tooling.rollout.cli import main

sys.exit(main())
