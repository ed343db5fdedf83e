import sys

from tooling.bootstrap.cli import main

sys.exit(main())
