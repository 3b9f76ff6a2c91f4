"""The inbox gauges and the inboxes' spans, on both engines: what the meeting activity inbox
and the calls inbox hold and how long the oldest has waited, as sampled from the store, and a
span for each activity and notice handled that carries ids and kinds, never what it says."""

from __future__ import annotations

from datetime import timedelta

from bot.calling.inbox import CallNotificationInbox
from bot.calling.notifications import read_comms_notifications
from bot.instruments import CALL_NOTICES, INBOX_DEPTH, INBOX_OLDEST_AGE, MEETING_ACTIVITIES
from bot.meeting_inbox import MeetingActivityInbox
from bot.services.live_meeting import TeamsPerson
from bot.services.meeting_activity import MeetingActivity, MeetingStarted, ParticipantJoined
from bot.telemetry_export import sample_backlogs
from consent_store.unit_of_work import Store
from tests.calling.test_inbox import CALL, Events, Lifecycle, state
from tests.conftest import FakeClock
from tests.telemetry.recorded import recording

THREAD = "19:meeting_gauges@thread.v2"
VISITOR = TeamsPerson("29:visitor", "Robin Visitor", None)


class Handled:
    def __init__(self) -> None:
        self.handled: list[MeetingActivity] = []

    async def handle(self, thread_id: str, activity: MeetingActivity) -> None:
        self.handled.append(activity)


async def test_the_gauges_show_what_waits_and_the_spans_what_was_handled(
    store: Store, clock: FakeClock
) -> None:
    with recording() as recorded:
        activities = MeetingActivityInbox(store, "instance-a", sweep_seconds=3600)
        calls = CallNotificationInbox(store, "instance-a", sweep_seconds=3600)
        await activities.accept(THREAD, MeetingStarted())
        clock.now += timedelta(seconds=90)
        await activities.accept(THREAD, ParticipantJoined(VISITOR))
        await calls.accept(read_comms_notifications(state("established")))
        clock.now += timedelta(seconds=30)

        await sample_backlogs(store)
        assert recorded.value(INBOX_DEPTH, {"iass.inbox": MEETING_ACTIVITIES}) == 2
        assert recorded.value(INBOX_OLDEST_AGE, {"iass.inbox": MEETING_ACTIVITIES}) == 120
        assert recorded.value(INBOX_DEPTH, {"iass.inbox": CALL_NOTICES}) == 1
        assert recorded.value(INBOX_OLDEST_AGE, {"iass.inbox": CALL_NOTICES}) == 30

        handler = Handled()
        activities.start(handler)
        calls.start(Lifecycle(), Events())
        await activities.sweep()
        await calls.sweep()
        await activities.idle()
        await calls.idle()
        await activities.stop()
        await calls.close()
        await sample_backlogs(store)
        emptied = {p.attributes["iass.inbox"]: p.value for p in recorded.points(INBOX_DEPTH)}
        ages = {p.attributes["iass.inbox"]: p.value for p in recorded.points(INBOX_OLDEST_AGE)}

    assert len(handler.handled) == 2
    assert emptied == {MEETING_ACTIVITIES: 0, CALL_NOTICES: 0}
    assert ages == {MEETING_ACTIVITIES: 0, CALL_NOTICES: 0}
    handled = recorded.spans("meeting_activity.handle")
    assert [s.attributes["iass.activity.kind"] for s in handled if s.attributes] == [
        "meeting_started",
        "participant_joined",
    ]
    assert all(s.attributes and s.attributes["iass.teams.thread_id"] == THREAD for s in handled)
    (notice,) = recorded.spans("call_notice.handle")
    assert notice.attributes is not None
    assert notice.attributes["iass.call.id"] == CALL
    everything = repr([dict(s.attributes or {}) for s in recorded.spans()])
    assert "Robin" not in everything
    assert "Visitor" not in everything
