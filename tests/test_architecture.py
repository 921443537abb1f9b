"""The layering holds: services know nothing of Slack, and no module of bot/ imports itself round a circle.

Read from the source with ast (module-level and function-level imports; TYPE_CHECKING blocks skipped),
so a lazy import inside a function cannot hide a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[1] / "bot"
SLACK_SIDE = ("bot.blocks", "bot.handlers", "slack_sdk", "slack_bolt")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(BOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(BOT.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported module) for every import in the file, at any depth, outside TYPE_CHECKING blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.append((node.lineno, sub if sub in MODULES else base))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _owner(name: str) -> str | None:
    """The bot module an import refers to (the longest known prefix), or None when outside bot."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for mod, path in MODULES.items():
        for _, name in _imports(path):
            target = _owner(name)
            if target is not None and target != mod and target != "bot":
                graph[mod].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    import sys
    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            strong(v)
    return sorted(out)


def test_services_import_nothing_of_slack() -> None:
    offenders = [f"{path.relative_to(BOT.parent)}:{line} imports {name}"
                 for mod, path in MODULES.items() if mod.startswith("bot.services")
                 for line, name in _imports(path)
                 if any(name == side or name.startswith(side + ".") for side in SLACK_SIDE)]
    assert offenders == [], "services must not import Slack code:\n" + "\n".join(offenders)


def test_no_import_cycles_in_bot() -> None:
    found = cycles(import_graph())
    assert found == [], "import cycles in bot/:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_the_checks_can_fail() -> None:
    """The cycle finder and the import reader see what they should (so a green run means something)."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    assert "bot.blocks.common" in import_graph()["bot.outbox_alerts"]


def _notice_names_used() -> set[tuple[str, str]]:
    """(file:line, name) of every notice a service names: notices.render/dm/post/update and outbox notice=..."""
    position = {"render": 0, "dm": 2, "post": 2, "update": 2}
    used: set[tuple[str, str]] = set()
    for mod, path in MODULES.items():
        if not mod.startswith("bot.services"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            where = f"{path.relative_to(BOT.parent)}:{node.lineno}"
            owner = node.func.value.id if isinstance(node.func.value, ast.Name) else None
            if owner == "notices" and node.func.attr in position and len(node.args) > position[node.func.attr]:
                arg = node.args[position[node.func.attr]]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    used.add((where, arg.value))
            for kw in node.keywords:
                if kw.arg == "notice" and isinstance(kw.value, ast.Constant):
                    used.add((where, kw.value.value))
    return used


def test_every_notice_a_service_names_has_a_renderer() -> None:
    import bot.blocks.notices  # noqa: F401 - registers the renderers
    from bot.services import notices

    used = _notice_names_used()
    assert len(used) > 20  # the reader found the call sites
    unknown = sorted(f"{where} names {name!r}" for where, name in used if name not in notices.registered())
    assert unknown == [], "notices without a renderer in bot/blocks/notices.py:\n" + "\n".join(unknown)


MAX_MODULE_LINES = 400


def test_no_module_in_bot_is_over_400_lines() -> None:
    """A module that grows past this is split by responsibility (docs/architecture.md)."""
    long = sorted(f"{path.relative_to(BOT.parent)}: {n} lines" for path in MODULES.values()
                  if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES)
    assert long == [], "modules over 400 lines:\n" + "\n".join(long)


def test_every_services_package_says_what_it_is() -> None:
    """Each domain package's __init__.py is a docstring of at most three lines and nothing else to import."""
    packages = sorted(p for p in (BOT / "services").iterdir() if (p / "__init__.py").exists())
    assert len(packages) >= 5
    for package in packages:
        tree = ast.parse((package / "__init__.py").read_text(encoding="utf-8"))
        doc = ast.get_docstring(tree)
        assert doc, f"{package.name}/__init__.py has no docstring"
        assert len(doc.strip().splitlines()) <= 4, f"{package.name}/__init__.py: keep it to three lines"
