"""Review reports of target tracking: an Excel workbook and a self-contained HTML report."""
