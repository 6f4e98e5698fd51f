"""``python -m coach.cli``: the same entry point as the ``coach`` console script."""

import sys

from coach.cli import main

sys.exit(main())
