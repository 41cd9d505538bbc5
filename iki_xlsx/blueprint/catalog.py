"""A plain-data description of blueprints, for listing and for JSON output."""

from __future__ import annotations

from typing import Any

from iki_xlsx.blueprint.model import Blueprint, Indikator


def describe(bp: Blueprint, path: str) -> dict[str, Any]:
    """Jabatan, indicators, kinds and variables of one blueprint as JSON-ready data."""
    return {
        "file": path,
        "id": bp.id,
        "versi": bp.versi,
        "nama": bp.nama,
        "kantor": bp.kantor,
        "hash": bp.content_hash(),
        "jabatan": [
            {
                "id": jab.id,
                "nama": jab.nama,
                "sumber": jab.sumber,
                "jumlah_pemangku": jab.jumlah_pemangku,
                "indikator": [_indicator(ind) for ind in jab.indikator],
            }
            for jab in bp.jabatan
        ],
        "iku": [
            {**_indicator(iku), "penanggung_jawab": iku.penanggung_jawab, "jabatan": iku.jabatan}
            for iku in (bp.iku.indikator if bp.iku else [])
        ],
    }


def _indicator(ind: Indikator) -> dict[str, Any]:
    return {
        "id": ind.id,
        "nama": ind.nama,
        "jenis": str(ind.jenis),
        "satuan": ind.satuan,
        "target": ind.target,
        "polaritas": str(ind.polaritas),
        "asumsi": ind.asumsi,
        "variabel": [
            {"id": v.id, "label": v.label, "tipe": str(v.tipe), "pengisi": str(v.pengisi)}
            for v in ind.variabel
        ],
    }
