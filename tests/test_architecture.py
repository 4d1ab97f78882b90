"""The shape of the code: no import cycle between the portal's modules, and a feature added as
docs/architecture.md describes it (its own folder plus one line in the feature list) works."""
from __future__ import annotations

import ast
import re
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from portal import FEATURES, demo
from portal.db import get_session

ROOT = Path(__file__).resolve().parents[1]


# --- the import graph ---------------------------------------------------------------------------

def _modules() -> dict[str, Path]:
    found = {}
    for path in (ROOT / "portal").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for sub in node.body:
                lines.update(range(sub.lineno, (sub.end_lineno or sub.lineno) + 1))
    return lines


def import_graph() -> dict[str, set[str]]:
    """module → the portal modules its imports load: every import (also inside functions, not those
    only for type checkers), and the packages a dotted import runs on the way (their __init__)."""
    modules = _modules()

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        skip = _type_checking_lines(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom) or node.lineno in skip:
                continue
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            for target in targets:
                if not target.startswith("portal"):
                    continue
                module = resolve(target)
                while module and module != "portal":  # the module and every package above it run
                    if module != name and not name.startswith(module + "."):
                        edges[name].add(module)
                    module = module.rpartition(".")[0]
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
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

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(set(edges) | {w for ws in edges.values() for w in ws}):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}}) == []


def test_the_import_graph_sees_imports_inside_functions_and_the_packages_they_load():
    edges = import_graph()
    assert len(edges) > 100
    assert "portal.review.dossier" in edges["portal.trainings.dossier"]  # a top-level import
    assert "portal.mail" in edges["portal.commands"]
    assert "portal.storage.s3" in edges["portal.storage"]  # an import inside a function
    assert "portal.auth" in edges["portal.review.views"]  # `from portal.auth import permissions` runs portal/auth/__init__


def test_no_import_cycle_between_portal_modules():
    found = cycles(import_graph())
    assert found == [], "Import-Zyklen: " + "; ".join(" ↔ ".join(c) for c in found)


def test_feature_packages_load_nothing_when_one_of_their_modules_is_imported():
    """A feature's __init__.py holds its docstring only; what it adds is declared in feature.py."""
    for name in FEATURES:
        init = ROOT / Path(*name.split(".")) / "__init__.py"
        tree = ast.parse(init.read_text(encoding="utf-8"))
        assert [type(node).__name__ for node in tree.body] == ["Expr"], init
        assert (init.parent / "feature.py").exists(), init.parent


# --- a feature added as the docs say ------------------------------------------------------------

def example_files() -> dict[str, str]:
    """The files of the example in docs/architecture.md, "Adding a feature": a line naming the file
    in backticks, then its fenced block."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## Adding a feature", 1)[1]
    return {m.group(1): m.group(2) for m in re.finditer(r"^`(beispiel/[\w/.]+)`:\n\n```\w+\n(.*?)```", section, re.S | re.M)}


@pytest.fixture(scope="module")
def example_package(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pkgs")
    for name, content in example_files().items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    return folder


@pytest.fixture
def app_features(example_package, monkeypatch) -> list[str]:
    """The portal's features and the example, as if its one line were in FEATURES."""
    monkeypatch.syspath_prepend(str(example_package))
    return [*FEATURES, "beispiel"]


def test_the_docs_example_names_every_file_of_a_feature():
    assert set(example_files()) == {"beispiel/__init__.py", "beispiel/views.py", "beispiel/cli.py",
                                    "beispiel/feature.py", "beispiel/templates/beispiel/index.html",
                                    "beispiel/templates/beispiel/_start.html"}


def test_a_feature_added_as_documented_appears_everywhere(app, client, runner, db, login_as):
    assert [e for e in app.config["NAVIGATION"] if e[0] == "beispiel.index"] == [
        ("beispiel.index", "Beispiel", ("integrationsbuero",), "Auswertungen")]
    # after the other Auswertungen entries (order 90), before Stammdaten
    endpoints = [e[0] for e in app.config["NAVIGATION"]]
    assert endpoints.index("bericht.index") < endpoints.index("beispiel.index") < endpoints.index("measures.catalogue_list")
    assert app.config["START_SECTIONS"][-1] == "beispiel/_start.html"

    assert app.test_client().get("/beispiel/").status_code == 302  # the access rule holds: sign in first
    login_as("integrationsbuero")
    start = client.get("/").get_data(as_text=True)
    assert 'href="/beispiel/"' in start and 'id="beispiel-start"' in start
    page = client.get("/beispiel/")
    assert page.status_code == 200 and "Eine Seite des Beispiels." in page.get_data(as_text=True)
    login_as("beschaeftigte", username="jemand")
    assert 'href="/beispiel/"' not in client.get("/").get_data(as_text=True)  # the entry's roles hold

    result = runner.invoke(args=["beispiel"])
    assert result.exit_code == 0 and result.output == "Hallo aus dem Beispiel.\n"
    with app.app_context():
        lines = demo.load(get_session())
    assert lines[-1] == "Beispiel: nichts zu laden"
