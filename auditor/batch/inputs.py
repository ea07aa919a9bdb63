"""The batch's input files, and the result file name of each."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_UNSAFE = re.compile(r"[^\w.\-]+")


@dataclass(frozen=True)
class InputFile:
    path: str  # as given (becomes the report's ``source``)
    name: str  # result file name under reports/, unique in the batch


class InputsError(Exception):
    """An input path that does not exist: a usage error."""


def _skip(p: Path) -> bool:
    return p.name.startswith(".") or p.name.endswith(".gold.json")


def _inside(p: Path, folder: Path | None) -> bool:
    if folder is None:
        return False
    try:
        p.resolve().relative_to(folder)
        return True
    except ValueError:
        return False


_FLAG_VALUES = {"true", "false", "yes", "no", "on", "off", "1", "0"}


def collect_inputs(inputs, exclude: Path | None = None) -> list[InputFile]:
    """Files as given, and every file under a directory (recursive, sorted), without hidden files,
    ``*.gold.json`` annotation files and anything under ``exclude`` (the results directory)."""
    excluded = exclude.resolve() if exclude is not None else None
    found: list[tuple[str, str]] = []  # (path, relative name)
    seen: set[Path] = set()
    for item in inputs:
        root = Path(item)
        if not root.exists():
            if str(root).lower() in _FLAG_VALUES:  # auditor batch --resume true DIR
                raise InputsError(f"输入路径不存在：{root}（--resume 等开关不带取值：写 --resume 即可，"
                                  f"“{root}”被当成了一个输入路径）")
            raise InputsError(f"输入路径不存在：{root}")
        if root.is_dir():
            files = sorted(p for p in root.rglob("*") if p.is_file()
                           and not any(_skip(part) for part in p.relative_to(root).parents if part.name)
                           and not _skip(p) and not _inside(p, excluded))
            pairs = [(str(p), p.relative_to(root).as_posix()) for p in files]
        else:
            pairs = [(str(root), root.name)]
        for path, rel in pairs:
            key = Path(path).resolve()
            if key not in seen:
                seen.add(key)
                found.append((path, rel))
    return _named(found)


def _named(found: list[tuple[str, str]]) -> list[InputFile]:
    used: set[str] = set()
    out = []
    for path, rel in found:
        base = _UNSAFE.sub("_", rel.replace("/", "__")).strip("_") or "report"
        name, n = base, 1
        while name.lower() in used:
            n += 1
            name = f"{base}-{n}"
        used.add(name.lower())
        out.append(InputFile(path, name + ".json"))
    return out
