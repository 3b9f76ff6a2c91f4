"""Activities the bot has no handler for: each is logged by its type and, for events and
invokes, its name (never anything else from the activity: the rest may carry personal data),
and counted for this process in `unhandled_activities`, which the log line's running count
reports. Teams is still answered as the SDK answers (202), so nothing is sent again."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from microsoft_agents.activity import ActivityTypes

from bot.agent.meeting_event_value import HANDLED_EVENTS

log = logging.getLogger(__name__)

CARD_ACTION_INVOKE = "adaptiveCard/action"
"""The invoke Teams sends when an Adaptive Card button is pressed (`Action.Execute`, and
`Action.Submit` as the Teams SDK reference describes it)."""

NAME_LIMIT = 120
"""Longer names are cut in the log: a name is the sender's choice of string."""

unhandled_activities: Counter[tuple[str, str]] = Counter()
"""How many activities this process has passed over, by type and name."""


def is_handled(activity: Any) -> bool:
    """Whether the bot has a handler for the activity: a message, one of the four meeting
    events under its canonical name, or an Adaptive Card button's `adaptiveCard/action`."""
    if activity.type == ActivityTypes.message:
        return True
    if activity.type == ActivityTypes.invoke:
        return bool(activity.name == CARD_ACTION_INVOKE)
    return activity.type == ActivityTypes.event and activity.name in HANDLED_EVENTS


def note_unhandled(activity: Any) -> None:
    """Log and count an activity the bot passes over."""
    kind = activity.type if isinstance(activity.type, str) else ""
    name = activity.name if isinstance(activity.name, str) else ""
    key = (kind[:NAME_LIMIT], name[:NAME_LIMIT])
    unhandled_activities[key] += 1
    log.warning(
        "activity not handled: type %r, name %r (%d so far)",
        key[0],
        key[1],
        unhandled_activities[key],
    )
