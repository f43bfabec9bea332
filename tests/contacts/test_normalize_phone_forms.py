"""The import's one-pass phone normalisation gives exactly what the directory's two steps
give (`normalize_phone`, then `phone_digit_forms` of the stored number), and the ASCII fast
path of `fold` folds as the Unicode path does."""

import string

import phonenumbers
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from comptoir.contacts import normalize


def two_steps(raw: str) -> tuple[str, list[str]]:
    stored = normalize.normalize_phone(raw)
    return stored, normalize.phone_digit_forms(stored) if stored else []


def one_pass(raw: str) -> tuple[str, list[str]]:
    return normalize.phone_with_digit_forms(raw)


def same_answer(raw: str) -> None:
    try:
        expected = two_steps(raw)
    except normalize.InvalidPhone:
        with pytest.raises(normalize.InvalidPhone):
            one_pass(raw)
        return
    assert one_pass(raw) == expected, raw


SEPARATORS = st.sampled_from(["", "", " ", ".", "-", "/", "  ", "(", ")", " . "])
PREFIXES = st.sampled_from(
    ["", "0", "00", "+", "+33", "+33 ", "0033", "+33 (0)", "+39 0", "+44", "+1 ", "+225 ", "+7"]
)
SUFFIXES = st.sampled_from(["", "", " ext. 12", " #3", " x99", " poste 4", ".", " ", "a"])


@st.composite
def written_numbers(draw) -> str:
    """Numbers as people and tills write them: a prefix, groups of digits with separators,
    sometimes an extension or a stray character."""
    groups = draw(st.lists(st.text(string.digits, min_size=1, max_size=4), max_size=6))
    text = draw(PREFIXES)
    for group in groups:
        text += draw(SEPARATORS) + group
    return text + draw(SUFFIXES)


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(written_numbers())
@example("06 12 34 56 78")
@example("+33 6 12 34 56 78")
@example("+330612345678")
@example("0033612345678")
@example("+39 06 1234 5678")
@example("+33 1 23 45 67 89 ext. 12")
@example("06.12.34.56.78.")
@example("0 800 123 456")
@example("0098000000")  # leading zeros E.164 does not keep as parsed
def test_one_pass_phone_normalisation_matches_the_two_steps(raw):
    same_answer(raw)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789+ .-()/#xe\t", max_size=24))
def test_one_pass_matches_on_any_text_of_phone_characters(raw):
    same_answer(raw)


def test_every_french_national_number_start_takes_the_fast_path_with_the_same_answer():
    # Given every two-digit start of a 9-digit French national number (the metadata's
    # formats decide on the first digit), written nationally and internationally
    for start in range(10, 100):
        national = f"{start}{start * 7919 % 10_000_000:07d}"
        for written in (f"0{national}", f"+33{national}", f"0{national[:1]} {national[1:]}"):
            # Then the fast path's answer is the parsing answer
            same_answer(written)
    assert phonenumbers.is_possible_number(phonenumbers.parse("+33612345678"))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_folding_ascii_text_takes_the_fast_path_with_the_same_answer(text):
    assert normalize.fold(text) == normalize._fold_unicode(text)
