"""The bundled blueprints load, validate and hold every jabatan and indicator of the seeds."""

from __future__ import annotations

import re
from collections import Counter
from difflib import SequenceMatcher

import pytest

from iki_xlsx.blueprint.model import Blueprint, Jenis
from tests.conftest import SEEDS

SEED_FILES = {
    "000_d83a27274a26675b.txt": "iki-kecamatan-kota",
    "001_89bd538daaa63693.txt": "iki-kecamatan-kota",
    "002_21470a4f22cf0850.txt": "iki-kecamatan-jabung",
    "004_5ad55baae25a0ee7.txt": "iku-kecamatan",
}


def seed_text(name: str) -> str:
    """A decree document's text; the test is skipped, saying why, when no copy of the decree
    documents is on this machine (a bare clone)."""
    if SEEDS is None:
        pytest.skip("the decree documents are not here: set IKI_SEEDS to their folder, or put "
                    "them in ../shared/seeds beside the repository")
    path = SEEDS / name
    assert path.exists(), f"seed document {path} is missing: set IKI_SEEDS to shared/seeds"
    return path.read_text(encoding="utf-8")


def seed_jabatan(name: str) -> list[str]:
    """Jabatan names as the decree writes them, once per time it lists them."""
    text = seed_text(name).replace("*", "")
    found = re.findall(r"1\.\s*JABATAN\s*:\s*([^\n]+)", text, flags=re.IGNORECASE)
    return [re.sub(r"\s+", " ", f).strip().rstrip(".").lower() for f in found]


def norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def transcribed_from(name: str, text: str) -> bool:
    """`name` stands in the normalised seed `text`, allowing a sub-item suffix such as
    " (b)" and the few typo fixes the blueprints note (at least 90% alike)."""
    wanted = norm(re.sub(r"\s*\([a-z]\)$", "", name))
    if wanted in text:
        return True
    anchors = [(m.start(), 0) for m in re.finditer(re.escape(wanted[:12]), text)]
    anchors += [(m.start(), len(wanted) - 12) for m in re.finditer(re.escape(wanted[-12:]), text)]
    for at, offset in anchors:  # every place the name's start or end stands in the seed
        start = max(0, at - offset - 4)
        window = text[start:start + len(wanted) + 8]
        blocks = SequenceMatcher(None, window, wanted, autojunk=False).get_matching_blocks()
        if sum(b.size for b in blocks) >= 0.9 * len(wanted):
            return True
    return False


@pytest.mark.parametrize("seed", ["000_d83a27274a26675b.txt", "001_89bd538daaa63693.txt",
                                  "002_21470a4f22cf0850.txt"])
def test_every_jabatan_of_the_seed_is_in_its_blueprint(seed: str,
                                                       blueprints: dict[str, Blueprint]) -> None:
    listed = Counter(seed_jabatan(seed))
    assert listed, "no jabatan found in the seed"
    bp = blueprints[SEED_FILES[seed]]
    modelled = {norm(j.nama): j for j in bp.jabatan if j.sumber == seed}
    assert len(modelled) == len(listed), (sorted(modelled), sorted(listed))
    for name, times in listed.items():
        jab = modelled.get(norm(name))
        assert jab is not None, f"jabatan '{name}' of {seed} is not in {bp.id}"
        assert jab.jumlah_pemangku == times, f"{name} listed {times} times"


def test_duplicated_jabatan_of_002_are_modelled_once_with_holders(
        blueprints: dict[str, Blueprint]) -> None:
    jabung = blueprints["iki-kecamatan-jabung"]
    holders = {j.nama.lower(): j.jumlah_pemangku for j in jabung.jabatan}
    assert holders["sekretaris desa"] == 4
    assert holders["pengelola data pelayanan publik"] == 2


@pytest.mark.parametrize("bp_id", ["iki-kecamatan-kota", "iki-kecamatan-jabung",
                                   "iku-kecamatan"])
def test_every_indicator_name_comes_from_its_seed(bp_id: str,
                                                  blueprints: dict[str, Blueprint]) -> None:
    """Each indicator's nama (or its formulasi) is found in the decree it cites."""
    bp = blueprints[bp_id]
    missing = []
    for jab in bp.jabatan:
        text = norm(seed_text(jab.sumber))
        for ind in jab.indikator:
            if ind.asumsi is None and not transcribed_from(ind.nama, text):
                missing.append(f"{jab.id}/{ind.id}: {ind.nama}")
    assert bp.id != "iku-kecamatan" or bp.iku is not None
    if bp.iku is not None:
        text = norm(seed_text(bp.iku.sumber))
        missing += [i.nama for i in bp.iku.indikator if not transcribed_from(i.nama, text)]
    assert not missing, missing


def test_the_iku_table_of_004_is_complete_and_linked(blueprints: dict[str, Blueprint]) -> None:
    iku = blueprints["iku-kecamatan"]
    assert iku.iku is not None
    rows = re.findall(r"\n\s*Prosentase|Indeks Kepuasan", seed_text("004_5ad55baae25a0ee7.txt"))
    assert len(iku.iku.indikator) == len(rows) == 6
    ids = {j.id for j in iku.jabatan}
    for row in iku.iku.indikator:
        assert row.penanggung_jawab and row.jabatan
        assert set(row.jabatan) <= ids


def test_the_decree_kinds_are_all_represented(blueprints: dict[str, Blueprint]) -> None:
    kinds = {ind.jenis for bp in blueprints.values() for jab in bp.jabatan for ind in jab.indikator}
    kinds |= {i.jenis for bp in blueprints.values() if bp.iku for i in bp.iku.indikator}
    assert kinds == set(Jenis)


def test_operationalisations_and_splits_are_marked(blueprints: dict[str, Blueprint]) -> None:
    kota = blueprints["iki-kecamatan-kota"]
    everything = [(j, i) for j in kota.jabatan for i in j.indikator]
    qualitative = [i for _, i in everything if "lancar dan singkatnya" in i.formulasi.lower()]
    assert qualitative and all(i.asumsi and i.jenis is Jenis.PERSENTASE for i in qualitative)
    security = [i for _, i in everything if "petugas keamanan" in i.nama.lower()
                and "honor" in (i.nama + i.formulasi).lower()]
    assert len(security) == 2 and all(i.asumsi for i in security)
    jabung = blueprints["iki-kecamatan-jabung"]
    attendance = [i for j in jabung.jabatan for i in j.indikator if i.jenis is Jenis.RUMUS]
    # "hari kerja dalam 1 tahun 240 hari kerja efektif": the year's value, a quarter of it in
    # a triwulan column
    assert attendance and all(i.constants() == {"hari_kerja_efektif": 240}
                              and i.constants(1 / 4) == {"hari_kerja_efektif": 60}
                              for i in attendance)
    discipline = [i for j in jabung.jabatan for i in j.indikator
                  if "pelanggaran disiplin" in i.nama.lower()]
    assert discipline and discipline[0].polaritas == "turun"
