"""Normalised e-mail, phone and search text: one address is one contact (C2), search
ignores case and accents on both engines (C9)."""

import pytest

from comptoir.contacts import normalize


@pytest.mark.parametrize(
    "raw, stored",
    [
        ("  Zoe@Example.COM ", "Zoe@example.com"),
        ("zoe@example.com", "zoe@example.com"),
        ("", ""),
        (None, ""),
    ],
)
def test_email_is_trimmed_and_its_domain_lower_cased(raw, stored):
    assert normalize.normalize_email(raw) == stored


@pytest.mark.parametrize("raw", ["zoe", "zoe@", "@example.com", "zoe@@example.com", "zo e@x.com"])
def test_what_is_not_an_address_is_refused(raw):
    with pytest.raises(normalize.InvalidEmail):
        normalize.normalize_email(raw)


def test_email_key_makes_case_variants_one_address():
    assert normalize.email_key("Zoe@example.com") == normalize.email_key(" zoe@EXAMPLE.com")


@pytest.mark.parametrize(
    "raw, stored",
    [
        ("06 12 34 56 78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("+1 415 555 2671", "+14155552671"),
        ("12", "12"),  # not a possible number: kept as typed
        ("", ""),
    ],
)
def test_phone_is_e164_when_it_can_be_understood(raw, stored):
    assert normalize.normalize_phone(raw) == stored


def test_phone_without_digits_is_refused():
    with pytest.raises(normalize.InvalidPhone):
        normalize.normalize_phone("call me")


def test_fold_strips_case_accents_and_ligatures():
    assert normalize.fold("Zoé ÉLOÏSE Cœur") == "zoe eloise coeur"


def test_search_text_holds_names_address_and_both_phone_forms():
    text = normalize.search_text(
        first_name="Zoé", last_name="Dubois", email="Zoe@example.com", phone="+33612345678"
    )
    assert text == "zoe dubois zoe@example.com 33612345678 0612345678"


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Zoé  DUBOIS", ["zoe", "dubois"]),
        ("zoe@exa", ["zoe@exa"]),
        ("Zoe@Exa", ["zoe@exa"]),
        ("@example.com", ["@example.com"]),
        ("gmail.com", ["gmail.com"]),
        ("Page.Example", ["page.example"]),
        ("06 12 34", ["061234"]),
        ("+33 6.12", ["33612"]),
        ("   ", []),
    ],
)
def test_search_terms(query, expected):
    assert normalize.search_terms(query) == expected


def test_tag_key_ignores_case_and_extra_spaces():
    assert normalize.tag_name("  Client   fidèle ") == "Client fidèle"
    assert normalize.tag_key("CLIENT fidèle") == normalize.tag_key("client  Fidèle")


def test_a_dotted_word_is_part_of_an_address_but_a_dotted_phone_is_a_phone():
    from comptoir.contacts.normalize import search_terms

    assert search_terms("Camille.Mar") == ["camille.mar"]
    assert search_terms("06.12.34.56.78") == ["0612345678"]
    assert search_terms("camille mar") == ["camille", "mar"]
