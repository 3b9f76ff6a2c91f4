"""The words the whole product shares: the bot, its policy core and its store."""
