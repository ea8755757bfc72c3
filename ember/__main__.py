"""``python -m ember ...``: the same command line as the ``ember`` console script."""

import sys

from .cli import main

sys.exit(main())
