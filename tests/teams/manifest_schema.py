"""Microsoft's Teams manifest JSON schemas, kept in `tests/teams/schemas/` (copied unchanged from
the project's `../shared/schemas`, so a clone tests alone), as jsonschema validators.

The schemas are draft-04, and from v1.23 on some patterns use `\\p{L}`, which the stdlib `re`
cannot compile: the validators check `pattern` (and the `regex` format) with the `regex` module.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import regex
from jsonschema import Draft4Validator, FormatChecker, ValidationError, validators
from jsonschema.protocols import Validator

SCHEMAS = Path(__file__).resolve().parent / "schemas" / "teams-manifest"


def _pattern(
    validator: Validator, pattern: str, instance: object, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not regex.search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _is_regex(instance: object) -> bool:
    if isinstance(instance, str):
        regex.compile(instance)
    return True


FORMAT_CHECKER = FormatChecker()
FORMAT_CHECKER.checks("regex", raises=regex.error)(_is_regex)

ManifestValidator = validators.extend(Draft4Validator, {"pattern": _pattern})


def schema(version: str) -> dict[str, Any]:
    """The Teams manifest schema of `version` (such as "1.24")."""
    loaded: dict[str, Any] = json.loads(
        (SCHEMAS / f"v{version}" / "MicrosoftTeams.schema.json").read_text(encoding="utf-8")
    )
    return loaded


def validator(version: str) -> Validator:
    """A validator for manifests of `version`, with the `regex`-based pattern check."""
    return ManifestValidator(schema(version), format_checker=FORMAT_CHECKER)


def problems(manifest: object, version: str) -> list[str]:
    """Every way `manifest` breaks the schema of `version`, one line each."""
    return [
        f"{'/'.join(str(part) for part in error.absolute_path)}: {error.message}"
        for error in validator(version).iter_errors(manifest)
    ]
