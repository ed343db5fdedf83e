import sys

from tooling.verify.cli import main

sys.exit(main())
