"""``page_count``: the pages a list of rows fills, shared by every paged page and the sheet PDF."""

from hypothesis import given
from hypothesis import strategies as st

from fund.display import page_count


@given(total=st.integers(min_value=1, max_value=10**6), per_page=st.integers(1, 1000))
def test_the_pages_hold_every_row_and_none_is_empty(total: int, per_page: int) -> None:
    pages = page_count(total, per_page)
    assert pages * per_page >= total
    assert (pages - 1) * per_page < total


def test_no_rows_still_show_one_page() -> None:
    assert page_count(0, 50) == 1
