"""Access to the plan texts shipped with the package, and quote lookup inside them.

A quote is found "ignoring white space": the PDF conversion split numbers and words with
spaces and line breaks (``1 1`` for 11), so both the quote and the text are compared with all
white space removed.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from ecozone.catalogue.loader import data_dir

_WS = re.compile(r"\s+")
_SENTENCE_END = "。；;！？\n"


def squeeze(text: str) -> str:
    """Remove every white-space character (the comparison form of quotes and texts)."""
    return _WS.sub("", text)


@dataclass(frozen=True)
class SeedText:
    """One seed file with a white-space-free copy and a map back to the original offsets."""

    name: str
    text: str
    squeezed: str
    offsets: tuple[int, ...]  # offsets[i] = index in ``text`` of squeezed[i]

    def find(self, quote: str) -> int | None:
        """Offset in the original text where ``quote`` starts, or None."""
        i = self.squeezed.find(squeeze(quote))
        return None if i < 0 or not quote.strip() else self.offsets[i]

    @cached_property
    def _line_starts(self) -> list[int]:
        return [0] + [i + 1 for i, ch in enumerate(self.text) if ch == "\n"]

    def line_of(self, quote: str) -> int | None:
        """The (1-based) line of the text where ``quote`` starts, or None."""
        start = self.find(quote)
        return None if start is None else bisect_right(self._line_starts, start)

    def count(self, quote: str) -> int:
        q = squeeze(quote)
        return self.squeezed.count(q) if q else 0

    def context(self, quote: str, max_chars: int = 600) -> str | None:
        """The paragraph around ``quote`` (bounded to ``max_chars`` either side)."""
        start = self.find(quote)
        if start is None:
            return None
        q = squeeze(quote)
        end_sq = self.squeezed.find(q) + len(q) - 1
        end = self.offsets[end_sq] + 1
        left = self.text.rfind("\n", max(0, start - max_chars), start)
        right = self.text.find("\n", end, end + max_chars)
        left = left + 1 if left >= 0 else max(0, start - max_chars)
        right = right if right >= 0 else min(len(self.text), end + max_chars)
        return self.text[left:right].strip()


def seed_dir() -> Path:
    return data_dir() / "seeds"


@cache
def seed_text(file_name: str) -> SeedText:
    text = (seed_dir() / file_name).read_text(encoding="utf-8")
    offsets = tuple(i for i, ch in enumerate(text) if not ch.isspace())
    squeezed = "".join(text[i] for i in offsets)
    if squeezed != squeeze(text):  # pragma: no cover - str.isspace and \s agree on these texts
        raise RuntimeError(f"white-space handling differs for {file_name}")
    return SeedText(file_name, text, squeezed, offsets)
