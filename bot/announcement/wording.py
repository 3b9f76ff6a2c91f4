"""Wording rendered from the shared Jinja2 templates, with runs of whitespace made single spaces.

Spoken texts are whole templates in `templates/speech/`. A card's wording is a template in
`templates/cards/` that sets named parts (`{% set heading %}…{% endset %}`); the card is then
built from those parts with typed models, so template output never becomes JSON by itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from templates import environment


def _single_spaced(text: str) -> str:
    return " ".join(text.split())


def spoken_text(template: str, context: Mapping[str, object]) -> str:
    """The text of `templates/speech/<template>.txt.j2`, as one line to be read aloud."""
    rendered = environment().get_template(f"speech/{template}.txt.j2").render(context)
    return _single_spaced(rendered)


def chat_text(template: str, context: Mapping[str, object]) -> str:
    """The text of `templates/cards/<template>.txt.j2`, as one paragraph for a chat message."""
    rendered = environment().get_template(f"cards/{template}.txt.j2").render(context)
    return _single_spaced(rendered)


def card_wording(template: str, context: Mapping[str, object]) -> Mapping[str, str]:
    """The parts `templates/cards/<template>.j2` sets, by name."""
    module = environment().get_template(f"cards/{template}.j2").make_module(dict(context))
    return {
        name: _single_spaced(str(value))
        for name, value in vars(module).items()
        if not name.startswith("_")
    }
