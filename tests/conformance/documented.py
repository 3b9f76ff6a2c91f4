"""Microsoft's documented JSON examples, kept as fixtures: each file's `_source` names where it
comes from and every edit made to it (see README.md); `documented` gives the body as sent."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


def documented(name: str) -> dict[str, Any]:
    """The fixture `name` (a path under tests/conformance/) without its `_source`."""
    body: dict[str, Any] = json.loads((HERE / name).read_text())
    source = body.pop("_source")
    assert source["url"], f"{name} names no source"
    assert source["checked"], f"{name} says not when it was checked"
    return body


def documented_request(name: str) -> dict[str, Any]:
    """The documented request the fixture `name` answers (`_source.request`: method, url,
    headers and body as Microsoft's example sends them)."""
    body: dict[str, Any] = json.loads((HERE / name).read_text())
    request: dict[str, Any] = body["_source"]["request"]
    return request


def missing_keys(documented: object, answer: object, absent: Iterable[str] = ()) -> set[str]:
    """The key paths of `documented` that `answer` lacks, but for those under the paths in
    `absent` (objects the answer writes as null, for a reason the caller states)."""
    under = tuple(f"{path}." for path in absent) + tuple(f"{path}[]" for path in absent)
    return {
        path for path in key_paths(documented) - key_paths(answer) if not path.startswith(under)
    }


def key_paths(value: object, prefix: str = "") -> set[str]:
    """Every key path in `value` (list items share their list's path, `[]`)."""
    if isinstance(value, dict):
        paths = set()
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            paths |= {path} | key_paths(item, path)
        return paths
    if isinstance(value, list):
        return set().union(*(key_paths(item, f"{prefix}[]") for item in value))
    return set()
