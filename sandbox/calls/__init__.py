"""Graph cloud communications: the bot's calls into meetings, their comms notifications and
the prompts played in them."""
