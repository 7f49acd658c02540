"""Render a needs-engine HTML page to a PNG with headless Chromium, to look at it or attach it.

Usage:
    python scripts/render_html_png.py REPORT.html OUT.png [--width 1100] [--height 3000]

Make a page first, e.g.
    needs explain examples/teenager-criminal-exploitation-county-lines.yaml --format html > report.html

Chromium is not a dependency of needs-engine; install it yourself (on Debian/Ubuntu:
`apt-get install -y chromium`). See chromium.py beside this file for how it is run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from chromium import find_browser, screenshot


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", type=Path, help="an HTML page")
    parser.add_argument("out", type=Path, help="where to write the PNG")
    parser.add_argument("--width", type=int, default=1100)
    parser.add_argument("--height", type=int, default=3000)
    args = parser.parse_args()
    if not args.page.is_file():
        sys.exit(f"{args.page}: no such file")
    browser = find_browser()
    if browser is None:
        sys.exit("no Chromium found on PATH; install it (apt-get install -y chromium) and try again")
    screenshot(browser, args.page, args.out, width=args.width, height=args.height)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
