"""Microsoft Teams: the app package and, later, the Agents SDK handlers."""
