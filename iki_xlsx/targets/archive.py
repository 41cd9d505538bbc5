"""Target versions in the store: every version recorded by the hash of its file (the bytes kept
under berkas/ like any return), read back in the store's order."""

from __future__ import annotations

from dataclasses import replace

from iki_xlsx.store.db import Store
from iki_xlsx.targets.model import TargetVersion

KIND = "target"


def record_version(store: Store, version: TargetVersion, data: bytes) -> tuple[TargetVersion,
                                                                                 bool]:
    """Keep the file's bytes, then record the version in one transaction; the version with
    its sequence number, and whether it is new (the same file twice is one version)."""
    with store.exclusive():
        store.keep_raw(version.sha256, data)
        with store.transaction():
            urutan, new = store.record_office_file(KIND, version.sha256, version.filename,
                                                   version.blueprint, version.tahun,
                                                   version.model_json())
    return replace(version, urutan=urutan), new


def versions(store: Store, blueprint: str | None = None, tahun: int | None = None
             ) -> list[TargetVersion]:
    """The recorded versions (of one blueprint and year), in the order the store took them."""
    if not store.exists():
        return []
    return [TargetVersion.from_json(row.model, sha256=row.sha256, filename=row.filename,
                                    urutan=row.id)
            for row in store.office_files(KIND, blueprint, tahun)]
