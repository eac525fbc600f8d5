"""Integer money text: the same characters the ``Decimal`` formulas printed, for any amount."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.money import MoneyError, format_exact, format_minor, from_minor, round_amount


def decimal_format_minor(minor: int, currency: str, *, grouping: bool) -> str:
    """The formula ``format_minor`` used before (one Decimal per call)."""
    amount = from_minor(minor, currency)
    return f"{amount:,}" if grouping else f"{amount}"


def decimal_exact_text(exact_minor: Fraction, *, grouping: bool) -> str:
    """The formula ``exact_text`` used before (BDT: two places)."""
    value = exact_minor / 100
    denominator = value.denominator
    while denominator % 2 == 0:
        denominator //= 2
    while denominator % 5 == 0:
        denominator //= 5
    if denominator == 1:
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        exponent = exact.normalize().as_tuple().exponent
        assert isinstance(exponent, int)
        places = max(-exponent, 2)
        return f"{exact:,.{places}f}" if grouping else f"{exact:.{places}f}"
    rounded = round_amount(value, step=Decimal("0.000001"), mode="half_up")
    return f"{rounded:,.6f}…" if grouping else f"{rounded:.6f}…"


@given(st.integers(-(10**20), 10**20), st.booleans())
def test_format_minor_prints_what_the_decimal_did(minor: int, grouping: bool) -> None:
    assert format_minor(minor, "BDT", grouping=grouping) == decimal_format_minor(
        minor, "BDT", grouping=grouping
    )


@given(
    st.integers(-(10**15), 10**15),
    st.one_of(st.sampled_from([1, 2, 3, 7, 26, 30, 31, 64, 125, 365, 1000]), st.integers(1, 10**6)),
    st.booleans(),
)
def test_format_exact_prints_what_the_decimal_did(
    numerator: int, denominator: int, grouping: bool
) -> None:
    exact = Fraction(numerator, denominator)
    assert format_exact(numerator, denominator, "BDT", grouping=grouping) == decimal_exact_text(
        exact, grouping=grouping
    )


def test_examples() -> None:
    assert format_minor(1_250_000, "BDT") == "12,500.00"
    assert format_minor(-5, "BDT", grouping=False) == "-0.05"
    assert format_exact(33_500, 1, "BDT", grouping=True) == "335.00"
    assert format_exact(5_761_010, 20, "BDT", grouping=True) == "2,880.505"
    assert format_exact(400, 3, "BDT", grouping=False) == "1.333333…"
    assert format_exact(-1, 3, "BDT", grouping=False) == "-0.003333…"
    with pytest.raises(MoneyError):
        format_minor(True, "BDT")
    with pytest.raises(MoneyError):
        format_exact(1, 0, "BDT", grouping=False)
