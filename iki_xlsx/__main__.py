"""`python -m iki_xlsx` runs the CLI (named as the installed command in its messages)."""

from iki_xlsx.cli.main import main

main(prog_name="iki-xlsx")
