"""A local stand-in for a Microsoft 365 tenant: Entra ID sign-in and tokens, the subset of
Microsoft Graph the bot uses (meetings, mail, files, calls), mailboxes, the Bot Framework
channel and Bot Connector, and live Teams meetings to drive, served by aiohttp for demos and
end-to-end tests. The product's real SDKs run against it unchanged; only base URLs and keys
differ."""
