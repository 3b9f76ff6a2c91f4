"""The bot's answers to Teams: meeting start and end and participant join and leave events
become `MeetingEvents` calls, files posted in a meeting chat become `DocumentEvents` calls, and
chat messages are answered: staff commands for staff, the service's contact details for anyone
else who writes to the bot. Meeting event names and values are read in every documented
spelling (`meeting_event_value`); any other activity is logged and counted (`unhandled`). The
`serviceUrl` of every activity outside a personal chat is offered to `ServiceUrls`, which keeps
it for a meeting chat of ours whatever the activity's shape (the newer meeting start and end
events carry no `channelData.meeting`).

In a meeting chat the bot answers only commands (and anyone who @mentions it), so ordinary
conversation passes without a word from it. Anyone, staff included, who @mentions it with
"stop recording" or "I do not agree to recording" (`bot.policy.objection`), or presses the
opening card's button (an Adaptive Card `Action.Submit`, which Teams sends as a message whose
`value` is the button's data), objects to recording (`ChatWordsEvents.objected`); other words
from anyone but staff go to staff as a question (`ChatWordsEvents.asked`)."""

from __future__ import annotations

import logging
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes, InvokeResponse
from microsoft_agents.activity.teams import MeetingParticipantsEventDetails
from microsoft_agents.hosting.core import AgentApplication, TurnContext, TurnState
from microsoft_agents.hosting.msteams import TeamsAgentExtension, TeamsTurnContext

from bot.agent import chat_wording
from bot.agent.activity_origin import in_meeting_chat, mentions_bot
from bot.agent.commands import ABOUT_A_MEETING, Command, CommandName, parse_command
from bot.agent.meeting_event_value import MEETING_EVENTS, canonical_event_name, pascal_case_keys
from bot.agent.posted_files import posted_files
from bot.agent.service_urls import ServiceUrls
from bot.agent.staff_check import is_staff
from bot.agent.teams_people import teams_person
from bot.agent.unhandled import CARD_ACTION_INVOKE, is_handled, note_unhandled
from bot.config import ServiceProfile
from bot.policy.objection import (
    ChatWordsKind,
    is_objection_action,
    is_objection_invoke,
    read_chat_words,
)
from bot.services.live_meeting import (
    ChatWordsEvents,
    DocumentEvents,
    MeetingEvents,
    ObjectionSource,
)
from bot.services.meeting_briefing import (
    briefing_for_chat,
    briefing_for_organiser,
    upcoming_meetings,
)
from consent_store.errors import STORE_FAILURES
from consent_store.unit_of_work import Store

log = logging.getLogger(__name__)
PERSONAL = "personal"
QUESTION = ChatWordsKind.QUESTION


class TeamsHandlers:
    def __init__(
        self,
        store: Store,
        tenant_id: str,
        service: ServiceProfile,
        service_urls: ServiceUrls,
        *,
        meeting_events: MeetingEvents,
        document_events: DocumentEvents,
        chat_words: ChatWordsEvents,
    ) -> None:
        self._store = store
        self._chat_words = chat_words
        self._tenant_id = tenant_id
        self._service = service
        self._service_urls = service_urls
        self._meeting_events = meeting_events
        self._document_events = document_events

    def register(self, agent: AgentApplication[TurnState], teams: TeamsAgentExtension[Any]) -> None:
        agent.before_turn(self._before_turn)
        teams.meetings.start(self._meeting_started)
        teams.meetings.end(self._meeting_ended)
        teams.meetings.participants_join(self._participants_joined)
        teams.meetings.participants_leave(self._participants_left)
        teams.activity(ActivityTypes.message)(self._message)
        agent.invoke(CARD_ACTION_INVOKE)(self._card_action)

    async def _before_turn(self, context: TurnContext, _state: TurnState) -> bool:
        activity = context.activity
        if activity.type == ActivityTypes.event:
            activity.name = canonical_event_name(activity.name) or activity.name
            if activity.name in MEETING_EVENTS:
                activity.value = pascal_case_keys(activity.value)
        if not is_handled(activity):
            note_unhandled(activity)
        conversation = activity.conversation
        if (
            activity.service_url
            and conversation is not None
            and conversation.id
            and conversation.conversation_type != PERSONAL
        ):
            await self._service_urls.remember(conversation.id, activity.service_url)
        return True

    async def _meeting_started(
        self, context: TeamsTurnContext, _state: TurnState, _meeting: Any
    ) -> None:
        await self._meeting_events.meeting_started(context.activity.conversation.id)

    async def _meeting_ended(
        self, context: TeamsTurnContext, _state: TurnState, _meeting: Any
    ) -> None:
        await self._meeting_events.meeting_ended(context.activity.conversation.id)

    async def _participants_joined(
        self, context: TeamsTurnContext, _state: TurnState, details: MeetingParticipantsEventDetails
    ) -> None:
        thread_id = context.activity.conversation.id
        for member in details.members or ():
            await self._meeting_events.participant_joined(thread_id, teams_person(member.user))

    async def _participants_left(
        self, context: TeamsTurnContext, _state: TurnState, details: MeetingParticipantsEventDetails
    ) -> None:
        thread_id = context.activity.conversation.id
        for member in details.members or ():
            await self._meeting_events.participant_left(thread_id, teams_person(member.user))

    async def _message(self, context: TeamsTurnContext, _state: TurnState) -> None:
        activity = context.activity
        in_meeting = in_meeting_chat(activity)
        if in_meeting and activity.from_property is not None:
            poster = teams_person(activity.from_property)
            for file in posted_files(activity.attachments):
                await self._document_events.file_posted(activity.conversation.id, poster, file)
        command = parse_command(activity.text)
        objection = self._objection(activity, in_meeting, command)
        if objection is not None:
            person = teams_person(activity.from_property)
            thread_id: str = activity.conversation.id
            await _reply(context, await self._chat_words.objected(thread_id, person, objection))
            return
        if in_meeting and command is None and not mentions_bot(activity):
            return
        if not await is_staff(activity, context.api_client, self._tenant_id):
            if in_meeting and command is None and read_chat_words(activity.text).kind is QUESTION:
                await _reply(context, await self._chat_words.asked(activity.conversation.id))
                return
            await _reply(context, chat_wording.contact_text(self._service))
            return
        if command is None:
            await _reply(context, chat_wording.help_text(in_meeting=in_meeting))
            return
        try:
            answer = await self._answer(command, activity, in_meeting)
        except STORE_FAILURES as error:
            log.warning("a staff command could not be answered: %s", type(error).__name__)
            answer = chat_wording.unavailable_text()
        await _reply(context, answer)

    async def _card_action(self, context: TurnContext, _state: TurnState) -> None:
        """An Adaptive Card button delivered as an invoke: the objection button objects (the
        chat is told, and the presser answered with the same words); any other is refused."""
        activity = context.activity
        if (
            in_meeting_chat(activity)
            and activity.from_property is not None
            and is_objection_invoke(activity.value)
        ):
            person = teams_person(activity.from_property)
            thread_id: str = activity.conversation.id
            text = await self._chat_words.objected(thread_id, person, ObjectionSource.CARD)
            await _reply(context, text)
            body: dict[str, Any] = {
                "statusCode": 200,
                "type": "application/vnd.microsoft.activity.message",
                "value": text,
            }
        else:
            note_unhandled(activity)
            body = {
                "statusCode": 400,
                "type": "application/vnd.microsoft.error",
                "value": {"code": "BadRequest", "message": "This button is not handled."},
            }
        await context.send_activity(
            Activity(
                type=ActivityTypes.invoke_response, value=InvokeResponse(status=200, body=body)
            )
        )

    @staticmethod
    def _objection(
        activity: Any, in_meeting: bool, command: Command | None
    ) -> ObjectionSource | None:
        """How the message objects to recording, if it does: the opening card's button, or
        the words of an @mention in a meeting chat that is not a staff command."""
        if not in_meeting or activity.from_property is None:
            return None
        if is_objection_action(activity.value):
            return ObjectionSource.CARD
        if command is None and mentions_bot(activity) and read_chat_words(activity.text).objects:
            return ObjectionSource.CHAT
        return None

    async def _answer(self, command: Command, activity: Any, in_meeting: bool) -> str:
        thread_id: str = activity.conversation.id
        if command.name is CommandName.HELP:
            return chat_wording.help_text(in_meeting=in_meeting)
        if command.name is CommandName.SHARE:
            if not in_meeting:
                return chat_wording.share_needs_meeting_text()
            requester = teams_person(activity.from_property)
            return await self._document_events.share_requested(thread_id, requester, command.wanted)
        assert command.name in ABOUT_A_MEETING
        if in_meeting:
            briefing = await briefing_for_chat(self._store, thread_id)
            if briefing is None:
                return chat_wording.no_meeting_text()
            return chat_wording.briefing_text(command.name, briefing, personal=False)
        object_id: str = activity.from_property.aad_object_id
        if command.reference is None:
            meetings = await upcoming_meetings(self._store, object_id)
            return chat_wording.meetings_text(command.name, meetings)
        mine = await briefing_for_organiser(self._store, command.reference, object_id)
        if mine is None:
            return chat_wording.not_yours_text(command.reference)
        return chat_wording.briefing_text(command.name, mine, personal=True)


async def _reply(context: TurnContext, text: str) -> None:
    await context.send_activity(
        Activity(type=ActivityTypes.message, text=text, text_format="plain")
    )
