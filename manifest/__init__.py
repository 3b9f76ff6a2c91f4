"""The Teams app package's files: the manifest template (`manifest.json.j2`) and its two icons.

`bot.teams` renders the template from configuration and zips it with the icons; this package
only ships them, as package data.
"""
