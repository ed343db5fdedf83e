import sys

from tooling.deploy.cli import main

sys.exit(main())
