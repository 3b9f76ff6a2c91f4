"""Liaison (issue 17): the professionals or organisations staff named for a meeting's matter,
and which of them each consent request asked about, so a decision taken from a reply covers
exactly those (`consent_store.liaison`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from consent_store.tables.base import Base, UtcDateTime


class LiaisonOrganisationRow(Base):
    """A professional or organisation staff named for liaison about a meeting's matter (issue
    17): the service users are asked whether staff may talk to them or pass information on.
    The name may name a person, so it is sealed."""

    __tablename__ = "liaison_organisations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    named_at: Mapped[datetime] = mapped_column(UtcDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LiaisonRequestOrganisationRow(Base):
    """Which named organisations a consent request asked about: a decision taken from a reply
    to that request covers exactly these."""

    __tablename__ = "liaison_request_organisations"

    request_id: Mapped[str] = mapped_column(ForeignKey("consent_requests.id"), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(
        ForeignKey("liaison_organisations.id"), primary_key=True
    )
