"""Notices said aloud for a service user who joins by phone (issue 18, part 5).

Someone who joins a meeting by phone cannot see its chat. When the meeting's individual needs
say the service user joins that way, what the bot tells everyone in the chat (a file kept or
refused, a document shared or not, recording switched off after an objection) is also said in
the call, through the meeting's voice, which plays prompts in turn so none overlaps another.

Speaking is best effort: the chat is still told, and recording is still switched off, when the
notice cannot be said. A failure is logged by the notice's name and the error's type (never
the words) and counted; the voice itself audits a prompt it could not play.
"""

from __future__ import annotations

import logging
from collections import Counter

from bot.announcement.spoken_forms import speakable
from bot.ports.failures import GRAPH_FAILURES
from bot.services.live_meeting import CallVoice
from consent_store.errors import STORE_FAILURES

log = logging.getLogger(__name__)

SAY_FAILURES = (*STORE_FAILURES, *GRAPH_FAILURES)
"""How saying a notice can fail: the store (where the call is found and the prompt audited)
or Graph could not be reached."""

counts: Counter[str] = Counter()
"""Notices for a service user joining by phone, by `<notice>.said` or `<notice>.not_said`."""


async def say_for_phone(
    voice: CallVoice | None, meeting_id: str, text: str, *, notice: str
) -> None:
    """Say `text` (made fit to read aloud) in the meeting's call; never raises `SAY_FAILURES`.

    The caller has established that the service user joins by phone; `notice` names the
    notice in logs and counts."""
    if voice is None:
        return
    try:
        await voice.say(meeting_id, speakable(text))
    except SAY_FAILURES as error:
        counts[f"{notice}.not_said"] += 1
        log.warning(
            "a %s notice for someone joining by phone was not said: %s",
            notice,
            type(error).__name__,
        )
        return
    counts[f"{notice}.said"] += 1
