"""Benchmarks: the same as ``torchcircuits bench`` (``--quick``, ``--json``)."""

import sys

from torchcircuits.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
