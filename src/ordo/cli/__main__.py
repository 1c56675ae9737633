"""``python -m ordo.cli``: the same command line as ``ordo``."""

from ordo.cli import main

main()
