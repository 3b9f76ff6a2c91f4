"""The staff pages' markup for the components tests look for (GOV.UK Frontend's classes), so a
test says what a person sees ("Status: Cancelled") without spelling out the classes."""

from __future__ import annotations


def row(key: str, value: str = "") -> str:
    """A summary list row with `key`, its value starting with `value`."""
    return (
        f'<dt class="govuk-summary-list__key">{key}</dt>'
        f'<dd class="govuk-summary-list__value">{value}'
    )


def link(href: str, text: str) -> str:
    return f'<a class="govuk-link" href="{href}">{text}</a>'


def heading(text: str) -> str:
    return f'<h1 class="govuk-heading-l">{text}</h1>'
