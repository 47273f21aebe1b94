"""Review checks of the catalogue: every quote is in its document, no commitment is recorded
twice in one document, and every set wording is encoded as the table in ``docs/catalogue.md``
says (:mod:`ecozone.catalogue.wording`).

Run ``python -m ecozone.catalogue.check`` (or ``ecozone catalogue check``) after editing a data
file; it prints every problem with file and line, and counts per document.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass

from ecozone.catalogue.loader import Catalogue, Problem, load_catalogue_lenient
from ecozone.catalogue.models import Achieved, Instrument, Kind, Statement, Target
from ecozone.catalogue.seeds import seed_text
from ecozone.catalogue.wording import numbers_in_words, wording_problems


def quote_problems(cat: Catalogue) -> list[Problem]:
    """Every target or achieved value whose quote is not found in its document's seed file."""
    problems: list[Problem] = []
    records: list[tuple[str, Target | Achieved | Instrument | Statement]] = []
    records += [(t.id, t) for t in cat.targets.values()]
    records += [(a.id, a) for a in cat.achieved.values()]
    records += [(i.id, i) for i in cat.instruments.values()]
    records += [(t.id, s) for t in cat.targets.values() for s in t.statements]
    for rid, rec in records:
        doc = cat.documents.get(rec.document)
        if doc is None:
            continue
        if seed_text(doc.file).find(rec.quote) is None:
            file, line = cat.origin[rid]
            problems.append(Problem(file, line, "quote", f"not found in {doc.file}: {rec.quote!r}"))
    return problems


def commitment_key(t: Target) -> tuple[object, ...]:
    """What makes two records the same commitment: region, indicator, deadline, comparison, value."""
    words = t.target_text if t.target_value is None else None
    return (t.region, t.indicator, t.target_year, t.comparison.value, t.target_value, t.target_value_max, words)


def duplicate_problems(cat: Catalogue) -> list[Problem]:
    """Two targets of one document stating the same commitment: merge them (one is a statement)."""
    first: dict[tuple[object, ...], str] = {}
    problems: list[Problem] = []
    for t in cat.targets.values():
        key = (t.document, *commitment_key(t))
        if key in first:
            file, line = cat.origin[t.id]
            problems.append(Problem(file, line, "duplicate",
                                    f"{t.id} states the same commitment as {first[key]} in {t.document}: "
                                    "make it a statement of that target"))
        else:
            first[key] = t.id
    return problems


def all_problems(cat: Catalogue) -> list[Problem]:
    """Every check that needs more than one record: quotes, duplicates, wordings."""
    return quote_problems(cat) + duplicate_problems(cat) + wording_problems(cat) + numbers_in_words(cat)


@dataclass(frozen=True)
class DocumentCounts:
    targets: int
    binding: int
    expected: int
    statements: int  # every sentence stating a target, primary ones included
    instruments: int
    achieved: int


def counts_by_document(cat: Catalogue) -> dict[str, DocumentCounts]:
    """Per document: the targets it states (a restated target counts in each document), their
    kinds as that document marks them (the strongest of its statements there), its statements,
    instruments and achieved values."""
    rank = {Kind.BINDING: 0, Kind.EXPECTED: 1, Kind.STRIVE: 2, Kind.UNSTATED: 3}
    kind_in: dict[tuple[str, str], Kind] = {}
    statements: Counter[str] = Counter()
    for t in cat.targets.values():
        for doc, kind in [(t.document, t.kind), *((s.document, s.kind) for s in t.statements)]:
            statements[doc] += 1
            old = kind_in.get((doc, t.id))
            if old is None or rank[kind] < rank[old]:
                kind_in[(doc, t.id)] = kind
    targets = Counter(doc for doc, _ in kind_in)
    kinds = Counter((doc, k) for (doc, _), k in kind_in.items())
    instruments = Counter(i.document for i in cat.instruments.values())
    achieved = Counter(a.document for a in cat.achieved.values())
    return {
        d: DocumentCounts(targets[d], kinds[(d, Kind.BINDING)], kinds[(d, Kind.EXPECTED)], statements[d],
                          instruments[d], achieved[d])
        for d in cat.documents
    }


def main(argv: list[str] | None = None) -> int:
    """Print every problem (optionally only those in files whose path contains a filter)."""
    filters = sys.argv[1:] if argv is None else argv
    cat, problems = load_catalogue_lenient()
    problems += all_problems(cat)
    shown = [p for p in problems if not filters or any(f in p.file for f in filters)]
    for p in shown:
        print(p, file=sys.stderr)
    if shown:
        print(f"{len(shown)} problem(s)", file=sys.stderr)
    print(f"{'document':10s} {'targets':>7s} {'binding':>7s} {'expected':>8s} {'stmts':>5s} "
          f"{'instr':>5s} {'achieved':>8s}")
    for doc, n in counts_by_document(cat).items():
        print(f"{doc:10s} {n.targets:7d} {n.binding:7d} {n.expected:8d} {n.statements:5d} "
              f"{n.instruments:5d} {n.achieved:8d}")
    n_statements = sum(1 + len(t.statements) for t in cat.targets.values())
    print("(a target restated in several documents counts in each; the total counts it once)")
    print(f"{'total':10s} {len(cat.targets):7d} {'':7s} {'':8s} {n_statements:5d} "
          f"{len(cat.instruments):5d} {len(cat.achieved):8d}")
    print(f"{len(cat.regions)} regions, {len(cat.indicators)} indicators")
    return 1 if shown else 0


if __name__ == "__main__":
    raise SystemExit(main())
