#!/usr/bin/env python3
"""Run the `needs` command from a checkout, without installing it: `python cli.py assess FILE`.

The installed `needs` command (`pip install .`) stays the main entry point; this file is for
someone who has the repository and its dependencies but has not installed the package, or who
wants the code of this checkout rather than an installed copy. It puts the checkout first on
the import path and hands the arguments to the same CLI (`needs_engine.cli.app.main`), so every
command, option, message and exit code is the installed command's.
"""

from __future__ import annotations

import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent


def main() -> None:
    """Import this checkout's package and run its CLI; say what to install if a dependency is missing."""
    sys.path.insert(0, str(CHECKOUT))
    try:
        from needs_engine.cli import main as needs
    except ModuleNotFoundError as missing:
        if missing.name and missing.name.split(".")[0] == "needs_engine":
            raise
        sys.stderr.write(
            f"needs-engine needs {missing.name}, which is not installed; install the dependencies with\n"
            f"  python3 -m pip install -e {CHECKOUT}\n"
        )
        raise SystemExit(1) from None
    needs()


if __name__ == "__main__":
    main()
