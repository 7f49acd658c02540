"""`python -m needs_engine` runs the `needs` command."""

from .cli.app import main

main()
