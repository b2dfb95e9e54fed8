"""The shape of the code base, checked: no import cycles among the project's own modules
(module-level and function-level imports alike), no module over the size limit, and test
fakes in one module."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "ingest", "kg", "index", "qa", "evaluation", "web", "parallel")
TOP_MODULES = ("app.py", "pipeline.py")
MAX_LINES = 420
# modules allowed past MAX_LINES, each with its reason (aim: none)
LONG_MODULES: dict[str, str] = {}
# cycles known and reported to the package's owner, each with its reason (aim: none); the test
# fails on any other cycle, and when a known one is gone (remove it here)
KNOWN_CYCLES: dict[tuple[str, ...], str] = {}
FAKES_MODULE = "tests/fakes.py"


def _module_files() -> dict[str, Path]:
    """Dotted name -> file of every application module (tests excluded)."""
    out = {}
    for name in TOP_MODULES:
        out[name[:-3]] = ROOT / name
    for pkg in PACKAGES:
        for f in sorted((ROOT / pkg).rglob("*.py")):
            rel = f.relative_to(ROOT).with_suffix("")
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            out[".".join(parts)] = f
    return out


def _type_checking_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def _imports(name: str, path: Path, modules: set[str]) -> set[str]:
    """Project modules that `name` imports anywhere in its file (at module level or inside a
    function), except under `if TYPE_CHECKING:`; `from pkg import sub` counts as pkg.sub."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {c: p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
    is_pkg = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)) or _type_checking_only(node, parents):
            continue
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            base = node.module or ""
            if node.level:
                pkg = name.split(".") if is_pkg else name.split(".")[:-1]
                pkg = pkg[:len(pkg) - node.level + 1]
                base = ".".join(pkg + ([base] if base else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                       for a in node.names]
        for t in targets:
            while t and t not in modules:           # import a.b.c of a non-module attribute
                t = t.rpartition(".")[0]
            if t and t != name:
                out.add(t)
    return out


def import_graph() -> dict[str, set[str]]:
    files = _module_files()
    return {n: _imports(n, f, set(files)) for n, f in files.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        out.append(sorted(comp))
    return out


def test_cycle_finder_finds_a_cycle():
    g = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(g) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_import_walker_sees_function_level_and_relative_imports(tmp_path):
    f = tmp_path / "m.py"
    f.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import p.t\n"
                 "def g():\n    from . import s\n    import p.q.attr\n", encoding="utf-8")
    assert _imports("p.m", f, {"p", "p.m", "p.s", "p.q", "p.t"}) == {"p.s", "p.q"}


def test_no_import_cycles():
    found = {tuple(c) for c in cycles(import_graph())}
    new = sorted(found - set(KNOWN_CYCLES))
    assert not new, "import cycles: " + "; ".join(" <-> ".join(c) for c in new)
    gone = sorted(set(KNOWN_CYCLES) - found)
    assert not gone, f"no longer cycles, remove from KNOWN_CYCLES: {gone}"


SUBPACKAGES = ("kg.sparql", "index.encoders", "web.http", "web.ui")


def _package(module: str) -> str:
    """The package a module belongs to, sub-packages of SUBPACKAGES counted on their own."""
    return next((s for s in SUBPACKAGES if module == s or module.startswith(s + ".")),
                module.split(".")[0])


def test_packages_form_layers():
    """Between packages too there is no cycle, and core/ (shared by all) imports no stage."""
    graph: dict[str, set[str]] = {}
    for a, targets in import_graph().items():
        graph.setdefault(_package(a), set())
        graph[_package(a)] |= {_package(b) for b in targets} - {_package(a)}
    assert not cycles(graph), cycles(graph)
    assert graph["core"] == set(), f"core imports {graph['core']}"


BUILD_STAGES = ("pipeline", "ingest", "kg", "index")


def _reach(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for m in graph.get(todo.pop(), ()):
            if m not in seen:
                seen.add(m)
                todo.append(m)
    return seen


def test_the_build_never_imports_question_answering():
    """What the build writes (sentence vectors included) is defined by the build's stages:
    pipeline, ingest, kg and index reach no qa/ module, directly or through others."""
    graph = import_graph()
    bad = {m: sorted(x for x in _reach(graph, m) if _package(x) == "qa")
           for m in graph if _package(m) in BUILD_STAGES or m.split(".")[0] in BUILD_STAGES}
    bad = {m: qa for m, qa in bad.items() if qa}
    assert not bad, f"build modules reaching qa/: {bad}"


ONE_HOME = {"unicodedata.normalize": "core/zh.py",       # NFKC and the matching form
            "def sentence_spans": "ingest/sentences.py"}  # the sentence cut answers quote


def test_one_home_per_concept():
    """Normalisation and sentence splitting are written once; every stage imports them."""
    elsewhere = []
    for f in _module_files().values():
        rel = str(f.relative_to(ROOT))
        text = f.read_text(encoding="utf-8")
        elsewhere += [f"{rel}: {what}" for what, home in ONE_HOME.items()
                      if what in text and rel != home]
    assert not elsewhere, f"written outside its home: {elsewhere}"


def test_no_module_over_the_size_limit():
    long = {}
    for f in [*_module_files().values(), *sorted((ROOT / "tests").rglob("*.py"))]:
        rel = str(f.relative_to(ROOT))
        n = len(f.read_text(encoding="utf-8").splitlines())
        if n > MAX_LINES and rel not in LONG_MODULES:
            long[rel] = n
    assert not long, f"modules over {MAX_LINES} lines: {long}"
    stale = [m for m in LONG_MODULES
             if len((ROOT / m).read_text(encoding="utf-8").splitlines()) <= MAX_LINES]
    assert not stale, f"no longer over the limit, remove from LONG_MODULES: {stale}"


def _fakes(tree: ast.AST) -> list[ast.AST]:
    """Classes named ...Fake... and functions named fake_... (fixtures that hand out a fake
    are not fakes themselves)."""
    out = []
    for n in ast.walk(tree):
        if isinstance(n, ast.ClassDef) and "Fake" in n.name:
            out.append(n)
        elif isinstance(n, ast.FunctionDef) and n.name.startswith("fake_") and \
                not any("fixture" in ast.unparse(d) for d in n.decorator_list):
            out.append(n)
    return out


def test_fakes_live_in_one_module():
    elsewhere = []
    for f in sorted((ROOT / "tests").rglob("*.py")):
        rel = str(f.relative_to(ROOT))
        if rel != FAKES_MODULE:
            elsewhere += [f"{rel}:{n.lineno} {n.name}"
                          for n in _fakes(ast.parse(f.read_text(encoding="utf-8")))]
    assert not elsewhere, f"fakes outside {FAKES_MODULE}: {elsewhere}"


def test_the_application_never_imports_tests():
    files = _module_files()
    known = set(files) | {"tests", "tests.fakes"}
    into_tests = sorted(n for n, f in files.items()
                        if any(t.split(".")[0] == "tests" for t in _imports(n, f, known)))
    assert not into_tests, f"application modules importing tests: {into_tests}"


def test_one_conftest_per_test_package():
    for conf in (ROOT / "tests").rglob("conftest.py"):
        assert (conf.parent / "__init__.py").is_file(), f"{conf} is not in a test package"


def test_readme_layout_names_every_package():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = text.split("\n## Layout", 1)[1].split("\n## ", 1)[0]
    packages = {str(f.parent.relative_to(ROOT)) for pkg in PACKAGES
                for f in (ROOT / pkg).rglob("*.py")}
    missing = sorted(p for p in packages if f"`{p}/`" not in layout)
    assert not missing, f"README Layout does not name: {missing}"
    assert all(f"`{m}`" in layout for m in TOP_MODULES)
