"""The Bot Framework's token issuer: signing keys, OpenID metadata and the tokens Teams and
the calling service send the bot."""
