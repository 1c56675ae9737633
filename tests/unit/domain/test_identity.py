"""Identity: keys from identifiers, union-find resolution, merges and splits (pure)."""

from __future__ import annotations

import hmac
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from ordo.domain.customers.identity import IdentityBook, IdKey, hmac_sha256_hex, key_of, keys_of, resolve
from ordo.domain.orders.model import Identifier

PEPPER = b"test-pepper"


def ids() -> IdentityBook:
    counter = itertools.count()
    return IdentityBook(lambda: f"CU{next(counter):06d}")


def k(name: str) -> IdKey:
    return IdKey("member", f"member:{name}", name)


def test_a_phone_is_keyed_by_its_hmac_and_never_kept_in_plain():
    key = key_of("phone", "13812345678", PEPPER)
    assert key == "phone:" + hmac.digest(PEPPER, b"13812345678", "sha256").hex()
    [linkable], [kept] = keys_of([Identifier("phone", "13812345678")], PEPPER)
    assert "13812345678" not in linkable.key + linkable.display + kept.display
    assert kept.display == "138****5678"


def test_phones_written_differently_are_one_key():
    spellings = ["13812345678", "+86 138 1234 5678", "138-1234-5678", "8613812345678"]
    assert len({key_of("phone", p, PEPPER) for p in spellings}) == 1


def test_the_fast_hmac_matches_the_standard_library_for_short_and_long_peppers():
    for pepper in (b"", b"x", b"p" * 64, b"q" * 100):
        assert hmac_sha256_hex(pepper, b"13800000000") == hmac.digest(pepper, b"13800000000", "sha256").hex()


def test_masked_and_unknown_identifiers_are_kept_but_link_no_one():
    linkable, kept = keys_of(
        [
            Identifier("phone", "138****5678"),
            Identifier("openid", "ciphertext==", masked=True),
            Identifier("passport", "E12345678"),
        ],
        PEPPER,
    )
    assert linkable == []
    assert [k.key for k in kept] == [None, None, None]
    assert [k.display for k in kept] == ["138****5678", "ciphertext==", "E12345678"]


def test_two_orders_sharing_a_masked_phone_stay_two_customers():
    book = ids()
    masked = Identifier("phone", "138****1234")
    for n, member in enumerate(("A", "B")):
        book.ingest([(f"O{n}", keys_of([masked, Identifier("member", member)], PEPPER)[0])])
    assert book.customer_of_order("O0") != book.customer_of_order("O1")


def test_an_order_carrying_keys_of_two_customers_merges_them_into_the_older():
    book = ids()
    book.ingest([("O1", [k("a")]), ("O2", [k("b")])])
    res = book.ingest([("O3", [k("b"), k("a")])])
    [merge] = res.merges
    assert (merge.winner, merge.loser) == ("CU000000", "CU000001")
    assert merge.keys == (k("b"), k("a"))
    assert {book.customer_of_order(o) for o in ("O1", "O2", "O3")} == {"CU000000"}


def test_a_split_customer_is_never_merged_back_even_through_a_third_identifier():
    book = ids()
    book.ingest([("O1", [k("a")]), ("O2", [k("b")]), ("O3", [k("a"), k("b")])])
    book.split(book.merges[0])
    res = book.ingest([("O4", [k("a"), k("b")]), ("O5", [k("b"), k("c")]), ("O6", [k("c"), k("a")])])
    assert res.refused
    assert book.customer_of_key("member:a") != book.customer_of_key("member:b")


def test_resolve_gives_an_order_without_linkable_keys_no_customer():
    res = resolve([[], [k("a")]], {}, lambda: "CU1")
    assert res.customers == [None, "CU1"]


# properties --------------------------------------------------------------------------
names = st.sampled_from("abcdefghij")
orders = st.lists(st.lists(names, min_size=1, max_size=3, unique=True), min_size=1, max_size=25)


def partition_after(batches: list[list[list[str]]]) -> set[frozenset[str]]:
    book = ids()
    n = itertools.count()
    for batch in batches:
        book.ingest([(f"O{next(n)}", [k(x) for x in keys]) for keys in batch])
    return book.partition()


@settings(max_examples=200, deadline=None)
@given(orders, st.randoms(use_true_random=False), st.integers(1, 5))
def test_merging_is_independent_of_order_arrival_and_batching(carried, rnd, batch):
    shuffled = list(carried)
    rnd.shuffle(shuffled)
    batches = [shuffled[i : i + batch] for i in range(0, len(shuffled), batch)]
    assert partition_after([carried]) == partition_after(batches)


@settings(max_examples=200, deadline=None)
@given(orders, names, names)
def test_splitting_a_merge_undoes_it(carried, x, y):
    book = ids()
    book.ingest([(f"O{i}", [k(n) for n in keys]) for i, keys in enumerate(carried)])
    book.ingest([("X", [k(x)]), ("Y", [k(y)])])
    before = book.partition()
    res = book.ingest([("XY", [k(x), k(y)])])
    if x == y or not res.merges:
        assert book.partition() == before  # already one customer: nothing merged
        return
    [merge] = res.merges
    assert book.partition() != before
    book.split(merge)
    assert book.partition() == before
