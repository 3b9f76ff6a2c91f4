"""Valid Teams app package inputs for a made-up service, for tests to vary."""

from __future__ import annotations

from bot.teams.inputs import ManifestInputs

APP_ID = "6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
PUBLIC_URL = "https://iass-bot.example.org"


def make_inputs(**changes: str) -> ManifestInputs:
    """Valid inputs with `changes` applied."""
    values = {
        "app_id": APP_ID,
        "version": "1.2.3",
        "public_url": PUBLIC_URL,
        "app_name": "IASS meeting companion",
        "service_name": "Example SEND Information, Advice and Support Service",
        "service_short_name": "Example SEND IASS",
        "what_we_do": "Impartial and confidential information, advice and support.",
        "phone": "01234 567890",
        "email": "iass@example.org",
        "website": "https://iass.example.org",
        "privacy_url": "https://iass.example.org/privacy",
        "terms_url": "https://iass.example.org/terms",
    }
    return ManifestInputs(**(values | changes))
