"""The office: every use case of one kecamatan office, in one place, for every face.

`Office` is opened from a workspace or from explicit folders (`Office.open`, see
`context.OfficeContext`) and exposes each use case once, grouped by module:

    generating.py   find a blueprint, generate (and bundle) the workbooks, into the register
    sending.py      send the workbooks (recording deliveries); answer returns, corrections,
                    reminders
    collecting.py   collect files, an upload, the IMAP mailbox (one lock, one tidy); check
    reporting.py    status, history, recap (its summary as data), stored files, annotated copy
    blueprints.py   check blueprints (with the register's version conflicts), add one
    signing.py      verify or send back a return, approve (close) or reopen a period, as a
                    person whose role allows it; check and export the audit trail
    setup.py        create a workspace from a form; save iki.toml and unit.csv (checked as the
                    command line checks them first); archive a blueprint

Results are dataclasses; nothing prints. A refusal of the request as given raises
`core.errors.UsageError` (exit 2); findings that stop it raise `OfficeFindings`.

A new group of use cases is one more module with one class over `OfficeContext`, added to the
bases below.
"""

from __future__ import annotations

from iki_xlsx.service.blueprints import Blueprinting
from iki_xlsx.service.collecting import Collecting
from iki_xlsx.service.generating import Generating
from iki_xlsx.service.reporting import Reporting
from iki_xlsx.service.sending import Sending
from iki_xlsx.service.setup import Setting
from iki_xlsx.service.signing import Signing


class Office(Setting, Blueprinting, Generating, Sending, Collecting, Reporting, Signing):
    """One office's use cases over its folders, settings, store and index."""
