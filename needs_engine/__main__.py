"""`python -m needs_engine` runs the `needs` command."""

from .cli import main

main()
