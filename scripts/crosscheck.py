"""Cross-check hand-derived backprop against torch autograd for every circuit.

The same code as ``torchcircuits check``; run ``python scripts/crosscheck.py --help``.
"""

import sys

from torchcircuits.cli import main

if __name__ == "__main__":
    sys.exit(main(["check", *sys.argv[1:]]))
