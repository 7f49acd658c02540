"""Render a needs-engine HTML report to a PNG with headless Chromium, to look at it or attach it.

Usage:
    python scripts/render_html_png.py REPORT.html OUT.png [--width 1100] [--height 3000]

Make a report first, e.g.
    needs explain examples/teenager-criminal-exploitation-county-lines.yaml --format html > report.html

Chromium is not a dependency of needs-engine; install it yourself (on Debian/Ubuntu:
`apt-get install -y chromium`). The page needs nothing from the network, and Chromium is run
with a fresh throwaway profile and its background networking, updates and sync switched off.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    sys.exit("no Chromium found on PATH; install it (apt-get install -y chromium) and try again")


def render(page: Path, out: Path, width: int, height: int) -> None:
    """Screenshot `page` into `out` at the given window size."""
    with tempfile.TemporaryDirectory(prefix="needs-chromium-") as profile:
        command = [
            find_browser(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--screenshot={out.resolve()}",
            f"--window-size={width},{height}",
            page.resolve().as_uri(),
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=120)
    if not out.is_file():
        sys.exit(f"Chromium ran but wrote no {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", type=Path, help="an HTML report")
    parser.add_argument("out", type=Path, help="where to write the PNG")
    parser.add_argument("--width", type=int, default=1100)
    parser.add_argument("--height", type=int, default=3000)
    args = parser.parse_args()
    if not args.page.is_file():
        sys.exit(f"{args.page}: no such file")
    render(args.page, args.out, args.width, args.height)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
