"""The bot's HTTP surface: the health check and the staff pages (also the Teams personal tab);
the bot's own endpoints as they are built."""
