"""`python -m iki_xlsx` runs the CLI."""

from .cli import main

main()
