"""The Bot Connector service the bot answers through (its `serviceUrl`), under `/connector`."""
