"""``python -m torchcircuits``: the same as the ``torchcircuits`` command."""

import sys

from .cli import main

sys.exit(main())
