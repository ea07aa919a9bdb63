"""The layout holds: the runtime package imports no development tool, and its parts import each other
in one direction.

Read from the source with ``ast`` (nothing is imported), every import counted, the lazy ones inside
functions too. A node of the graph is a top-level part of ``auditor/``: a stage folder (``checks``,
``severity``, …) or a loose module (``pipeline``, ``cli``, …). ``auditor/__init__.py`` is left out: it is
the package's face (``audit_text`` and friends forwarded lazily to ``pipeline``) and holds ``__version__``,
which the stages read.
Run ``python tests/test_layout.py`` to print the graph.
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PKG = REPO / "auditor"
LAB = "auditor_lab"
LAB_ENTRY = PKG / "cli.py"  # the one module that may reach the lab: `auditor train` and `auditor eval`, lazily

# The stages in the order of flow: a stage imports only the stages before it.
STAGES = ("ingest", "template", "tables", "claims", "checks", "severity", "render")


def _module_parts(path: Path) -> list[str]:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _imports(path: Path) -> list[tuple[str, int]]:
    """Absolute names of every module (or ``package.name``) the file imports, with line numbers."""
    parts = _module_parts(path)
    package = parts if path.name == "__init__.py" else parts[:-1]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module != "auditor":  # `from .. import errors` names the module errors, not auditor/__init__.py
                out.append((module, node.lineno))
            out += [(f"{module}.{a.name}", node.lineno) for a in node.names]
    return out


def _node(name: str) -> str | None:
    """The top-level part of auditor/ a module name belongs to (None outside the package)."""
    parts = name.split(".")
    if parts[0] != "auditor":
        return None
    if len(parts) == 1:
        return "__init__"
    top = parts[1]
    if (PKG / top).is_dir() or (PKG / f"{top}.py").is_file():
        return top
    return "__init__"  # a name defined in auditor/__init__.py (`from . import __version__`)


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in sorted(PKG.rglob("*.py")):
        src = _node(".".join(_module_parts(path)))
        if src == "__init__":
            continue
        graph.setdefault(src, set())
        for name, _ in _imports(path):
            dst = _node(name)
            if dst and dst not in (src, "__init__"):
                graph[src].add(dst)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected parts of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on.discard(w)
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_only_the_cli_imports_the_lab():
    offenders = [f"{path.relative_to(REPO)}:{line}: {name}"
                 for path in sorted(PKG.rglob("*.py")) if path != LAB_ENTRY
                 for name, line in _imports(path) if name == LAB or name.startswith(LAB + ".")]
    assert not offenders, "auditor/ must not import the development tools:\n" + "\n".join(offenders)


def test_the_cli_imports_the_lab_only_inside_a_command():
    tree = ast.parse(LAB_ENTRY.read_text(encoding="utf-8"))
    top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert not [n for n in top if any(a.name.startswith(LAB) for a in n.names)
                or (isinstance(n, ast.ImportFrom) and (n.module or "").startswith(LAB))]


def test_the_lab_is_not_in_the_wheel():
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'include = ["auditor", "auditor.*"]' in text  # "auditor*" would take auditor_lab too


def test_the_parts_of_auditor_import_each_other_without_a_cycle():
    graph = import_graph()
    assert {"ingest", "tables", "claims", "checks", "severity", "render", "pipeline"} <= set(graph)
    found = cycles(graph)
    assert not found, f"import cycles: {[sorted(c) for c in found]}\n{_show(graph)}"


def test_each_stage_imports_only_the_stages_before_it():
    graph = import_graph()
    for i, stage in enumerate(STAGES):
        later = set(graph.get(stage, ())) & set(STAGES[i + 1:])
        assert not later, f"{stage} reaches forward to {sorted(later)}"


def test_eval_and_train_without_the_lab_say_how_to_install_it():
    # the lab hidden from the import system: what a user of the wheel alone sees
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    for args in (["eval", str(REPO / "corpora" / "sample")], ["eval", "--mutate", str(REPO / "corpora" / "sample")],
                 ["train"]):
        code = ("import sys; sys.modules['auditor_lab'] = None; "
                f"sys.argv = ['auditor', *{args!r}]; from auditor.cli import main; main()")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env,
                             cwd=REPO)
        assert out.returncode == 2, (args, out.stdout, out.stderr)
        assert "错误：此命令需要开发工具包 auditor-lab（源码仓库中：pip install -e ./lab）" in out.stderr, (args, out.stderr)
        assert "Traceback" not in out.stderr


def _show(graph: dict[str, set[str]]) -> str:
    return "\n".join(f"{src} -> {', '.join(sorted(dst))}" for src, dst in sorted(graph.items()) if dst)


if __name__ == "__main__":
    g = import_graph()
    print(_show(g))
    print("cycles:", cycles(g) or "none")
