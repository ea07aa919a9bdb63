"""The statutory report formats, loaded from declarative YAML (format_2021.yaml, format_2019.yaml)."""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml

from .. import errors


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    label: str


@dataclass(frozen=True)
class RowSpec:
    key: str
    label: str
    prefix: str = ""
    group: str | None = None
    group_label: str | None = None
    variants: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()

    @property
    def full_label(self) -> str:
        return f"{self.prefix}{self.label}"


@dataclass(frozen=True)
class TableSpec:
    key: str
    title: str
    rows: tuple[RowSpec, ...]
    columns: tuple[ColumnSpec, ...]
    short_name: str = ""  # 表二, 表三, 表四: how messages name the table

    def row(self, key: str) -> RowSpec:
        for r in self.rows:
            if r.key == key:
                return r
        raise KeyError(key)

    def column(self, key: str) -> ColumnSpec:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    def row_columns(self, row: RowSpec) -> tuple[str, ...]:
        return row.columns or tuple(c.key for c in self.columns)

    def match_rows(self, patterns) -> list[str]:
        """Row keys matching glob patterns (``denied.*``), in template order."""
        out: list[str] = []
        for pat in patterns:
            out += [r.key for r in self.rows if fnmatch.fnmatchcase(r.key, pat) and r.key not in out]
        return out


@dataclass(frozen=True)
class Relation:
    id: str
    check: str
    table: str
    kind: str  # row_total | column_total | balance
    total: str = ""
    parts: tuple[str, ...] = ()
    left: tuple[str, ...] = ()
    right: tuple[str, ...] = ()


@dataclass(frozen=True)
class Heading:
    key: str
    label: str
    variants: tuple[str, ...] = ()


@dataclass(frozen=True)
class Template:
    format: str
    name: str
    tables: dict[str, TableSpec]
    relations: tuple[Relation, ...]
    headings: tuple[Heading, ...]
    legacy_labels: tuple[str, ...] = field(default=())
    row_levels: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (headline | category, row keys)

    def rows_at(self, *levels: str) -> frozenset[str]:
        """Row keys (and group globs) at these levels of ``row_levels`` (asked per cell: cached)."""
        cache = self.__dict__.setdefault("_rows_at", {})  # not a field: equality and hash ignore it
        if levels not in cache:
            cache[levels] = frozenset(r for level in levels for r in dict(self.row_levels).get(level, ()))
        return cache[levels]

    def cell_keys(self) -> list[str]:
        return [f"{t.key}.{r.key}.{c}" for t in self.tables.values() for r in t.rows for c in t.row_columns(r)]


def _read_yaml(name: str) -> dict:
    try:
        text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
        return yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as exc:  # pragma: no cover - packaging defect
        raise errors.E201(name=name, error=exc) from exc


def _table(key: str, data: dict) -> TableSpec:
    rows = tuple(
        RowSpec(key=r["key"], label=r["label"], prefix=r.get("prefix", ""), group=r.get("group"),
                group_label=r.get("group_label"), variants=tuple(r.get("variants", ())),
                columns=tuple(r.get("columns", ())))
        for r in data["rows"])
    cols = tuple(ColumnSpec(c["key"], c["label"]) for c in data.get("columns", ()))
    return TableSpec(key=key, title=data.get("title", ""), rows=rows, columns=cols,
                     short_name=data.get("short_name", key))


@lru_cache(maxsize=None)
def load_template(fmt: str = "2021") -> Template:
    """Load a format by name ("2021" or "2019")."""
    if fmt not in ("2021", "2019"):
        raise errors.E202(format=fmt)
    data = _read_yaml(f"format_{fmt}.yaml")
    base = _read_yaml(data["base"]) if "base" in data else None
    src = base or data
    tables_data = {k: dict(v) for k, v in src["tables"].items()}
    if base:
        for key, override in data.get("tables", {}).items():
            if "replace_rows" in override:
                rows = list(tables_data[key]["rows"])
                for pattern, replacement in override["replace_rows"].items():
                    idx = [i for i, r in enumerate(rows) if fnmatch.fnmatchcase(r["key"], pattern)]
                    rows[idx[0]:idx[-1] + 1] = replacement
                tables_data[key] = {**tables_data[key], "rows": rows}
            else:
                tables_data[key] = override
    tables = {k: _table(k, v) for k, v in tables_data.items()}
    relations = tuple(
        Relation(id=r["id"], check=r["check"], table=r["table"], kind=r["kind"], total=r.get("total", ""),
                 parts=tuple(r.get("parts", ())), left=tuple(r.get("left", ())), right=tuple(r.get("right", ())))
        for r in src["relations"])
    headings = tuple(Heading(h["key"], h["label"], tuple(h.get("variants", ()))) for h in src["section_headings"])
    return Template(format=data["format"], name=data["name"], tables=tables, relations=relations,
                    headings=headings, legacy_labels=tuple(src.get("legacy_labels", ())),
                    row_levels=tuple((k, tuple(v)) for k, v in src.get("row_levels", {}).items()))


def table_name(template: Template, table: str) -> str:
    """表三 for ``applications``: the name messages give a table (its key if the format has none)."""
    spec = template.tables.get(table)
    return spec.short_name if spec is not None else table
