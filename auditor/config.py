"""Configuration: declared options (defaults.toml) merged with a user file, validated."""
from __future__ import annotations

import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_TYPES = {"int": int, "bool": bool, "float": (int, float), "str": str}


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


def load_config(path: str | Path | None = None) -> dict[str, dict]:
    """Defaults, overridden by a user TOML file; unknown keys and wrong types name the file and key."""
    config = defaults()
    if path is None:
        return config
    try:
        user = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"配置文件 {path} 无法读取：{exc}", code="E203") from exc
    decl = declarations()
    for section, values in _sections(user):
        if section not in decl:
            raise ConfigError(f"配置文件 {path}：未知的配置节 [{section}]", code="E204")
        for key, value in values.items():
            spec = decl[section].get(key)
            if spec is None:
                raise ConfigError(f"配置文件 {path}：[{section}] 中未知的选项 {key}", code="E204")
            if not isinstance(value, _TYPES[spec["type"]]) or (spec["type"] == "int" and isinstance(value, bool)):
                raise ConfigError(f"配置文件 {path}：[{section}] {key} 应为 {spec['type']}，实为 {value!r}", code="E205")
            if "choices" in spec and value not in spec["choices"]:
                raise ConfigError(f"配置文件 {path}：[{section}] {key} 只能取 {spec['choices']}", code="E205")
            config[section][key] = value
    return config


def _sections(data: dict, prefix: str = ""):
    """Yield (dotted section, {key: scalar}) from nested TOML tables."""
    scalars = {k: v for k, v in data.items() if not isinstance(v, dict)}
    if prefix and scalars:
        yield prefix, scalars
    elif scalars:
        raise ConfigError(f"配置项 {', '.join(scalars)} 必须写在配置节内", code="E204")
    for k, v in data.items():
        if isinstance(v, dict):
            yield from _sections(v, f"{prefix}.{k}" if prefix else k)


def option(config: dict, section: str, key: str):
    return config.get(section, {}).get(key, declarations()[section][key]["default"])
