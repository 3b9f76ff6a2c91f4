"""Every audit action the code can write has a sentence, and every detail it writes has words
(or is hidden), found by reading the source of bot/ and consent_store/: a new action or detail
cannot be added without its words."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.policy.blockers import BlockerCode
from bot.policy.recording_backstop import BackstopReason
from bot.web.meeting_page import ATTENTION_WORDS
from templates.audit_words import (
    ACTION_SENTENCES,
    BACKSTOP_WORDS,
    BLOCKER_WORDS,
    DETAIL_WORDS,
    HIDDEN_DETAILS,
    OTHER_REASON_WORDS,
    action_sentence,
    detail_sentences,
)

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("bot", "consent_store")


class Unresolved(Exception):
    """An audit action whose value the source does not spell out."""


@dataclass
class _Module:
    path: Path
    tree: ast.Module
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    tables: dict[str, ast.Dict] = field(default_factory=dict)
    imported: dict[str, tuple[str, str]] = field(default_factory=dict)

    def where(self, node: ast.AST) -> str:
        return f"{self.path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"


def _modules() -> dict[str, _Module]:
    modules = {}
    for source in SOURCES:
        for path in sorted((ROOT / source).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            module = _Module(path, tree)
            for node in ast.walk(tree):
                for child in ast.iter_child_nodes(node):
                    module.parents[child] = node
            for statement in tree.body:
                target, value = _assigned(statement)
                if target and isinstance(value, ast.Constant) and isinstance(value.value, str):
                    module.constants[target] = value.value
                if target and isinstance(value, ast.Dict):
                    module.tables[target] = value
                if isinstance(statement, ast.ImportFrom) and statement.module:
                    for alias in statement.names:
                        module.imported[alias.asname or alias.name] = (
                            statement.module,
                            alias.name,
                        )
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            modules[name] = module
    return modules


def _assigned(statement: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        target = statement.targets[0]
        return (target.id if isinstance(target, ast.Name) else None), statement.value
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return statement.target.id, statement.value
    return None, None


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _enclosing_function(
    module: _Module, node: ast.AST
) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    while node in module.parents:
        node = module.parents[node]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return node
    return None


class _Resolver:
    def __init__(self, modules: dict[str, _Module]) -> None:
        self._modules = modules

    def strings(self, module: _Module, expr: ast.expr) -> set[str]:
        """Every string `expr` can be, following constants, imports, a module's dict looked
        up, and the arguments given for a parameter by the calls of its function, in its own
        module and in the modules that import it."""
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return {expr.value}
        if isinstance(expr, ast.IfExp):
            return self.strings(module, expr.body) | self.strings(module, expr.orelse)
        if isinstance(expr, ast.Name):
            return self._name(module, expr)
        if isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Name):
            table = module.tables.get(expr.value.id)
            if table is not None:
                return {s for value in table.values for s in self.strings(module, value)}
        raise Unresolved(f"{module.where(expr)}: {ast.unparse(expr)}")

    def _name(self, module: _Module, name: ast.Name) -> set[str]:
        function = _enclosing_function(module, name)
        if function is not None:
            parameters = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
            if name.id in parameters:
                return self._arguments(module, function, parameters.index(name.id), name.id)
        if name.id in module.constants:
            return {module.constants[name.id]}
        if name.id in module.imported:
            source, original = module.imported[name.id]
            if source in self._modules and original in self._modules[source].constants:
                return {self._modules[source].constants[original]}
        raise Unresolved(f"{module.where(name)}: {name.id}")

    def _arguments(
        self,
        module: _Module,
        function: ast.FunctionDef | ast.AsyncFunctionDef,
        index: int,
        parameter: str,
    ) -> set[str]:
        method = bool(function.args.args) and function.args.args[0].arg == "self"
        found: set[str] = set()
        for caller, called in self._callers(module, function.name):
            for node in ast.walk(caller.tree):
                if not (isinstance(node, ast.Call) and _called_name(node) == called):
                    continue
                position = index - 1 if method else index
                given = [k.value for k in node.keywords if k.arg == parameter]
                if not given and position < len(node.args):
                    given = [node.args[position]]
                for argument in given:
                    found |= self.strings(caller, argument)
        if not found:
            raise Unresolved(f"{module.where(function)}: no call gives {parameter}")
        return found

    def _callers(self, module: _Module, function: str) -> Iterator[tuple[_Module, str]]:
        """The module itself and each module importing `function` from it, with the name it
        calls the function by there."""
        yield module, function
        name = ".".join(module.path.relative_to(ROOT).with_suffix("").parts)
        for other in self._modules.values():
            for local, (source, original) in other.imported.items():
                if source == name and original == function:
                    yield other, local


def _audit_calls(modules: dict[str, _Module]) -> Iterator[tuple[_Module, ast.Call]]:
    for module in modules.values():
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Call) and _called_name(node) == "AuditEvent":
                yield module, node


def audited_actions() -> dict[str, str]:
    """Each action the code can audit, with where."""
    modules = _modules()
    resolver = _Resolver(modules)
    actions: dict[str, str] = {}
    for module, call in _audit_calls(modules):
        given = call.args[0] if call.args else next(k.value for k in call.keywords if k.arg)
        for action in resolver.strings(module, given):
            actions.setdefault(action, module.where(call))
    return actions


def _literal_keys(expr: ast.expr | None) -> set[str]:
    if not isinstance(expr, ast.Dict):
        return set()
    return {k.value for k in expr.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}


def audited_detail_keys() -> dict[str, str]:
    """Each detail key written in a dict given to `AuditEvent`, built up in a variable named
    `detail`, or returned by an `audit_detail` method, with where."""
    modules = _modules()
    keys: dict[str, str] = {}
    for module, call in _audit_calls(modules):
        for keyword in call.keywords:
            if keyword.arg == "detail":
                for key in _literal_keys(keyword.value):
                    keys.setdefault(key, module.where(call))
    for module in modules.values():
        for node in ast.walk(module.tree):
            found: set[str] = set()
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name) and target.id == "detail":
                        found |= _literal_keys(node.value)
                    if (
                        isinstance(target, ast.Subscript)
                        and isinstance(target.value, ast.Name)
                        and target.value.id == "detail"
                        and isinstance(target.slice, ast.Constant)
                    ):
                        found.add(str(target.slice.value))
            if isinstance(node, ast.FunctionDef) and node.name == "audit_detail":
                for statement in ast.walk(node):
                    if isinstance(statement, ast.Return):
                        found |= _literal_keys(statement.value)
            for key in found:
                keys.setdefault(key, module.where(node))
    return keys


def test_every_action_the_code_audits_has_a_sentence() -> None:
    actions = audited_actions()
    # Actions written only through helpers, constants and conditionals are found too.
    assert {
        "call.not_spoken",
        "job.failed",
        "meeting.cancellation_sent",
        "meeting.safeguarding_hold_lifted",
        "recording.found_without_consent",
        "recording.sight_lost",
        "subject_access.sent",
    } <= set(actions)
    missing = {a: where for a, where in actions.items() if a not in ACTION_SENTENCES}
    assert missing == {}


def test_every_detail_the_code_audits_has_words_or_is_hidden() -> None:
    keys = audited_detail_keys()
    assert {"unseen_seconds", "blockers", "found_by", "attendees_added"} <= set(keys)
    unworded = {
        key: where
        for key, where in keys.items()
        if key not in DETAIL_WORDS
        and key not in HIDDEN_DETAILS
        and not key.endswith(("_id", "_ids"))
    }
    assert unworded == {}


def test_every_reason_a_gate_or_the_backstop_gives_has_words() -> None:
    assert set(BLOCKER_WORDS) == {code.value for code in BlockerCode}
    assert set(BACKSTOP_WORDS) == {reason.value for reason in BackstopReason}
    assert set(ATTENTION_WORDS) <= set(OTHER_REASON_WORDS)


@pytest.mark.parametrize(
    ("action", "detail", "words"),
    [
        (
            "call.not_spoken",
            {"reason": "call_ended"},
            (
                "Something the bot had to say in the meeting's call was not said.",
                "why: the call had ended before its turn came",
            ),
        ),
        (
            "call.not_spoken",
            {"reason": "not_in_call"},
            (
                "Something the bot had to say in the meeting's call was not said.",
                "why: the bot was not in the call",
            ),
        ),
        (
            "recording.sight_lost",
            {"unseen_seconds": 200},
            (
                "For a while after the meeting started, the bot could not see who was in it (it"
                " was restarting, or could not store what Teams sent), so recording stays off"
                " until the meeting ends.",
                "the bot could not see who was in the meeting for 3 minutes 20 seconds",
            ),
        ),
    ],
)
def test_new_actions_and_their_reasons_read_as_sentences(
    action: str, detail: dict[str, object], words: tuple[str, ...]
) -> None:
    assert (action_sentence(action), *detail_sentences(json.dumps(detail))) == words
