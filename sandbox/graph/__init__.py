"""The subset of Microsoft Graph v1.0 the bot uses, served under `/v1.0`."""
