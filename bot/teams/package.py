"""The Teams app package: a zip of `manifest.json` and the two icons it names, at the zip's root.

The archive is reproducible: the same inputs give the same bytes.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from bot.teams.inputs import ManifestInputs
from bot.teams.manifest import ICONS, package_file, render_manifest

_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
_READABLE = 0o644 << 16


def build_package(inputs: ManifestInputs) -> bytes:
    """The package as zip bytes."""
    manifest = json.dumps(render_manifest(inputs), indent=2, ensure_ascii=False) + "\n"
    members = {"manifest.json": manifest.encode()}
    for name in ICONS.values():
        members[name] = package_file(name).read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            member = zipfile.ZipInfo(name, date_time=_TIMESTAMP)
            member.external_attr = _READABLE
            archive.writestr(member, data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def write_package(inputs: ManifestInputs, path: Path) -> None:
    """Build the package and write it to `path`; an `OSError` means `path` is not writable."""
    path.write_bytes(build_package(inputs))
