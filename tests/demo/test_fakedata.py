"""The generated shoppers are repeatable and internally consistent (benchmarks rely on it)."""

from decimal import Decimal

from comptoir.demo.fakedata import people, tag_names


def test_the_same_seed_gives_the_same_people_and_another_seed_others():
    assert list(people(50, seed=7)) == list(people(50, seed=7))
    assert list(people(50, seed=7)) != list(people(50, seed=8))


def test_addresses_are_unique_and_figures_consistent():
    crowd = list(people(2000))
    assert len({person.email for person in crowd}) == 2000
    for person in crowd:
        assert person.email == person.email.lower() and person.email.isascii()
        if person.order_count:
            assert person.total_spent > 0
            assert person.customer_since <= person.last_order_at
            assert person.average_order_value * person.order_count - person.total_spent < 1
        else:
            assert person.total_spent == Decimal("0.00")
            assert person.last_order_at is None and person.customer_since is None
    buyers = sum(1 for person in crowd if person.order_count) / len(crowd)
    assert 0.45 < buyers < 0.65


def test_tag_names_are_distinct_for_any_count():
    assert len(set(tag_names(200))) == 200
