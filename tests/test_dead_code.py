"""No dead branches in the package: an ``if`` (or its ``else``) whose only statement is ``pass``
says nothing the code does; its condition, when it has an effect, belongs in a named variable."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "auditor"


def test_no_if_branch_is_only_pass():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.If) and any(
                    len(branch) == 1 and isinstance(branch[0], ast.Pass) for branch in (node.body, node.orelse)):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert not found, found
