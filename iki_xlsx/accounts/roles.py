"""The roles a person may hold, per office, and what each lets them do: a small typed
vocabulary that grows by one member and one rule.

A grant is a role at an office: `kantor` is the office's kode in a kabupaten, or `ALL` (`*`)
for every office. In a single-office workspace there is one office and every grant is `ALL`.

    operator    works one office: receives, generates, sends, changes its settings; verifies
                a return against its evidence, or sends it back with a comment
    penyetuju   approves one office's period (the sekcam or camat), which closes it, and
                reopens it with a reason
    pemeriksa   reads and downloads (one office, or all of them)
    admin       admin kabupaten: reads everything, manages accounts and offices
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from iki_xlsx.core.errors import UsageError

ALL = "*"  # every office (the only office of a single-office workspace)
ALL_WORD = "semua"  # how a person writes ALL


class Role(StrEnum):
    OPERATOR = "operator"
    PENYETUJU = "penyetuju"
    PEMERIKSA = "pemeriksa"
    ADMIN = "admin"


class Action(StrEnum):
    READ = "lihat"  # open pages, download files, read the API
    CHANGE = "ubah"  # receive, generate, send, change the office's files
    MANAGE = "kelola"  # accounts and offices
    VERIFY = "verifikasi"  # a return verified against its evidence, or sent back
    APPROVE = "setujui"  # a period approved (closed), or reopened with a reason


@dataclass(frozen=True)
class RoleRule:
    """What a role lets its holder do, where it may be granted, and its name for people."""

    actions: frozenset[Action]
    one_office: bool  # may be granted for one office of a kabupaten
    every_office: bool  # may be granted for every office (`*`) of a kabupaten
    label: str
    explained: str


RULES: dict[Role, RoleRule] = {
    Role.OPERATOR: RoleRule(frozenset({Action.READ, Action.CHANGE, Action.VERIFY}), True, False,
                            "operator", "mengerjakan satu kantor: menerima, membuat, mengirim, "
                                        "memverifikasi atau mengembalikan isian"),
    Role.PENYETUJU: RoleRule(frozenset({Action.READ, Action.APPROVE}), True, False,
                             "penyetuju", "menyetujui (menutup) periode satu kantor dan "
                                          "membukanya kembali dengan alasan"),
    Role.PEMERIKSA: RoleRule(frozenset({Action.READ}), True, True, "pemeriksa",
                             "melihat dan mengunduh saja"),
    Role.ADMIN: RoleRule(frozenset({Action.READ, Action.MANAGE}), False, True,
                         "admin kabupaten", "melihat semua, mengelola akun dan kantor"),
}


class GrantError(UsageError, ValueError):
    """A grant that cannot be given (the message is Indonesian)."""


@dataclass(frozen=True, order=True)
class Grant:
    role: Role
    kantor: str = ALL

    def text(self) -> str:
        """`operator:3507010`, `pemeriksa:semua`, as the command line takes and shows it."""
        return f"{self.role}:{ALL_WORD if self.kantor == ALL else self.kantor}"

    def label(self, office_names: dict[str, str] | None = None) -> str:
        """`operator Kecamatan Jabung`, `pemeriksa semua kantor`, for pages."""
        rule = RULES[self.role]
        if self.kantor == ALL:
            return rule.label if office_names is None or self.role == Role.ADMIN \
                else f"{rule.label} semua kantor"
        return f"{rule.label} {(office_names or {}).get(self.kantor, self.kantor)}"


def parse_grant(text: str) -> Grant:
    """`PERAN` or `PERAN:KANTOR` (`semua` for every office)."""
    role_text, _, kantor = text.strip().partition(":")
    try:
        role = Role(role_text.strip().lower())
    except ValueError:
        raise GrantError(f"peran '{role_text.strip()[:40]}' tidak dikenal (pilih: "
                         f"{', '.join(r.value for r in Role)})") from None
    kantor = kantor.strip()
    return Grant(role, ALL if kantor in ("", ALL, ALL_WORD) else kantor)


def check_grants(grants: Iterable[Grant], offices: Sequence[str] | None) -> list[Grant]:
    """The grants, sorted and without repeats, when each can be given where `offices` are the
    kabupaten's office kodes (None: a single-office workspace); else `GrantError`."""
    checked = sorted(set(grants))
    if not checked:
        raise GrantError("sebutkan paling sedikit satu peran (misalnya --peran operator)")
    for grant in checked:
        rule = RULES[grant.role]
        if offices is None:
            if grant.kantor != ALL:
                raise GrantError(f"ruang kerja ini satu kantor; tulis peran {grant.role} tanpa "
                                 f"kantor (tertulis: {grant.text()})")
        elif grant.kantor == ALL and not rule.every_office:
            raise GrantError(f"peran {rule.label} diberikan untuk satu kantor; tulis "
                             f"{grant.role}:KODE (kode dari kantor.csv)")
        elif grant.kantor != ALL and not rule.one_office:
            raise GrantError(f"peran {rule.label} berlaku untuk semua kantor; tulis "
                             f"{grant.role} tanpa kantor")
        elif grant.kantor != ALL and grant.kantor not in offices:
            raise GrantError(f"kantor {grant.kantor[:40]} tidak ada di kantor.csv")
    return checked


def grants_of(rows: Iterable[tuple[str, str]]) -> frozenset[Grant]:
    """Stored (role, kantor) pairs as grants; a role this release does not know is left out
    (a store written by a newer release gives no right that release did not mean)."""
    known = {role.value for role in Role}
    return frozenset(Grant(Role(role), kantor) for role, kantor in rows if role in known)


@dataclass(frozen=True)
class Access:
    """What a person may do, from their grants."""

    grants: frozenset[Grant]

    def can(self, action: Action, kantor: str | None = None) -> bool:
        """Whether `action` is allowed at office `kantor` (None: the workspace itself, that is
        the single office, or the kabupaten as a whole): an `ALL` grant allows it anywhere."""
        return any(action in RULES[g.role].actions and (g.kantor == ALL or g.kantor == kantor)
                   for g in self.grants)

    def offices(self, action: Action, kodes: Iterable[str]) -> list[str]:
        """The offices among `kodes` where `action` is allowed, in their order."""
        return [kode for kode in kodes if self.can(action, kode)]

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(g.role for g in self.grants)
