"""Headless Chromium for needs-engine's HTML pages: a screenshot, or the page printed to PDF.

Chromium is not a dependency of needs-engine (a screener never needs it); it is how the project
looks at its pages as a person would, and how the tests count the A4 pages a case record prints
on. Install it yourself (on Debian: `apt-get install -y chromium`). Each run gets a fresh
throwaway profile with background networking, updates and sync switched off; the pages need
nothing from the network.

Used by `render_html_png.py` and `print_html_pdf.py` beside it, and by tests/render.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Optional

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
"""A page object in a PDF (`/Type /Page`, never the `/Type /Pages` tree above them)."""


def find_browser() -> Optional[str]:
    """The first Chromium-like browser on PATH, or None."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def _profile_parent() -> Optional[str]:
    """Where the throwaway profile goes: the temporary directory, unless its path is long.

    Chromium keeps a Unix socket under its temporary directory (and runs with TMPDIR set to the
    profile, below), and a socket's path is limited to about 107 bytes: under a long TMPDIR the
    browser aborts ("Socket path too long") before it prints anything. /tmp is short.
    """
    base = tempfile.gettempdir()
    return "/tmp" if len(base) > 48 and os.path.isdir("/tmp") else None


def _run(browser: str, page: Path, *action: str) -> None:
    with tempfile.TemporaryDirectory(prefix="needs-chromium-", dir=_profile_parent()) as profile:
        command = [
            browser,
            "--headless",
            "--no-sandbox",  # run as root in CI and containers
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            *action,
            page.resolve().as_uri(),
        ]
        environment = {**os.environ, "TMPDIR": profile}
        subprocess.run(command, check=True, capture_output=True, timeout=120, env=environment)


def screenshot(browser: str, page: Path, out: Path, *, width: int, height: int) -> None:
    """A PNG of `page` as a window of `width` x `height` pixels shows it."""
    _run(browser, page, "--hide-scrollbars", f"--screenshot={out.resolve()}", f"--window-size={width},{height}")
    if not out.is_file():
        raise RuntimeError(f"Chromium ran but wrote no {out}")


def print_pdf(browser: str, page: Path, out: Path) -> int:
    """Print `page` to a PDF as the browser's print dialog would (the page's own @page size and
    margins, no header or footer lines); return the number of pages printed."""
    _run(browser, page, "--no-pdf-header-footer", f"--print-to-pdf={out.resolve()}")
    if not out.is_file():
        raise RuntimeError(f"Chromium ran but wrote no {out}")
    return pdf_pages(out.read_bytes())


def pdf_pages(pdf: bytes) -> int:
    """How many pages a PDF as Chromium writes it holds (its page objects are not compressed)."""
    return len(_PAGE.findall(pdf))
