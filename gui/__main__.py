"""``python -m torchcircuits_gui``: the same as ``torchcircuits-gui``."""

import sys

from .app import main

sys.exit(main())
