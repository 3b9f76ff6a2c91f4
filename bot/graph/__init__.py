"""The bot's Microsoft Graph client: msgraph-sdk with an msal-backed app-only credential."""
