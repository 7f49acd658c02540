"""Write what `needs` prints for every example and scenario under every shipped rulebook, and
compare two such folders byte for byte: the check that a change meant to keep behaviour kept it.

For each rulebook, each `examples/*.yaml` situation and each `scenarios/*.yaml` situation, it
writes the JSON of `needs assess` and of `needs explain`, and the one-screen terminal text of
`needs assess` at 100 columns, each with the command's exit code on its first line:

    python scripts/compare_outputs.py write /tmp/after
    (in a checkout of the older commit, with its own environment)
    python /path/to/scripts/compare_outputs.py write /tmp/before
    python scripts/compare_outputs.py compare /tmp/before /tmp/after

The files come from the checkout of the `needs_engine` the running interpreter imports (or
`--root`), so the same script, run by another checkout's environment, records that checkout.
`compare` lists every file missing from either side or different, shows the start of the first
differences, and exits 1 if there is any.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

COLUMNS = "100"
KINDS = (
    ("assess.json", ["assess", "-", "--format", "json"]),
    ("explain.json", ["explain", "-", "--format", "json"]),
    ("assess.txt", ["assess", "-"]),
)
"""Each output: its file suffix and the command that makes it (the situation on standard input)."""


def checkout_root() -> Path:
    """The checkout holding the `needs_engine` this interpreter imports (its examples and scenarios)."""
    import needs_engine

    return Path(needs_engine.__file__).resolve().parent.parent


def situations(root: Path) -> Iterator[tuple[str, str]]:
    """Each example's and scenario's situation as JSON text, named `examples/<stem>` or `scenarios/<stem>`."""
    from needs_engine.formats.yamlfile import read_file

    for folder in ("examples", "scenarios"):
        for path in sorted((root / folder).glob("*.yaml")):
            if path.name == "expected.yaml":
                continue
            document = read_file(path)
            if folder == "scenarios":
                document = document["situation"]
            yield f"{folder}/{path.stem}", json.dumps(document, default=str)


def write(folder: Path, root: Path) -> int:
    """Write every output into `folder`; the number of files written."""
    from typer.testing import CliRunner

    from needs_engine import shipped_rulebooks
    from needs_engine.cli.app import app

    runner = CliRunner(env={"COLUMNS": COLUMNS})
    cases = list(situations(root))
    written = 0
    for rulebook in shipped_rulebooks():
        for name, text in cases:
            for suffix, command in KINDS:
                result = runner.invoke(app, [*command, "--rulebook", rulebook], input=text)
                target = folder / rulebook / f"{name}.{suffix}"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(f"exit {result.exit_code}\n{result.stdout}")
                written += 1
    return written


def compare(before: Path, after: Path, *, shown: int = 5) -> list[str]:
    """Every file missing from one folder or differing between them, as `<path>: <what>`."""
    old = {p.relative_to(before) for p in before.rglob("*") if p.is_file()}
    new = {p.relative_to(after) for p in after.rglob("*") if p.is_file()}
    found = [f"{p}: only in {before}" for p in sorted(old - new)] + [f"{p}: only in {after}" for p in sorted(new - old)]
    for path in sorted(old & new):
        a, b = (before / path).read_bytes(), (after / path).read_bytes()
        if a != b:
            found.append(f"{path}: differs")
            if shown > 0:
                shown -= 1
                lines = difflib.unified_diff(
                    a.decode(errors="replace").splitlines(), b.decode(errors="replace").splitlines(), lineterm="", n=1
                )
                sys.stdout.write("\n".join(list(lines)[:40]) + "\n")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    writing = commands.add_parser("write", help="write every output into a folder")
    writing.add_argument("folder", type=Path)
    writing.add_argument("--root", type=Path, help="the checkout whose examples and scenarios to run")
    comparing = commands.add_parser("compare", help="compare two folders byte for byte")
    comparing.add_argument("before", type=Path)
    comparing.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "write":
        count = write(args.folder, args.root or checkout_root())
        print(f"wrote {count} files into {args.folder}")
        return 0
    for folder in (args.before, args.after):
        if not folder.is_dir():
            print(f"compare_outputs: no folder {folder}", file=sys.stderr)
            return 2
    differences = compare(args.before, args.after)
    for line in differences:
        print(line)
    total = sum(1 for p in args.after.rglob("*") if p.is_file())
    print(f"{len(differences)} of {total} files differ" if differences else f"all {total} files are byte-identical")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
