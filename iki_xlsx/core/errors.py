"""The library's exceptions: one hierarchy under `IkiError`, messages in Bahasa Indonesia.

Problems a user causes in a file are findings (data), not exceptions; these are for what
stops an operation as a whole (a busy or broken store, an unreachable mailbox, a file that
cannot be read at all) and for programming errors caught by the tests (an unknown code).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iki_xlsx.core.codes import Code, Message


class IkiError(Exception):
    """Base of every exception the library raises on purpose."""


class UsageError(IkiError):
    """The request itself cannot be carried out as given (exit code 2 in the CLI)."""


class StoreError(IkiError):
    """The store cannot be used."""


class StoreBusy(StoreError):
    """Another collect holds the store."""


class StoreBroken(StoreError):
    """The store's database cannot be opened as one, or comes from a newer release."""


class StoreUnavailable(StoreError):
    """The store's database server cannot be reached, or refuses the login."""


class StoreUnwritable(StoreError):
    """The store cannot be written (read-only, full disk, a path that is not a folder)."""


class ImapError(IkiError):
    """The mailbox could not be read."""


class ReadError(IkiError):
    """The file cannot be read as a workbook; `said` is the finding it makes (its code and
    its catalogued message)."""

    def __init__(self, said: Message) -> None:
        super().__init__(said.text)
        self.said = said

    @property
    def code(self) -> Code:
        return self.said.code

    @property
    def message(self) -> str:
        return self.said.text


class WriteError(IkiError):
    """A workbook could not be written as planned."""


class UnknownCode(IkiError, LookupError):
    """A finding code that is not in the catalog (`iki_xlsx.core.codes`): a programming error."""


class TemplateMismatch(IkiError, LookupError):
    """A finding's values that are not its template's placeholders, or a template variant
    the catalog does not have: a programming error."""
