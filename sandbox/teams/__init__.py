"""Teams as the bot meets it: people's `29:` ids, conversations, live meetings, and the
activities Teams sends the bot's messaging endpoint."""
