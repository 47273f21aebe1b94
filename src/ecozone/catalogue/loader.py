"""Load and validate the reviewed data files: dictionaries and the plan-target catalogue.

Every problem is reported with the file, the line and the field, and all problems of a load
are reported together so that a reviewer can fix a file in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from ecozone.catalogue.models import (
    PERCENT_UNIT,
    POINTS_UNIT,
    Achieved,
    Comparison,
    Document,
    Domain,
    Indicator,
    Instrument,
    Measure,
    Region,
    Target,
)

LINE_KEY = "__line__"
LINES_KEY = "__lines__"
M = TypeVar("M", bound=BaseModel)


def data_dir() -> Path:
    """The folder of the data files shipped with the package."""
    return Path(str(resources.files("ecozone") / "data"))


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        return f"{where}: {self.field or '-'}: {self.message}"


class CatalogueError(ValueError):
    """Raised with every problem found in a load."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        head = f"{len(problems)} problem(s) in the catalogue data / 目录数据有 {len(problems)} 处错误"
        super().__init__("\n".join([head, *map(str, problems[:200])]))


# libyaml's parser when present (6x faster); both report node positions
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeBase):  # type: ignore[valid-type,misc]
    """A YAML loader that records the line of every mapping (1-based) under ``__line__``."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[str, Any] = {str(k): v for k, v in loader.construct_mapping(node, deep=True).items()}
    mapping[LINE_KEY] = node.start_mark.line + 1
    mapping[LINES_KEY] = {k.value: k.start_mark.line + 1 for k, _ in node.value}
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_LineLoader)


def _strip_lines(value: Any) -> Any:
    """Remove the line bookkeeping from a parsed YAML value, recursively."""
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k not in (LINE_KEY, LINES_KEY)}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


@dataclass
class Catalogue:
    """Everything loaded from the data files, indexed by id."""

    domains: dict[str, Domain] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)
    indicators: dict[str, Indicator] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    targets: dict[str, Target] = field(default_factory=dict)
    achieved: dict[str, Achieved] = field(default_factory=dict)
    instruments: dict[str, Instrument] = field(default_factory=dict)
    origin: dict[str, tuple[str, int]] = field(default_factory=dict)  # id -> (file, line)

    @property
    def indicator_renames(self) -> dict[str, str]:
        """Former indicator id -> its current id."""
        return {old: i.id for i in self.indicators.values() for old in i.former_ids}

    @property
    def aliases(self) -> dict[str, str]:
        """Merged target id -> the id of the target it became."""
        return {a: t.id for t in self.targets.values() for a in t.aliases}

    def target(self, target_id: str) -> Target | None:
        """A target by its id or by the id of a record merged into it."""
        if target_id in self.targets:
            return self.targets[target_id]
        merged = self.aliases.get(target_id)
        return self.targets[merged] if merged else None

    def region_by_name(self, name: str) -> Region | None:
        """Find a region by code, Chinese name, English name or alias."""
        if name in self.regions:
            return self.regions[name]
        for r in self.regions.values():
            if name in (r.name_zh, r.name_en, *r.aliases):
                return r
        return None


class _Collector:
    """Parses lists of mappings into models, remembering every problem."""

    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []
        self._parsed: dict[Path, Any] = {}  # a file holding targets and achieved is read once

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def add(self, path: Path, line: int | None, fld: str | None, msg: str) -> None:
        self.problems.append(Problem(self.rel(path), line, fld, msg))

    def read(self, path: Path) -> Any:
        if path not in self._parsed:
            try:
                self._parsed[path] = read_yaml(path)
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                self.add(path, mark.line + 1 if mark else None, None, f"YAML syntax: {exc}")
                self._parsed[path] = None
        return self._parsed[path]

    def items(self, path: Path, key: str | None) -> Iterator[dict[str, Any]]:
        doc = self.read(path)
        if doc is None:
            return
        seq = doc.get(key, []) if key is not None and isinstance(doc, dict) else doc
        if not isinstance(seq, list):
            self.add(path, None, key, "expected a list of records")
            return
        for item in seq:
            if not isinstance(item, dict):
                self.add(path, None, key, f"expected a mapping, got {item!r}")
                continue
            yield item

    def parse(self, model: type[M], path: Path, item: dict[str, Any]) -> M | None:
        line = item.get(LINE_KEY)
        data = _strip_lines(item)
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            lines: dict[str, int] = item.get(LINES_KEY, {})
            for err in exc.errors():
                fld = ".".join(str(p) for p in err["loc"]) or None
                top = str(err["loc"][0]) if err["loc"] else None
                self.add(path, lines.get(top or "", line), fld, err["msg"])
            return None

    def load_into(
        self,
        model: type[M],
        paths: Iterable[Path],
        key: str | None,
        index: dict[str, M],
        origin: dict[str, tuple[str, int]],
        id_attr: str = "id",
    ) -> None:
        for path in paths:
            for item in self.items(path, key):
                rec = self.parse(model, path, item)
                if rec is None:
                    continue
                rid = getattr(rec, id_attr)
                line = item.get(LINE_KEY, 0)
                if rid in index:
                    first = origin.get(rid, ("?", 0))
                    self.add(path, line, id_attr, f"duplicate id {rid!r} (first at {first[0]}:{first[1]})")
                    continue
                index[rid] = rec
                origin[rid] = (self.rel(path), line)


def expected_unit(comparison: Comparison | Measure, indicator: Indicator) -> str:
    """The unit a target or achieved value must carry, given how it compares.

    Relative changes are in per cent, point changes in percentage points; everything else
    is in the indicator's own unit.
    """
    value = comparison.value
    if value in (Comparison.REDUCE_BY_PCT.value, Comparison.INCREASE_BY_PCT.value):
        return PERCENT_UNIT
    if value in (Comparison.REDUCE_BY_POINTS.value, Comparison.INCREASE_BY_POINTS.value):
        return POINTS_UNIT
    return indicator.unit


POINT_CHANGES = {Comparison.REDUCE_BY_POINTS.value, Comparison.INCREASE_BY_POINTS.value}


def _check_references(cat: Catalogue, col: _Collector, root: Path) -> None:
    records: list[Target | Achieved] = [*cat.targets.values(), *cat.achieved.values()]
    all_ids = cat.targets.keys() | cat.achieved.keys()
    for rec in records:
        file, line = cat.origin[rec.id]
        path = root.parent / file

        def bad(fld: str, msg: str, path: Path = path, line: int = line) -> None:
            col.add(path, line, fld, msg)

        if rec.document not in cat.documents:
            bad("document", f"unknown document {rec.document!r}")
        if rec.region not in cat.regions:
            bad("region", f"unknown region {rec.region!r}")
        ind = cat.indicators.get(rec.indicator)
        if ind is None:
            renamed = cat.indicator_renames.get(rec.indicator)
            hint = f" (renamed to {renamed!r})" if renamed else ""
            bad("indicator", f"unknown indicator {rec.indicator!r}{hint}")
        else:
            how = rec.comparison if isinstance(rec, Target) else rec.measure
            want = expected_unit(how, ind)
            if rec.unit != want:
                bad("unit", f"unit {rec.unit!r} does not match {ind.id} ({how.value}): expected {want!r}")
            if how.value in POINT_CHANGES and ind.unit != PERCENT_UNIT:
                bad("comparison", f"{how.value} needs an indicator in per cent; {ind.id} is in {ind.unit!r}")
        for other in rec.conflicts_with:
            if other not in all_ids:
                bad("conflicts_with", f"unknown target or achieved id {other!r}")
        if rec.conflicts_with and not rec.conflict_note:
            bad("conflict_note", "a conflict needs a note saying what disagrees")


def _check_v2(cat: Catalogue, col: _Collector, root: Path) -> None:
    """Statements, scope members, aliases and instruments refer to things that exist."""
    seen_alias: dict[str, str] = {}
    for t in cat.targets.values():
        file, line = cat.origin[t.id]
        path = root.parent / file
        for st in t.statements:
            if st.document not in cat.documents:
                col.add(path, line, "statements.document", f"unknown document {st.document!r}")
        for m in t.members:
            if m not in cat.regions:
                col.add(path, line, "members", f"unknown region {m!r}")
        for a in t.aliases:
            if a in cat.targets:
                col.add(path, line, "aliases", f"alias {a!r} is still a target of its own")
            elif a in seen_alias:
                col.add(path, line, "aliases", f"alias {a!r} is also an alias of {seen_alias[a]}")
            seen_alias[a] = t.id
    for ins in cat.instruments.values():
        file, line = cat.origin[ins.id]
        path = root.parent / file
        if ins.document not in cat.documents:
            col.add(path, line, "document", f"unknown document {ins.document!r}")
        if ins.region not in cat.regions:
            col.add(path, line, "region", f"unknown region {ins.region!r}")
        if ins.indicator is not None and ins.indicator not in cat.indicators:
            col.add(path, line, "indicator", f"unknown indicator {ins.indicator!r}")
        if ins.former_id and ins.former_id in cat.targets:
            col.add(path, line, "former_id", f"{ins.former_id!r} is still a target")


def _check_dictionaries(cat: Catalogue, col: _Collector, root: Path) -> None:
    for rid, reg in cat.regions.items():
        file, line = cat.origin[rid]
        for ref in ([reg.parent] if reg.parent else []) + list(reg.members):
            if ref not in cat.regions:
                col.add(root.parent / file, line, "parent/members", f"unknown region {ref!r}")
    for iid, ind in cat.indicators.items():
        for old in ind.former_ids:
            if old in cat.indicators:
                file, line = cat.origin[iid]
                col.add(root.parent / file, line, "former_ids", f"{old!r} is still an indicator of its own")
        if ind.domain not in cat.domains:
            file, line = cat.origin[iid]
            col.add(root.parent / file, line, "domain", f"unknown domain {ind.domain!r}")
    for did, doc in cat.documents.items():
        if doc.scope not in cat.regions:
            file, line = cat.origin[did]
            col.add(root.parent / file, line, "scope", f"unknown region {doc.scope!r}")


def load_catalogue(root: Path | None = None) -> Catalogue:
    """Load and cross-check every data file under ``root`` (default: the packaged data).

    Raises :class:`CatalogueError` listing every problem found.
    """
    cat, problems = load_catalogue_lenient(root)
    if problems:
        raise CatalogueError(problems)
    return cat


def load_catalogue_lenient(root: Path | None = None) -> tuple[Catalogue, list[Problem]]:
    """Like :func:`load_catalogue`, but return the valid records and the problems found."""
    root = root or data_dir()
    col = _Collector(root)
    cat = Catalogue()
    yamls = lambda sub: sorted((root / sub).glob("*.yaml"))  # noqa: E731
    col.load_into(Domain, [root / "domains.yaml"], None, cat.domains, cat.origin)
    col.load_into(Region, yamls("regions"), None, cat.regions, cat.origin, id_attr="code")
    col.load_into(Indicator, yamls("indicators"), None, cat.indicators, cat.origin)
    col.load_into(Document, [root / "documents.yaml"], None, cat.documents, cat.origin)
    col.load_into(Target, yamls("catalogue"), "targets", cat.targets, cat.origin)
    col.load_into(Achieved, yamls("catalogue"), "achieved", cat.achieved, cat.origin)
    col.load_into(Instrument, yamls("catalogue"), "instruments", cat.instruments, cat.origin)
    _check_dictionaries(cat, col, root)
    _check_references(cat, col, root)
    _check_v2(cat, col, root)
    return cat, col.problems


@cache
def packaged_catalogue() -> Catalogue:
    """The catalogue shipped with the package, loaded once per process."""
    return load_catalogue()
