"""The brand statement PDF: a Bengali factory or event name extracts exactly as written."""

from __future__ import annotations

from datetime import date

from fund.brands.fund_use_events import UseEvent
from fund.brands.statement import BrandStatement
from fund.brands.statement_files import statement_pdf
from fund.reports.books import FundUse
from tests.pdf_tools import fonts, text

#: Conjuncts (ক্ষ, ন্ত, স্ত্র), ref and vowel signs drawn before their consonant (ি, ে, ৈ).
FACTORY = "DHK-017 শ্রাবন্তী নিটওয়্যার লিমিটেড"
EVENT = "ক্ষমা ফ্যাশনের সাময়িক বন্ধ, বৈশাখ"


def test_a_bengali_factory_and_event_name_extract_as_written() -> None:
    statement = BrandStatement(
        brand_code="NORD",
        brand_name="Nord Apparel",
        start=date(2026, 1, 1),
        end=date(2026, 3, 31),
        positions=(),
        pledges=(),
        contributions=(),
        fund_use=(FundUse(factory=FACTORY, event="7", compensation=250_000, paid=200_000),),
    )
    pdf = statement_pdf(statement, events={"7": UseEvent(title=EVENT, workers_helped=3)})
    extracted = text(pdf)
    flat = " ".join(extracted.split())
    assert FACTORY in flat
    assert EVENT in flat
    assert flat.count("শ্রাবন্তী") == 1  # the glyphs add no second copy
    assert not any("\ue000" <= ch <= "\uf8ff" for ch in extracted)  # no private-use glyphs
    listed = fonts(pdf)
    assert all(embedded for _, embedded in listed), listed
    assert "NotoSansBengali-Regular" in {name.split("+", 1)[1] for name, _ in listed}
