"""No SQL is built from outside text: every f-string, ``.format`` or ``%`` that makes SQL is vetted.

The rule (docs/security.md): values reach DuckDB as bound parameters; identifiers and file
paths from outside go through ``ecozone.store.sqlsafe``.  Where a statement must interpolate
(a column list from a constant tuple, an identifier already quoted by ``sqlsafe.ident``), its
line, the first line of its statement, or a comment line just above it, carries ``# sql: vetted``.  This test parses every
source file and fails on any string-building expression that

* is an argument of ``execute`` / ``executemany`` / ``sql`` / ``query`` / ``from_query``, or
* builds text that reads as SQL (a keyword such as SELECT, INSERT, CREATE, FROM, CAST …),

without that comment.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "ecozone"
MARK = "# sql: vetted"
SQL_CALLS = {"execute", "executemany", "sql", "query", "from_query"}
SQL_WORDS = re.compile(
    r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|COPY|ATTACH|PRAGMA|INSTALL|LOAD|FROM|WHERE|JOIN|"
    r"UNION|UNPIVOT|PIVOT|VALUES|CASE WHEN|TRY_CAST|CAST|read_csv|read_parquet|read_json|try_strptime)\b")


def _literal_text(node: ast.AST) -> str:
    """The constant text inside a string-building expression."""
    return " ".join(n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str))


def _is_building(node: ast.AST) -> bool:
    """An expression that builds a string from parts that are not all constants."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return isinstance(node.left, ast.Constant | ast.JoinedStr) and isinstance(
            getattr(node.left, "value", ""), str)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return isinstance(node.func.value, ast.Constant | ast.JoinedStr)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        parts = [node.left, node.right]
        has_text = any((isinstance(p, ast.Constant) and isinstance(p.value, str)) or isinstance(p, ast.BinOp | ast.JoinedStr)
                       for p in parts)
        has_var = any(not (isinstance(p, ast.Constant) or (isinstance(p, ast.BinOp) and not _is_building(p)))
                      for p in parts)
        return has_text and has_var
    return False


def _is_formatting(node: ast.AST) -> bool:
    """``x.format(…)`` or ``x % y`` on any receiver (flagged only inside a SQL call)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in ("format", "format_map", "substitute", "safe_substitute")
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod)


def violations(source: str, name: str = "<source>") -> list[str]:
    """``file:line: reason`` for every unvetted string-building SQL expression in ``source``."""
    tree = ast.parse(source)
    lines = source.splitlines()
    stmt_of: dict[int, ast.stmt] = {}
    for stmt in ast.walk(tree):
        if isinstance(stmt, ast.stmt):
            for sub in ast.walk(stmt):
                if isinstance(sub, ast.expr):
                    stmt_of[id(sub)] = stmt  # the innermost statement wins (walk goes outer first)
    in_sql_call: set[int] = set()
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr in SQL_CALLS:
            args = call.args[:1] + [k.value for k in call.keywords if k.arg in ("query", "sql")]
            for a in args:
                for sub in ast.walk(a):
                    in_sql_call.add(id(sub))

    def vetted(node: ast.expr) -> bool:
        stmt = stmt_of.get(id(node))
        candidates = {node.lineno, getattr(node, "end_lineno", node.lineno)}
        if stmt is not None:
            candidates.add(stmt.lineno)
            above = stmt.lineno - 1  # a comment line of its own just above the statement
            if above > 0 and lines[above - 1].strip().startswith("#"):
                candidates.add(above)
        return any(MARK in lines[n - 1] for n in candidates if 0 < n <= len(lines))

    found = []
    seen_lines: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.expr):
            continue
        if not _is_building(node) and not (id(node) in in_sql_call and _is_formatting(node)):
            continue
        reason = None
        if id(node) in in_sql_call:
            reason = "string built inside an execute/sql/query call"
        elif SQL_WORDS.search(_literal_text(node)):
            reason = "string built from parts that reads as SQL"
        if reason and not vetted(node) and node.lineno not in seen_lines:
            seen_lines.add(node.lineno)
            found.append(f"{name}:{node.lineno}: {reason}: {lines[node.lineno - 1].strip()[:100]}")
    return found


def test_no_unvetted_sql_strings_in_the_source() -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        found += violations(path.read_text(encoding="utf-8"), str(path.relative_to(SRC.parent.parent)))
    assert not found, "SQL built from strings without `# sql: vetted`:\n" + "\n".join(found)


@pytest.mark.parametrize("code", [
    'con.execute(f"SELECT * FROM t WHERE a = {x}")',
    'con.execute("SELECT * FROM t WHERE a = %s" % x)',
    'con.execute("SELECT * FROM {}".format(x))',
    'con.sql("SELECT " + col + " FROM t")',
    'q = f"SELECT {col} FROM t"\ncon.execute(q)',
    'q = "DELETE FROM t WHERE " + cond',
    'con.execute(query=f"COPY t TO {p}")',
    'con.execute(TEMPLATE.format(table=name))',
    'con.execute(template % name)',
    'con.sql(Template(q).substitute(t=name))',
])
def test_the_check_finds_string_built_sql(code: str) -> None:
    assert violations(code), code


@pytest.mark.parametrize("code", [
    'con.execute("SELECT * FROM t WHERE a = ?", [x])',
    'con.execute(f"SELECT {cols} FROM t")  # sql: vetted',
    'con.execute(  # sql: vetted\n    f"SELECT {cols} "\n    "FROM t")',
    'msg = f"no such station {code}"',
    'print("SELECT " "FROM t")',
    '# sql: vetted (constants)\nQ = f"""SELECT {COLS}\nFROM t"""',
])
def test_the_check_accepts_parameters_and_vetted_statements(code: str) -> None:
    assert not violations(code), code
