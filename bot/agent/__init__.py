"""The bot's Teams endpoint on the Microsoft 365 Agents SDK: `/api/messages` with the SDK's
token validation, the handlers that turn Teams activities into the in-meeting use cases and
staff commands, and `MeetingChat` for saying things in a meeting's chat."""
