"""Sign-off and the audit trail: a person verifies a return against its evidence or sends it
back with a comment, an approver approves a period (closing it) or reopens it with a reason,
and anyone who may read checks and exports the audit trail.

Every step is taken by a `Person` (an account and where they work from: the command line's
`--akun`, the web's signed-in account) whose role must allow it (`accounts.roles`); the step
and its audit entry are written in one transaction, so no face can take one without the
other. The rules of what a closed period holds are `signoff.ledger`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from iki_xlsx.accounts.roles import Access, Action
from iki_xlsx.audit.kinds import AuditKind
from iki_xlsx.audit.trail import Actor, AuditTrail, Entry, computer_user
from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.core.errors import UsageError
from iki_xlsx.core.states import Status
from iki_xlsx.service.context import OfficeContext
from iki_xlsx.signoff.ledger import Step
from iki_xlsx.store.audit import AuditFilter
from iki_xlsx.store.db import Store, utc_text
from iki_xlsx.store.signoff import Signer

if TYPE_CHECKING:  # the accounts and the periods' states: imported by the use cases
    from iki_xlsx.accounts.book import AccountBook
    from iki_xlsx.audit.chain import ChainReport
    from iki_xlsx.intake.status import PeriodStatus, UnitState
    from iki_xlsx.years.change import YearChanges

MAX_NOTE = 2000  # characters of a note, a comment or a reason


class NotAllowed(UsageError):
    """The person's role does not allow the step (the message says whose role does)."""


@dataclass(frozen=True)
class Person:
    """Who takes a step: the audit's actor (login, name, from where) and what they may do."""

    actor: Actor
    access: Access

    @property
    def signer(self) -> Signer:
        return Signer(self.actor.login or "", self.actor.nama or "", self.actor.account_id)


def command_line_origin() -> str:
    """`baris perintah budi@kantor`: the computer's user and host, for the audit."""
    return f"baris perintah {computer_user()}"


@dataclass
class Signed:
    """A step taken: what the audit says of it, and for an approval the units left out (their
    latest accepted return not verified, or none)."""

    summary: str
    blueprint: str
    periode: int
    unit: str | None = None
    left_out: list[UnitState] = field(default_factory=list)


class Signing(OfficeContext):
    # --- who ---------------------------------------------------------------------------------

    def office_kode(self) -> str | None:
        """This office's kode in its kabupaten (None: a single-office workspace)."""
        if self.workspace is None:
            return None
        from iki_xlsx.service.kabupaten import find_kabupaten_of

        found = find_kabupaten_of(self.workspace.root)
        return None if found is None else found[1]

    def account_book(self) -> AccountBook:
        """The accounts people sign with: the kabupaten's for an office of one, else the
        office's own store's."""
        from iki_xlsx.accounts.book import AccountBook

        if self.workspace is not None:
            from iki_xlsx.service.kabupaten import find_kabupaten_of, load_kabupaten

            found = find_kabupaten_of(self.workspace.root)
            if found is not None:
                kabupaten = load_kabupaten(found[0])
                return AccountBook(kabupaten.store(), kabupaten.kodes)
        return AccountBook(self.store)

    def person(self, login: str | None, origin: str) -> Person:
        """The account `login` of this workspace, working from `origin`; refused (usage) when
        none is named, it does not exist or is inactive."""
        if not login:
            raise UsageError("sebutkan akun Anda dengan --akun NAMA_MASUK (akun ruang kerja "
                             "ini; lihat: iki-xlsx akun daftar)")
        account = self.account_book().get(login)
        if not account.aktif:
            raise NotAllowed(f"akun '{account.login}' nonaktif")
        return Person(Actor(account.login, account.nama, origin, account.id), account.access)

    def _allow(self, person: Person, action: Action) -> None:
        if person.access.can(action, self.office_kode()):
            return
        if action is Action.VERIFY:
            raise NotAllowed(f"akun '{person.actor.login}' tidak berhak memverifikasi atau "
                             "mengembalikan isian; itu pekerjaan operator kantor")
        if action is Action.APPROVE:
            raise NotAllowed(f"akun '{person.actor.login}' tidak berhak menyetujui atau "
                             "membuka periode; itu pekerjaan penyetuju (sekcam atau camat)")
        raise NotAllowed(f"akun '{person.actor.login}' tidak berhak melihat catatan ini")

    def audit_trail(self) -> AuditTrail:
        return AuditTrail(self.store)

    # --- a unit's return ---------------------------------------------------------------------

    def verify(self, person: Person, kode: str, periode: int, *,
               blueprint: str | None = None, catatan: str | None = None) -> Signed:
        """The unit's latest accepted return of the year confirmed against its evidence."""
        self._allow(person, Action.VERIFY)
        return self._review(person, kode, periode, blueprint, Status.VERIFIED,
                            _note(catatan, required=False, what="catatan"))

    def send_back(self, person: Person, kode: str, periode: int, catatan: str, *,
                  blueprint: str | None = None) -> Signed:
        """The unit's latest accepted return sent back with the person's comment (which the
        correction e-mail and the annotated copy carry)."""
        self._allow(person, Action.VERIFY)
        return self._review(person, kode, periode, blueprint, Status.RETURNED,
                            _note(catatan, required=True, what="catatan"))

    def _review(self, person: Person, kode: str, periode: int, blueprint: str | None,
                state: Status, catatan: str | None) -> Signed:
        store = self.records()
        period = self._period(store, periode, blueprint)
        unit = next((u for u in period.units if u.kode == kode.strip()), None)
        if unit is None:
            raise UsageError(f"unit {kode.strip()[:40]} tidak ada dalam daftar {period.blueprint} "
                             f"tahun {periode}")
        if unit.accepted_id is None or not unit.state.accepted:
            raise UsageError(f"{unit.nama} ({unit.kode}) belum punya isian yang diterima "
                             f"(status: {unit.state.label}); tidak ada yang dapat "
                             + ("diverifikasi" if state is Status.VERIFIED else "dikembalikan"))
        if unit.state is Status.APPROVED:
            raise UsageError(f"isian {unit.nama} ({unit.kode}) sudah disetujui; periode harus "
                             "dibuka kembali lebih dulu (iki-xlsx buka ... --alasan)")
        verb = "diverifikasi" if state is Status.VERIFIED else "dikembalikan"
        summary = f"Isian {unit.nama} ({unit.kode}) {verb}" + (f": {catatan}" if catatan else "")
        kind = AuditKind.VERIFY if state is Status.VERIFIED else AuditKind.RETURN
        at = utc_text()
        with store.transaction():
            made = store.signoff.add_review(unit.accepted_id, period.blueprint, periode,
                                            unit.kode, str(state), catatan, person.signer, at)
            self.audit_trail().record(
                person.actor, kind, summary, blueprint=period.blueprint, periode=periode,
                unit=unit.kode, ref=f"review:{made}", at=at,
                details={"catatan": catatan, "berkas": unit.last_file,
                         "sha256": unit.accepted_sha256})
        return Signed(summary, period.blueprint, periode, unit.kode)

    # --- a period ----------------------------------------------------------------------------

    def approve(self, person: Person, periode: int, *, tw: int | None = None,
                blueprint: str | None = None) -> Signed:
        """The year approved up to period `tw` (default: the whole year), which closes it:
        each unit's verified return is the one that counts until it is reopened; a unit whose
        latest accepted return is not verified is left out (named in the result)."""
        self._allow(person, Action.APPROVE)
        store = self.records()
        period = self._period(store, periode, blueprint)
        bp = self._blueprint(period.blueprint)
        sampai = _tw(bp, tw)
        if period.closed_through >= sampai:
            raise UsageError(f"{period.blueprint} tahun {periode} sudah ditutup sampai "
                             f"{bp.periods[period.closed_through - 1]}")
        listed = [u for u in period.units if u.on_list]
        approved = {u.kode: u.accepted_id if u.state is Status.VERIFIED
                    or (u.state is Status.APPROVED) else None for u in listed}
        left_out = [u for u in listed if approved[u.kode] is None]
        words = _through(bp, sampai)
        summary = (f"Periode {periode} {words} ({period.blueprint}) disetujui dan ditutup: "
                   f"{len(listed) - len(left_out)} dari {len(listed)} unit"
                   + (f"; tanpa isian terverifikasi: {', '.join(u.kode for u in left_out)}"
                      if left_out else ""))
        at = utc_text()
        with store.transaction():
            made = store.signoff.add_closing(period.blueprint, periode, Step.CLOSE, sampai, None,
                                             person.signer, at, sorted(approved.items()))
            self.audit_trail().record(
                person.actor, AuditKind.APPROVE, summary, blueprint=period.blueprint,
                periode=periode, ref=f"close:{made}", at=at,
                details={"sampai": bp.periods[sampai - 1], "unit": approved})
        return Signed(summary, period.blueprint, periode, left_out=left_out)

    def reopen(self, person: Person, periode: int, alasan: str, *, tw: int | None = None,
               blueprint: str | None = None) -> Signed:
        """A closed year reopened from period `tw` (default: its first) with a reason: a return
        that arrived after the approval counts again."""
        self._allow(person, Action.APPROVE)
        reason = _note(alasan, required=True, what="alasan")
        store = self.records()
        period = self._period(store, periode, blueprint)
        bp = self._blueprint(period.blueprint)
        dari = 1 if tw is None else _tw(bp, tw)
        if period.closed_through < dari:
            raise UsageError(f"{period.blueprint} tahun {periode} "
                             + ("belum ditutup" if period.closed_through == 0 else
                                f"hanya ditutup sampai {bp.periods[period.closed_through - 1]}"))
        summary = (f"Periode {periode} ({period.blueprint}) dibuka kembali mulai "
                   f"{bp.periods[dari - 1]}: {reason}")
        at = utc_text()
        with store.transaction():
            made = store.signoff.add_closing(period.blueprint, periode, Step.REOPEN, dari, reason,
                                             person.signer, at)
            self.audit_trail().record(
                person.actor, AuditKind.REOPEN, summary, blueprint=period.blueprint,
                periode=periode, ref=f"close:{made}", at=at,
                details={"mulai": bp.periods[dari - 1], "alasan": reason})
        return Signed(summary, period.blueprint, periode)

    def person_of(self, login: str | None, nama: str, access: Access, origin: str,
                  account_id: int | None = None) -> Person:
        """A person the face has already signed in (the web's session)."""
        return Person(Actor(login, nama, origin, account_id), access)

    def year_changes(self, blueprint: str, periode: int) -> YearChanges:
        """Each unit's return this year beside last year's, a change beyond the indicator's
        limit flagged for the verifier."""
        from iki_xlsx.years.change import year_changes  # pandas and the engine: when asked

        return year_changes(self.records(), self.index(), blueprint, periode)

    # --- the audit trail ---------------------------------------------------------------------

    def audit_check(self) -> ChainReport:
        """The whole chain checked; the first broken entry named."""
        return self.audit_trail().check()

    def audit_entries(self, wanted: AuditFilter | None = None) -> list[Entry]:
        return self.audit_trail().entries(wanted) if self.has_records else []

    def audit_export(self, path: Path, wanted: AuditFilter | None = None) -> Path:
        return self.audit_trail().export(path, wanted, self.zona)

    # --- finding what is meant ---------------------------------------------------------------

    def _period(self, store: Store, periode: int, blueprint: str | None) -> PeriodStatus:
        from iki_xlsx.intake.status import status

        periods = [p for p in status(store).periods if p.periode == periode
                   and (blueprint is None or p.blueprint == blueprint)]
        if not periods:
            raise UsageError(f"tidak ada workbook {blueprint or ''} tahun {periode} yang "
                             "tercatat".replace("  ", " "))
        if len(periods) > 1:
            raise UsageError(f"tahun {periode} punya beberapa blueprint ("
                             f"{', '.join(p.blueprint for p in periods)}); sebutkan --blueprint")
        return periods[0]

    def _blueprint(self, bp_id: str) -> Blueprint:
        found = self.index().by_id.get(bp_id)
        if found is None:
            raise UsageError(f"blueprint {bp_id} tidak ditemukan di {self.blueprints_dir}")
        return found


def _note(text: str | None, *, required: bool, what: str) -> str | None:
    cleaned = " ".join((text or "").split())
    if not cleaned:
        if required:
            raise UsageError(f"{what} wajib diisi (--{what} \"...\")")
        return None
    if len(cleaned) > MAX_NOTE:
        raise UsageError(f"{what} paling panjang {MAX_NOTE} karakter")
    return cleaned


def _tw(bp: Blueprint, tw: int | None) -> int:
    """Period number `tw` of the blueprint's year (None: its last)."""
    count = len(bp.periods)
    if tw is None:
        return count
    if not 1 <= tw <= count:
        raise UsageError(f"--tw harus 1 sampai {count} ({', '.join(bp.periods)})")
    return tw


def _through(bp: Blueprint, sampai: int) -> str:
    return "setahun" if sampai == len(bp.periods) else f"sampai {bp.periods[sampai - 1]}"
