"""`python -m iki_xlsx` runs the CLI (named as the installed command in its messages)."""

from .cli import main

main(prog_name="iki-xlsx")
