"""What sign-off says of one blueprint's year: each return's review, and how far the year is
closed, by which closing, with which return of each unit.

A year's periods (TW I to TW IV, two semesters, or the year) close in order: approving period
N closes every period up to N not closed yet (closing N when N-1 is open would leave the
to-date figures of N resting on an open period), and each closed period keeps the return of
each unit that its closing approved. Reopening period N reopens N and every later one (their
figures may rest on N). A key without a period (a target typed by a unit) belongs to the
first period.

So, for a unit and a period, the return whose values count is the approved one while the
period is closed (none, when the unit had no approved return at its closing), and the latest
accepted one while it is open: a return that arrives after approval is kept, checked and shown,
but changes nothing of a closed period until it is reopened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from iki_xlsx.core.states import Status
from iki_xlsx.store.db import Store
from iki_xlsx.store.signoff import CloseRow, ReviewRow


class Step(StrEnum):
    """A closing or a reopening, as the store keeps `aksi`."""

    CLOSE = "tutup"
    REOPEN = "buka"


@dataclass
class Ledger:
    """The sign-off of one blueprint's year, replayed from its records in the order written."""

    blueprint: str
    periode: int
    reviews: Sequence[ReviewRow] = ()
    closings: Sequence[CloseRow] = ()
    _latest_review: dict[int, ReviewRow] = field(default_factory=dict, init=False)
    _covering: dict[int, CloseRow] = field(default_factory=dict, init=False)
    closed_through: int = field(default=0, init=False)
    reopened: CloseRow | None = field(default=None, init=False)  # the last reopening

    def __post_init__(self) -> None:
        for review in self.reviews:
            self._latest_review[review.submission_id] = review
        for step in self.closings:
            if step.aksi == Step.CLOSE:
                for period in range(self.closed_through + 1, step.sampai + 1):
                    self._covering[period] = step
                self.closed_through = max(self.closed_through, step.sampai)
            else:
                for period in range(step.sampai, self.closed_through + 1):
                    self._covering.pop(period, None)
                self.closed_through = min(self.closed_through, step.sampai - 1)
                self.reopened = step

    @classmethod
    def of(cls, store: Store, blueprint: str, periode: int) -> Ledger:
        with store.connect():
            return cls(blueprint, periode, store.signoff.reviews(blueprint, periode),
                       store.signoff.closings(blueprint, periode))

    # --- reviews ---

    def review(self, submission_id: int | None) -> ReviewRow | None:
        """The latest review of a return (None: nobody reviewed it)."""
        return None if submission_id is None else self._latest_review.get(submission_id)

    def verified(self, submission_id: int | None) -> ReviewRow | None:
        """The review that verified a return, when its latest review did."""
        review = self.review(submission_id)
        return review if review is not None and review.state == Status.VERIFIED else None

    # --- closings ---

    def covering(self, period: int | None) -> CloseRow | None:
        """The closing in force over `period` (None for a key without one: the first)."""
        return self._covering.get(1 if period is None else period)

    @property
    def closed_by(self) -> CloseRow | None:
        """The last closing in force: who approved the year up to where it is closed."""
        return self._covering.get(self.closed_through) if self.closed_through else None

    def approved(self, unit_kode: str, period: int | None = None) -> int | None:
        """The return of the unit approved for `period`, when the period is closed."""
        closing = self.covering(period)
        return None if closing is None else closing.units.get(unit_kode)

    def approved_ids(self) -> set[int]:
        """Every return an approval in force holds."""
        closings = {closing.id: closing for closing in self._covering.values()}
        return {sub for closing in closings.values() for sub in closing.units.values()
                if sub is not None}

    def approving(self, submission_id: int) -> CloseRow | None:
        """The first closing in force that approved this return (None: none did)."""
        for period in sorted(self._covering):
            closing = self._covering[period]
            if submission_id in closing.units.values():
                return closing
        return None

    def source(self, unit_kode: str, period: int | None, latest_accepted: int | None
               ) -> int | None:
        """The return whose value of `period` counts for the unit: the approved one while
        the period is closed, else the latest accepted."""
        closing = self.covering(period)
        if closing is not None:
            return closing.units.get(unit_kode)
        return latest_accepted

    # --- a unit's state ---

    def state(self, latest: Status, latest_accepted: int | None) -> Status:
        """A unit's state: its latest file's verdict, and when that file was accepted, how far
        a person took it (verified, sent back) or whether a closing approved it."""
        if latest is not Status.OK or latest_accepted is None:
            return latest
        if self.approving(latest_accepted) is not None:
            return Status.APPROVED
        review = self.review(latest_accepted)
        if review is None:
            return Status.OK
        return Status(review.state)
