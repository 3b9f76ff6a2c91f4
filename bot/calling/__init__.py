"""The bot's side of its Graph calls into meetings: `/api/calls` (comms notifications, each
with a calling-service JWT), the prompts it serves for Teams to play, and its voice in a call.
"""
