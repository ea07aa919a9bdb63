"""The batch's input files, found without holding them: ``found`` yields them one at a time, and the
ledger (``ledger.Ledger.add_inputs``) sorts, deduplicates and names them on disk."""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterator, NamedTuple

_UNSAFE = re.compile(r"[^\w.\-]+")
_FLAG_VALUES = {"true", "false", "yes", "no", "on", "off", "1", "0"}


class Found(NamedTuple):
    path: str  # as given or found (becomes the report's ``source``)
    rel: str  # relative to its input folder, ``/``-separated (the name of a file given alone)
    in_folder: bool


class InputsError(Exception):
    """An input path that does not exist: a usage error."""


def check_inputs(inputs) -> None:
    for item in inputs:
        root = Path(item)
        if not root.exists():
            if str(root).lower() in _FLAG_VALUES:  # auditor batch --resume true DIR
                raise InputsError(f"输入路径不存在：{root}（--resume 等开关不带取值：写 --resume 即可，"
                                  f"“{root}”被当成了一个输入路径）")
            raise InputsError(f"输入路径不存在：{root}")


def _skip(name: str) -> bool:
    return name.startswith(".") or name.endswith(".gold.json")


def found(item) -> Iterator[Found]:
    """A file as given, or every file under a folder (recursive, unordered), without hidden files and
    folders and ``*.gold.json`` annotation files. A linked folder is followed, each real folder once
    (a link back up the tree ends there). A folder that cannot be read is yielded as an input of its
    own: reading it fails, and the batch reports it (E111) rather than skip what it holds unseen."""
    root = Path(item)
    if not root.is_dir():
        yield Found(str(root), root.name, False)
        return
    folders = [(str(root), "")]
    seen = {os.path.realpath(root)}
    while folders:
        folder, prefix = folders.pop()
        try:
            entries = os.scandir(folder)
        except OSError:
            yield Found(folder, prefix.rstrip("/") or root.name, bool(prefix))
            continue
        with entries:
            for entry in entries:
                if _skip(entry.name):
                    continue
                if entry.is_dir():
                    real = os.path.realpath(entry.path)
                    if real not in seen:
                        seen.add(real)
                        folders.append((entry.path, f"{prefix}{entry.name}/"))
                elif entry.is_file():
                    yield Found(entry.path, prefix + entry.name, True)


def sort_key(rel: str) -> str:
    """Orders relative paths as ``pathlib`` orders them, part by part (``a/b`` before ``a.b``)."""
    return rel.replace("/", "\x01")


def inside(real: str, folder: str | None) -> bool:
    return folder is not None and (real == folder or real.startswith(folder.rstrip(os.sep) + os.sep))


def base_name(rel: str) -> str:
    """The result file name of a report, before a clash adds ``-2``, ``-3``."""
    return _UNSAFE.sub("_", rel.replace("/", "__")).strip("_") or "report"
