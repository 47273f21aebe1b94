"""ecozone's typed errors: every anticipated failure is one of these, with a bilingual message.

The CLI, the REST API and the notebook API catch :class:`EcozoneError` and show
``message(lang)``; they never show a traceback for it.  Exit codes follow the CLI's contract:
2 for bad input (a file, a value, an option the user gave), 1 for the environment (a locked,
unwritable or foreign store file, a missing system dependency).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: longest piece of user text echoed back in a message; longer text is cut with an ellipsis
MAX_ECHO = 80


def clip(text: object, limit: int = MAX_ECHO) -> str:
    """``text`` as a string of at most ``limit`` characters (an ellipsis marks a cut)."""
    s = str(text)
    return s if len(s) <= limit else s[: limit - 1] + "…"


@dataclass
class EcozoneError(Exception):
    """A failure ecozone anticipated.  ``zh``/``en`` say what went wrong and what to do.

    ``file``, ``row``, ``column`` and ``value`` locate bad input where it applies; ``detail`` holds
    machine-readable extras (e.g. a list of row-level issues) for the API's error body.
    """

    zh: str
    en: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: object | None = None
    detail: Any = None
    code: str = "error"
    exit_code: int = field(default=1, repr=False)

    def __post_init__(self) -> None:
        super().__init__(self.en)

    def where(self) -> str:
        """``file:row [column] = 'value'`` (the parts that are known), or empty."""
        parts = []
        if self.file is not None:
            parts.append(clip(self.file, 200) + (f":{self.row}" if self.row is not None else ""))
        elif self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"[{clip(self.column, 40)}]")
        if self.value is not None:
            parts.append(f"= {clip(repr(self.value))}")
        return " ".join(parts)

    def message(self, lang: str = "zh") -> str:
        text = self.en if lang == "en" else self.zh
        where = self.where()
        return f"{where}: {text}" if where else text


@dataclass
class InputError(EcozoneError):
    """Bad input from the user: a file, a value or an option.  Exit code 2."""

    code: str = "bad_input"
    exit_code: int = field(default=2, repr=False)


@dataclass
class StoreError(EcozoneError):
    """The store cannot be used: locked by another process, not a DuckDB file, unwritable.  Exit 1."""

    code: str = "store_unavailable"
    exit_code: int = field(default=1, repr=False)
