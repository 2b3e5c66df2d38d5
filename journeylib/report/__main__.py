"""``python -m journeylib.report --notebooks notebooks --out build``: what ``make run`` calls."""

import sys

from . import main

sys.exit(main())
