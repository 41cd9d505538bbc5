"""The chain: how an entry is sealed, and how the whole trail is checked.

An entry's hash is the SHA-256 of its fields and the previous entry's hash, as compact JSON
(`seal`). Walking the entries in the order of their numbers (`check`), the first one that
breaks the chain is named:

- its own fields no longer give its hash: it was altered;
- it does not hold the hash of the entry before it, while that entry still matches its own
  hash: the entry before was altered and sealed again (or deleted, when numbers jump);
- numbers jump: the entries between were deleted;
- the head (written with every entry) names a later entry than the last one there: the last
  entries were deleted; or it holds another hash for the last one: that one was altered.

A person who can write the database can also rewrite the whole chain from the altered entry
on; `check` then finds nothing, but the last hash changes: it is said with every check, for an
auditor to write down and compare next time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from iki_xlsx.store.audit import GENESIS, AuditRow


def seal(entry: AuditRow) -> str:
    """The hash of `entry` (its own `hash` field is not part of it)."""
    text = json.dumps(entry.sealed_fields(), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    """What a check found: how many entries, the last hash, and the first broken entry (its
    number, and why in Indonesian) when the chain is broken."""

    entries: int
    last_hash: str | None
    broken_at: int | None = None
    reason: str | None = None
    broken: AuditRow | None = None  # the entry named, when it is still there

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def check(entries: Sequence[AuditRow], head: tuple[int, str] | None) -> ChainReport:
    """Walk `entries` (in id order) against the chain and the `head`; the first break."""
    last_hash = entries[-1].hash if entries else None
    previous: AuditRow | None = None
    for entry in entries:
        expected_id = 1 if previous is None else previous.id + 1
        if entry.id != expected_id:
            missing = f"{expected_id}" if entry.id == expected_id + 1 \
                else f"{expected_id} sampai {entry.id - 1}"
            return ChainReport(len(entries), last_hash, expected_id,
                               f"entri {missing} dihapus (nomor urut melompat ke {entry.id})")
        if seal(entry) != entry.hash:
            return ChainReport(len(entries), last_hash, entry.id,
                               "isi entri diubah setelah dicatat (hashnya tidak cocok)", entry)
        expected_prev = GENESIS if previous is None else previous.hash
        if entry.prev_hash != expected_prev:
            if previous is None:
                return ChainReport(len(entries), last_hash, entry.id,
                                   "entri pertama tidak diawali rantai baru", entry)
            return ChainReport(len(entries), last_hash, previous.id,
                               f"entri diubah lalu disegel ulang (entri {entry.id} menyimpan "
                               "hash lain untuknya)", previous)
        previous = entry
    if head is not None:
        head_id, head_hash = head
        last_id = previous.id if previous is not None else 0
        if head_id > last_id:
            missing = f"{last_id + 1}" if head_id == last_id + 1 \
                else f"{last_id + 1} sampai {head_id}"
            return ChainReport(len(entries), last_hash, last_id + 1,
                               f"entri {missing} dihapus (catatan terakhir yang ditulis adalah "
                               f"entri {head_id})")
        if previous is not None and head_id == last_id and head_hash != previous.hash:
            return ChainReport(len(entries), last_hash, last_id,
                               "entri terakhir diubah lalu disegel ulang", previous)
    elif entries:
        return ChainReport(len(entries), last_hash, entries[-1].id,
                           "kepala catatan audit hilang (dihapus langsung dari basis data)")
    return ChainReport(len(entries), last_hash)
