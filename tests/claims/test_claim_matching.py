"""Name, phone and national ID keys: Bengali and Latin spellings of one name meet; others don't."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fund.claims.matching import compare_names, national_id_key, phone_key, sound_key

SAME_PERSON = [
    ("Rahima Khatun", "রহিমা খাতুন"),
    ("Salma Akter", "সালমা আক্তার"),
    ("Shirin Akhter", "শিরিন আক্তার"),
    ("Karim Mia", "করিম মিয়া"),
    ("Mohammed Ali", "মোহাম্মদ আলী"),
    ("Muhammad Ali", "Mohammad Ali"),
    ("Nasrin", "Nasreen"),
    ("Khatun Rahima", "রহিমা খাতুন"),
    # Titles some write and others leave out.
    ("Mst. Rina Begum", "রিনা বেগম"),
    ("Mosammat Rina Begum", "মোছাঃ রিনা বেগম"),
    ("Md. Karim Mia", "করিম মিয়া"),
    ("Karim Mia", "মোঃ করিম মিয়া"),
]
DIFFERENT_PEOPLE = [
    ("Rahima Begum", "রহিমা খাতুন"),
    ("Karim Mia", "Rina Das"),
    ("Salma Akter", "সালমা আক্তার শিকদার"),
    # 86 % alike as whole keys ("ktr slm", "krm slm"), but Akter is not Karim.
    ("Salma Akter", "করিম ইসলাম"),
]


@pytest.mark.parametrize(("given_name", "on_roll"), SAME_PERSON)
def test_spellings_of_one_name_match(given_name: str, on_roll: str) -> None:
    match = compare_names(given_name, on_roll)
    assert match is not None
    assert on_roll in match.detail


@pytest.mark.parametrize(("given_name", "on_roll"), DIFFERENT_PEOPLE)
def test_other_names_do_not(given_name: str, on_roll: str) -> None:
    assert compare_names(given_name, on_roll) is None


latin_names = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10),
    min_size=1,
    max_size=4,
).map(" ".join)


@given(latin_names, st.sampled_from([" ", ".", "-", "  ", ", "]))
def test_case_punctuation_and_spacing_do_not_change_the_key(name: str, separator: str) -> None:
    messy = separator.join(word.upper() for word in name.split()) + "."
    assert sound_key(messy) == sound_key(name)


@given(latin_names)
def test_word_order_does_not_change_the_key(name: str) -> None:
    assert sound_key(" ".join(reversed(name.split()))) == sound_key(name)


def test_phones_and_national_ids_as_people_write_them() -> None:
    assert phone_key("+880 1711-000001") == "01711000001"
    assert phone_key("০১৭১১০০০০০১") == "01711000001"
    assert national_id_key("1990-0000 00002") == "1990000000002"


def test_a_near_spelling_is_similar_only_word_by_word() -> None:
    near = compare_names("Rahima Khatum", "রহিমা খাতুন")
    assert near is not None
    assert near.strength == "sounds similar"
    assert compare_names("Mst. Salma Akter", "মোঃ করিম ইসলাম") is None


@given(st.text(alphabet="bkmnrst", max_size=8), st.text(alphabet="bkmnrst", max_size=8))
def test_letter_edits_are_a_distance(first: str, second: str) -> None:
    from fund.claims.matching import _edits

    assert _edits(first, first) == 0
    assert _edits(first, second) == _edits(second, first)
    assert abs(len(first) - len(second)) <= _edits(first, second) <= max(len(first), len(second))
    assert _edits(first, second + "k") <= _edits(first, second) + 1
