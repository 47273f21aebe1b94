"""Quote lookup in the plan texts ignores white space and maps back to the original text."""

from __future__ import annotations

import pytest

from ecozone.catalogue.seeds import seed_dir, seed_text, squeeze
from tests.conftest import SHARED


def test_squeeze_removes_all_white_space() -> None:
    assert squeeze(" 1 1\u3000个\n城市\t") == "11个城市"


def test_quote_found_across_pdf_spaces() -> None:
    text = seed_text("003_c6b457bc3a6c5714.txt")
    # the PDF conversion wrote "2022 年" and "碳达峰碳中和" with spaces; a quote without them is found
    offset = text.find("4.19关于河北省2022年纳入全国碳排放权交易市场")
    assert offset is not None
    assert text.text[offset : offset + 4] == "4.19"
    assert text.find("这句话不在文件里") is None
    assert text.find("   ") is None


def test_context_is_the_surrounding_paragraph() -> None:
    text = seed_text("001_5f80db8736174037.txt")
    quote = "地表水国省考断面优良水体比例达到80%"
    context = text.context(quote)
    assert context is not None
    assert quote in squeeze(context)
    assert context.startswith("到2023年")
    assert "\n" not in context


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="../shared/seeds not present")
def test_shipped_seeds_equal_the_shared_originals() -> None:
    for original in sorted((SHARED / "seeds").glob("*.txt")):
        assert (seed_dir() / original.name).read_bytes() == original.read_bytes(), original.name
