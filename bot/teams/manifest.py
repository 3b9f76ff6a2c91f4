"""The Teams app manifest: rendered from `manifest/manifest.json.j2` and the package inputs."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from bot.teams.inputs import ManifestInputs
from bot.teams.permissions import RSC_PERMISSIONS

PACKAGE_FILES = "manifest"
"""The top-level package holding the manifest template and the icons, shipped as package data."""

ICONS = {"color": "color.png", "outline": "outline.png"}
"""The manifest's icons: 192x192 full colour, and 32x32 white on transparent."""

_ELLIPSIS = "…"
_LOOSE_ENDS = " \t\n,;:.-–—"


def fit(text: str, limit: int) -> str:
    """`text` on one line, cut at a word boundary with an ellipsis if longer than `limit`."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    kept = text[: limit - len(_ELLIPSIS)]
    if kept and not kept[-1].isspace() and not text[len(kept)].isspace():
        words = kept.rsplit(maxsplit=1)
        if len(words) == 2:
            kept = words[0]
    return kept.rstrip(_LOOSE_ENDS) + _ELLIPSIS


def package_file(name: str) -> Traversable:
    """A file shipped in the app package folder, such as an icon."""
    return files(PACKAGE_FILES).joinpath(name)


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader(PACKAGE_FILES, ""),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    environment.filters["fit"] = fit
    return environment


def render_manifest(inputs: ManifestInputs) -> dict[str, object]:
    """The manifest as a JSON object."""
    text = (
        _environment()
        .get_template("manifest.json.j2")
        .render(inputs=inputs, icons=ICONS, rsc_permissions=RSC_PERMISSIONS)
    )
    manifest: dict[str, object] = json.loads(text)
    return manifest
