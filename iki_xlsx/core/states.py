"""The one vocabulary of a return's state, with the Indonesian word users read.

A check judges a file `OK`, `NEEDS_CORRECTION` or `REJECTED` (the value is what the store
keeps); a unit's state for a blueprint and period is its latest file's verdict, or
`NOT_RETURNED` while it sent nothing. An accepted file goes on through sign-off: a person
`VERIFIED` it against its evidence or `RETURNED` it with a comment (a review's stored state),
and an approval of the period makes it `APPROVED`. Code compares members, never words: the word
is the member's `label` (diterima, diverifikasi, disetujui, dikembalikan, perlu perbaikan,
ditolak, belum kembali), shown by the CLI, the web pages, the recap and the e-mails.

Beside it, the words of what answers a return: the `Kind` of a message to a unit (each
verdict's answer, `Kind.answering`) and the `AnswerState` of an answer the office owes.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """A return's state; its value is the stored word, its `label` the Indonesian one."""

    OK = "ok"
    VERIFIED = "verified"  # a person confirmed it against its evidence
    APPROVED = "approved"  # the period was approved with it
    RETURNED = "returned"  # a person sent it back with a comment
    NEEDS_CORRECTION = "needs-correction"
    REJECTED = "rejected"
    NOT_RETURNED = "not-returned"  # a unit's state only: no file yet

    @property
    def label(self) -> str:
        """The Indonesian word users read: diterima, diverifikasi, disetujui, dikembalikan,
        perlu perbaikan, ditolak, belum kembali."""
        return _LABELS[self]

    @property
    def accepted(self) -> bool:
        """Whether the unit's latest file passed every check (whatever a person then did)."""
        return self in ACCEPTED

    @classmethod
    def of_latest(cls, stored: str | None) -> Status:
        """A unit's state from its latest file's stored verdict (None: it sent nothing)."""
        return cls.NOT_RETURNED if stored is None else cls(stored)

    @classmethod
    def labelled(cls, label: str) -> Status | None:
        """The state whose label `label` is (a word typed in a form or a URL), else None."""
        return next((state for state in cls if state.label == label), None)


_LABELS = {
    Status.OK: "diterima",
    Status.VERIFIED: "diverifikasi",
    Status.APPROVED: "disetujui",
    Status.RETURNED: "dikembalikan",
    Status.NEEDS_CORRECTION: "perlu perbaikan",
    Status.REJECTED: "ditolak",
    Status.NOT_RETURNED: "belum kembali",
}

VERDICTS = (Status.OK, Status.NEEDS_CORRECTION, Status.REJECTED)  # what a check may say
REVIEWS = (Status.VERIFIED, Status.RETURNED)  # what a person's review of a return may say
ACCEPTED = frozenset({Status.OK, Status.VERIFIED, Status.APPROVED, Status.RETURNED})


class Kind(StrEnum):
    """What a message to a unit is: its template's name, the send log's and the owed
    answer's `jenis` (the value), and how the history names it (`label`)."""

    WORKBOOK = "workbook"
    RECEIPT = "diterima"
    CORRECTION = "perbaikan"
    REJECTION = "ditolak"
    REMINDER = "pengingat"

    @property
    def label(self) -> str:
        """'tanda terima diterima', 'permintaan perbaikan', 'pemberitahuan ditolak'..."""
        return _KIND_LABELS[self]

    @classmethod
    def answering(cls, verdict: Status) -> Kind:
        """The answer a return of that verdict gets."""
        return _ANSWERS[verdict]

    @classmethod
    def named(cls, word: object) -> Kind | None:
        """The kind a stored word names (None for one this release does not know)."""
        try:
            return cls(str(word))
        except ValueError:
            return None


_KIND_LABELS = {Kind.WORKBOOK: "workbook", Kind.RECEIPT: "tanda terima diterima",
                Kind.CORRECTION: "permintaan perbaikan", Kind.REJECTION: "pemberitahuan ditolak",
                Kind.REMINDER: "pengingat"}
_ANSWERS = {Status.OK: Kind.RECEIPT, Status.NEEDS_CORRECTION: Kind.CORRECTION,
            Status.REJECTED: Kind.REJECTION}
ANSWERS = frozenset(_ANSWERS.values())  # the kinds that answer a return


class AnswerState(StrEnum):
    """Where an answer the office owes stands (the store's word)."""

    OWED = "terutang"
    SENT = "terkirim"
    MERGED = "digabung"  # a newer return of the same unit is answered instead
    SKIPPED = "dilewati"  # no address, or the unit had one of that kind today
