"""What an audit entry records: the kinds of action, each with the Indonesian words the trail
shows (`label`) and the person's part (`label` is what a filter and the CSV say)."""

from __future__ import annotations

from enum import StrEnum


class AuditKind(StrEnum):
    """One kind of action; its value is the stored word."""

    GENERATE = "buat"  # workbooks generated (a run of the register)
    SEND = "kirim"  # a workbook, a reminder or an answer e-mailed (or written) to a unit
    RECEIVE = "terima"  # a return received, with its verdict
    VERIFY = "verifikasi"  # a return verified against its evidence
    RETURN = "kembalikan"  # a return sent back with a person's comment
    APPROVE = "setujui"  # a period approved, which closes it
    REOPEN = "buka"  # a closed period reopened, with a reason
    BLUEPRINT = "blueprint"  # a blueprint version added
    TARGET = "target"  # a target version recorded, or last year's figures typed
    SETTINGS = "pengaturan"  # iki.toml or the units list changed
    ACCOUNT = "akun"  # an account added or changed
    SIGN_IN = "masuk"  # a successful login
    SIGN_IN_FAILED = "masuk-gagal"  # a failed login

    @property
    def label(self) -> str:
        return _LABELS[self]

    @classmethod
    def named(cls, word: str) -> AuditKind | None:
        """The kind a stored or typed word names (its value or its label), else None."""
        word = word.strip().lower()
        return next((kind for kind in cls if word in (kind.value, kind.label)), None)


_LABELS = {
    AuditKind.GENERATE: "workbook dibuat",
    AuditKind.SEND: "pesan dikirim",
    AuditKind.RECEIVE: "isian diterima",
    AuditKind.VERIFY: "diverifikasi",
    AuditKind.RETURN: "dikembalikan",
    AuditKind.APPROVE: "periode disetujui",
    AuditKind.REOPEN: "periode dibuka kembali",
    AuditKind.BLUEPRINT: "versi blueprint ditambah",
    AuditKind.TARGET: "versi target dicatat",
    AuditKind.SETTINGS: "pengaturan diubah",
    AuditKind.ACCOUNT: "akun diubah",
    AuditKind.SIGN_IN: "masuk",
    AuditKind.SIGN_IN_FAILED: "gagal masuk",
}
