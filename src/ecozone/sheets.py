"""Workbooks ecozone writes hold data, never formulas from data.

openpyxl stores any string that starts with ``=`` as a formula, so a station name, a file name
or a source such as ``=HYPERLINK("http://…")`` would become a live formula in the workbook a
bureau opens (spreadsheet formula injection).  Every writer calls :func:`no_formulas` on its
sheets before saving: such cells are kept as the text they are.
"""

from __future__ import annotations

from typing import Any


def no_formulas(sheet: Any) -> int:
    """Turn every formula cell of ``sheet`` (an openpyxl worksheet) back into text; return how many."""
    n = 0
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"
                n += 1
    return n
