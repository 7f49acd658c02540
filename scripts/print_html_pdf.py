"""Print needs-engine HTML pages to PDF with headless Chromium, as a browser's print dialog would
on A4, and say how many pages each takes.

Usage:
    python scripts/print_html_pdf.py PAGE.html [PAGE.html ...]     (writes PAGE.pdf beside each)

Make a page first, e.g.
    needs assess examples/safeguarding-neglect-hazardous-home.yaml --format html > record.html

This is how the case record's "one or two A4 pages" was measured, and what tests/render checks.
Chromium is not a dependency of needs-engine; install it yourself (on Debian/Ubuntu:
`apt-get install -y chromium`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from chromium import find_browser, print_pdf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", type=Path, nargs="+", help="HTML pages")
    args = parser.parse_args()
    browser = find_browser()
    if browser is None:
        sys.exit("no Chromium found on PATH; install it (apt-get install -y chromium) and try again")
    for page in args.pages:
        if not page.is_file():
            sys.exit(f"{page}: no such file")
        out = page.with_suffix(".pdf")
        count = print_pdf(browser, page, out)
        print(f"{page}: {count} page{'' if count == 1 else 's'} ({out})")


if __name__ == "__main__":
    main()
