"""Configuration: declared options (defaults.toml) merged with a user file, validated."""
from __future__ import annotations

import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path

from . import errors

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_TYPES = {"int": int, "bool": bool, "float": (int, float), "str": str, "list": list}
CONFIG_NAMES = ("auditor.toml", ".auditor.toml")  # or a pyproject.toml with a [tool.auditor] table


@lru_cache(maxsize=1)
def declarations() -> dict[str, dict[str, dict]]:
    """{section: {option: {default, type, help, choices?}}} from the packaged defaults.toml."""
    data = tomllib.loads(resources.files(__package__).joinpath("defaults.toml").read_text(encoding="utf-8"))
    out: dict[str, dict[str, dict]] = {}

    def walk(prefix: list[str], node: dict) -> None:
        if "default" in node and "type" in node:
            out.setdefault(".".join(prefix[:-1]), {})[prefix[-1]] = node
            return
        for key, value in node.items():
            walk(prefix + [key], value)

    walk([], data)
    return out


def defaults() -> dict[str, dict]:
    return {sec: {k: d["default"] for k, d in opts.items()} for sec, opts in declarations().items()}


def discover(start: str | Path | None = None) -> Path | None:
    """The configuration that applies in ``start`` (the current directory): the nearest
    ``auditor.toml``, ``.auditor.toml`` or ``pyproject.toml`` with a ``[tool.auditor]`` table, in
    that folder or above it (as ruff and pytest find theirs)."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                if "auditor" in tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}):
                    return pyproject
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue  # another tool's broken file is not ours to refuse
    return None


def load_config(path: str | Path | None = None) -> dict[str, dict]:
    """Defaults, overridden by a user TOML file (a pyproject.toml: its ``[tool.auditor]`` table);
    unknown keys and wrong types name the file and key."""
    config = defaults()
    if path is None:
        return config
    try:
        user = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise errors.E203(path=path, error=exc) from exc
    if Path(path).name == "pyproject.toml":
        user = user.get("tool", {}).get("auditor", {})
        path = f"{path} [tool.auditor]"
    decl = declarations()
    for section, values in _sections(user):
        if section not in decl:
            raise errors.E204("section", path=path, section=section)
        for key, value in values.items():
            spec = decl[section].get(key)
            if spec is None:
                raise errors.E204("option", path=path, section=section, key=key)
            if (not isinstance(value, _TYPES[spec["type"]]) or (spec["type"] == "int" and isinstance(value, bool))
                    or (spec["type"] == "list" and not all(isinstance(v, str) for v in value))):
                raise errors.E205("type", path=path, section=section, key=key, type=spec["type"], value=value)
            if "choices" in spec and value not in spec["choices"]:
                raise errors.E205("choice", path=path, section=section, key=key, choices=spec["choices"])
            config[section][key] = value
    return config


def _sections(data: dict, prefix: str = ""):
    """Yield (dotted section, {key: scalar}) from nested TOML tables."""
    scalars = {k: v for k, v in data.items() if not isinstance(v, dict)}
    if prefix and scalars:
        yield prefix, scalars
    elif scalars:
        raise errors.E204("outside_section", keys=", ".join(scalars))
    for k, v in data.items():
        if isinstance(v, dict):
            yield from _sections(v, f"{prefix}.{k}" if prefix else k)


def option(config: dict, section: str, key: str):
    return config.get(section, {}).get(key, declarations()[section][key]["default"])
