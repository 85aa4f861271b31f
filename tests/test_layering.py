"""The house stays as drawn: data flows one way and every concept has one room.

Reads every module's imports (late imports inside functions included) from
the source and asserts the layering rules of docs/architecture.md:

- ``archive`` imports nothing of ours; ``indexer`` nothing outside ``indexer``;
- the Whoosh machinery is reached only through ``paragraf/wiring.py``;
  engine-neutral ``indexer`` modules never import it;
- ``search_api`` and ``ui`` never import each other, nor the application
  around them, only what lies below both (``web_common``);
- no module imports itself back through others (no import circles).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Repository folder -> the package it is installed as (pyproject.toml's package-dir).
FOLDERS = {"paragraf": "paragraf_se", "archive": "paragraf_se.archive",
           "indexer": "paragraf_se.indexer", "search_api": "paragraf_se.search_api",
           "ui": "paragraf_se.ui"}


def _modules() -> dict[str, Path]:
    out = {}
    for folder, package in FOLDERS.items():
        for path in sorted((REPO / folder).rglob("*.py")):
            parts = list(path.relative_to(REPO / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join([package, *parts])] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Every module of ours that ``name`` imports, resolved to a module in MODULES."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            if node.level:  # relative imports are not used, but resolve them anyway
                package = name.rsplit(".", node.level)[0]
                base = f"{package}.{base}"
            targets = [f"{base}.{a.name}" for a in node.names] + [base]
        for target in targets:
            # "from pkg import module" names a module; "from module import name" does not.
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target.startswith("paragraf_se") and target != name:
                found.add(target)
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _offences(rule) -> list[str]:
    return sorted(f"{m} imports {t}" for m, targets in GRAPH.items() for t in targets
                  if rule(m, t))


def test_the_source_was_read():
    assert len(MODULES) > 100
    assert "paragraf_se.indexer.whoosh.index" in GRAPH["paragraf_se.wiring"]


def test_archive_imports_nothing_of_ours():
    assert _offences(lambda m, t: _in(m, "paragraf_se.archive")
                     and not _in(t, "paragraf_se.archive")) == []


def test_indexer_imports_only_indexer():
    assert _offences(lambda m, t: _in(m, "paragraf_se.indexer")
                     and not _in(t, "paragraf_se.indexer")) == []


def test_engine_internals_stay_behind_the_boundary():
    def outside(m: str, t: str) -> bool:
        return (_in(t, "paragraf_se.indexer.whoosh") and not _in(m, "paragraf_se.indexer.whoosh")
                and m != "paragraf_se.wiring")
    assert _offences(outside) == []


@pytest.mark.parametrize("adapter,other", [("paragraf_se.search_api", "paragraf_se.ui"),
                                           ("paragraf_se.ui", "paragraf_se.search_api")])
def test_web_adapters_stand_on_shared_pieces_only(adapter, other):
    allowed = ("paragraf_se.indexer", "paragraf_se.archive", "paragraf_se.web_common", adapter)

    def wrong(m: str, t: str) -> bool:
        return _in(m, adapter) and not any(_in(t, a) for a in allowed)
    assert _offences(wrong) == []
    assert _offences(lambda m, t: _in(m, adapter) and _in(t, other)) == []


def test_web_common_is_below_both_adapters():
    allowed = ("paragraf_se.indexer", "paragraf_se.archive", "paragraf_se.web_common")
    assert _offences(lambda m, t: _in(m, "paragraf_se.web_common")
                     and not any(_in(t, a) for a in allowed)) == []


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(GRAPH.get(v, ())):
            # A package's __init__ is imported with any of its modules; edges into
            # a package mean its __init__, which holds no code of ours.
            if w not in GRAPH:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    return found


def test_no_import_circles():
    assert _cycles() == []


def test_one_place_constructs_the_engine():
    constructing = sorted(
        name for name, path in MODULES.items()
        if "WhooshIndex(" in path.read_text(encoding="utf-8")
        and not _in(name, "paragraf_se.indexer.whoosh"))
    assert constructing == ["paragraf_se.wiring"]
