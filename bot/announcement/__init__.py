"""What the bot says when a meeting starts, and its short notices, spoken and as chat cards.

Composing is pure: the same service, staff name and decisions always give the same words. All
wording comes from `templates/speech/` and `templates/cards/`; the only person named is the
staff member, and no case details appear.
"""
