"""Review checks of the catalogue that need the plan texts: every quote must be in its document.

Run ``python -m ecozone.catalogue.check`` (or ``ecozone catalogue check``) after editing a data
file; it prints every problem with file and line, and counts per document.
"""

from __future__ import annotations

import sys
from collections import Counter

from ecozone.catalogue.loader import Catalogue, Problem, load_catalogue_lenient
from ecozone.catalogue.models import Achieved, Target
from ecozone.catalogue.seeds import seed_text


def quote_problems(cat: Catalogue) -> list[Problem]:
    """Every target or achieved value whose quote is not found in its document's seed file."""
    problems: list[Problem] = []
    records: list[Target | Achieved] = [*cat.targets.values(), *cat.achieved.values()]
    for rec in records:
        doc = cat.documents.get(rec.document)
        if doc is None:
            continue
        if seed_text(doc.file).find(rec.quote) is None:
            file, line = cat.origin[rec.id]
            problems.append(Problem(file, line, "quote", f"not found in {doc.file}: {rec.quote!r}"))
    return problems


def counts_by_document(cat: Catalogue) -> dict[str, tuple[int, int]]:
    targets = Counter(t.document for t in cat.targets.values())
    achieved = Counter(a.document for a in cat.achieved.values())
    return {d: (targets[d], achieved[d]) for d in cat.documents}


def main(argv: list[str] | None = None) -> int:
    """Print every problem (optionally only those in files whose path contains a filter)."""
    filters = sys.argv[1:] if argv is None else argv
    cat, problems = load_catalogue_lenient()
    problems += quote_problems(cat)
    shown = [p for p in problems if not filters or any(f in p.file for f in filters)]
    for p in shown:
        print(p, file=sys.stderr)
    if shown:
        print(f"{len(shown)} problem(s)", file=sys.stderr)
    for doc, (t, a) in counts_by_document(cat).items():
        print(f"{doc:10s} targets {t:4d}  achieved {a:4d}")
    print(f"total      targets {len(cat.targets):4d}  achieved {len(cat.achieved):4d}")
    print(f"{len(cat.regions)} regions, {len(cat.indicators)} indicators")
    return 1 if shown else 0


if __name__ == "__main__":
    raise SystemExit(main())
