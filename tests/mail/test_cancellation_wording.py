"""The cancellation email speaks of replying only to someone who was asked for consent
(issue 19: a meeting that needed no consent sent nothing to reply to)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import ServiceProfile
from bot.mail.meeting_notice import render_cancellation

START = datetime(2026, 12, 14, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("asked", [True, False])
def test_only_someone_asked_is_told_they_need_not_reply(
    asked: bool, env_without_iass: Path
) -> None:
    notice = render_cancellation(
        name="Alex Carter",
        reference="IASS-ABCDEFGH",
        starts_at=START,
        ends_at=START + timedelta(hours=1),
        asked=asked,
        service=ServiceProfile(),
    )
    for part in (notice.text, notice.html):
        assert "has been cancelled. You do not need to join it" in part
        assert ("do not need to reply to our email asking for your consent" in part) is asked
        assert "earlier emails" not in part
