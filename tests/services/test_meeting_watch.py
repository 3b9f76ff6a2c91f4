"""Which meetings the watch kept in sight (`bot.services.meeting_watch.out_of_sight`): only
those some instance wrote as watched at or after this instance regained sight, and none once
this instance refused a notification itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.services.meeting_watch import out_of_sight

REGAINED = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def test_a_meeting_written_since_this_instance_regained_sight_was_watched_throughout() -> None:
    watched = [("a", REGAINED), ("b", REGAINED + SECOND)]

    assert out_of_sight(watched, REGAINED, refused=False) == (["a", "b"], [])


def test_a_meeting_last_written_before_or_never_may_have_gone_unseen() -> None:
    watched = [("a", REGAINED - SECOND), ("b", None), ("c", REGAINED + SECOND)]

    assert out_of_sight(watched, REGAINED, refused=False) == (["c"], ["a", "b"])


def test_after_a_refused_notification_every_meeting_may_have_gone_unseen() -> None:
    watched = [("a", REGAINED + SECOND), ("b", None)]

    assert out_of_sight(watched, REGAINED, refused=True) == ([], ["a", "b"])
