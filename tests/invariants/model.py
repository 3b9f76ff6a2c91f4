"""What the invariant harness believes about one meeting, kept from what it did (never from the
bot's store): who was asked, every answer and when it counted, when the meeting really
started, and whether anyone not invited has been present since. From that, whether the
service's recording rule permits recording at a given moment.

The rule: recording is permitted only if every invitee consented by email before the real
start, none refused or withdrew since, and nobody uninvited has been present since the real
start. The real start is the earlier of the scheduled start and the meeting actually starting
(the first join, the bot's call and the first roster all come after one of those).

An answer has two times: when the email arrived (`received_at`, what orders one person's
answers: the latest counts, and answers in the same second settle as "not given"), and when it
counted (`known_at`: on arrival, or when staff confirmed an email the bot could not read).
Before the real start, recording is permitted when every invitee's standing answer is "given".
From the real start on, the answer at the real start is frozen, and any refusal or withdrawal
that counts later, or any stranger, closes it for good.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Answer = Literal["given", "refused", "withdrawn"]


@dataclass(frozen=True)
class CountedAnswer:
    person: str
    answer: Answer
    received_at: datetime
    known_at: datetime


@dataclass
class MeetingModel:
    invitees: tuple[str, ...]
    scheduled_start: datetime
    started_at: datetime | None = None
    answers: list[CountedAnswer] = field(default_factory=list)
    stranger_since_start: bool = False

    @property
    def real_start(self) -> datetime:
        if self.started_at is None:
            return self.scheduled_start
        return min(self.scheduled_start, self.started_at)

    def has_started(self, at: datetime) -> bool:
        return at >= self.real_start

    def standing(self, person: str, before: datetime) -> Answer | None:
        """The person's answer from what counted before `before`: the latest email by its
        second of arrival; a second holding anything but "given" settles as not given."""
        counted = [a for a in self.answers if a.person == person and a.known_at < before]
        if not counted:
            return None
        latest = max(int(a.received_at.timestamp()) for a in counted)
        last_second = [a.answer for a in counted if int(a.received_at.timestamp()) == latest]
        refusals = [answer for answer in last_second if answer != "given"]
        return refusals[0] if refusals else "given"

    def permitted(self, at: datetime) -> bool:
        start = self.real_start
        if at < start:
            return all(self.standing(p, at) == "given" for p in self.invitees)
        consented_before = all(self.standing(p, start) == "given" for p in self.invitees)
        closed_since = any(a.answer != "given" and start <= a.known_at <= at for a in self.answers)
        return consented_before and not closed_since and not self.stranger_since_start
