"""R4 publish quotas, never overwrite: plans, Tmall's clamped answers, imports, and the bound."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.conflict.quotas import (
    QuotaDelta,
    StoreQuota,
    at_least_live,
    next_quota_deltas,
    plan_quota_deltas,
    quota_targets,
    record_imported_sale,
    sellable_quantity,
    settle_after_import,
    settle_delta,
)


@pytest.mark.parametrize(
    ("on_hand", "reserved", "escrow", "safety", "sellable"),
    [
        pytest.param(20, 5, 3, 2, 10, id="20 on hand − 5 reserved − 3 escrow − 2 safety → 10"),
        pytest.param(5, 5, 3, 2, 0, id="more held back than on hand → 0, never negative"),
        pytest.param(0, 0, 0, 0, 0, id="empty → 0"),
    ],
)
def test_sellable_quantity(
    on_hand: int, reserved: int, escrow: int, safety: int, sellable: int
) -> None:
    assert sellable_quantity(on_hand, reserved, escrow, safety) == sellable


@pytest.mark.parametrize(
    ("on_hand", "reserved", "escrow", "safety", "stores", "deltas"),
    [
        pytest.param(
            10, 0, 0, 0, [StoreQuota("tm-a", 0)], (QuotaDelta("tm-a", 10),),
            id="one store, nothing granted → +10",
        ),
        pytest.param(
            10, 0, 0, 0, [StoreQuota("tm-a", 0), StoreQuota("tm-b", 0)],
            (QuotaDelta("tm-a", 5), QuotaDelta("tm-b", 5)),
            id="two equal shares → 5 and 5",
        ),
        pytest.param(
            10, 0, 0, 0, [StoreQuota("tm-a", 0, share=1), StoreQuota("tm-b", 0, share=2)],
            (QuotaDelta("tm-a", 3), QuotaDelta("tm-b", 7)),
            id="shares 1:2 of 10 → 3 and 7 (largest remainder gets the odd unit)",
        ),
        pytest.param(
            5, 0, 0, 0, [StoreQuota("tm-b", 0), StoreQuota("tm-a", 0)],
            (QuotaDelta("tm-a", 3), QuotaDelta("tm-b", 2)),
            id="equal remainders → the odd unit goes by store_id, whatever the input order",
        ),
        pytest.param(
            5, 0, 0, 0, [StoreQuota("tm-a", 2), StoreQuota("tm-b", 3)], (),
            id="equal remainders, store b has the odd unit already → it keeps it, nothing to send",
        ),
        pytest.param(
            4, 0, 0, 0, [StoreQuota("tm-a", 0), *(StoreQuota(f"tm-{x}", 1) for x in "bcde")], (),
            id="4 units over 5 stores, store a sold its one → no other store gives one back",
        ),
        pytest.param(
            8, 0, 0, 0, [StoreQuota("tm-a", 0), StoreQuota("tm-b", 8)],
            (QuotaDelta("tm-b", -4), QuotaDelta("tm-a", 4)),
            id="rebalancing → the decrease goes out before the increase",
        ),
        pytest.param(
            20, 5, 3, 2, [StoreQuota("tm-a", 4)], (QuotaDelta("tm-a", 6),),
            id="reserved, escrow and safety come off first → cap 10",
        ),
        pytest.param(
            3, 5, 0, 0, [StoreQuota("tm-a", 4), StoreQuota("tm-b", 0)],
            (QuotaDelta("tm-a", -4),),
            id="reserved beyond on hand → every quota down to zero",
        ),
        pytest.param(
            10, 0, 0, 0, [StoreQuota("tm-a", 6, held=6), StoreQuota("tm-b", 0)],
            (QuotaDelta("tm-a", 2), QuotaDelta("tm-b", 2)),
            id="6 held in store a → the free 4 are shared, a keeps its held part",
        ),
        pytest.param(
            4, 0, 0, 0, [StoreQuota("tm-a", 6, held=6), StoreQuota("tm-b", 3)],
            (QuotaDelta("tm-b", -3),),
            id="held beyond the cap → never taken below held, everyone else to zero",
        ),
        pytest.param(
            10, 0, 0, 0, [StoreQuota("tm-a", 5, share=0, held=2), StoreQuota("tm-b", 0)],
            (QuotaDelta("tm-a", -3), QuotaDelta("tm-b", 8)),
            id="share 0 → only its held part stays",
        ),
        pytest.param(
            10, 0, 0, 0, [StoreQuota("tm-a", 5), StoreQuota("tm-b", 5)], (),
            id="already balanced → nothing to send",
        ),
        pytest.param(
            10, 0, 0, 0, [StoreQuota("tm-a", 2, share=0), StoreQuota("tm-b", 0, share=0)],
            (QuotaDelta("tm-a", -2),),
            id="no store has a share → nothing published",
        ),
    ],
)
def test_plan_quota_deltas(
    on_hand: int,
    reserved: int,
    escrow: int,
    safety: int,
    stores: list[StoreQuota],
    deltas: tuple[QuotaDelta, ...],
) -> None:
    assert plan_quota_deltas(on_hand, reserved, escrow, safety, stores) == deltas


def test_a_store_appears_once_in_a_plan() -> None:
    with pytest.raises(ValueError):
        plan_quota_deltas(10, 0, 0, 0, [StoreQuota("tm-a", 0), StoreQuota("tm-a", 1)])


@pytest.mark.parametrize(
    ("store", "delta", "live_after", "settled"),
    [
        pytest.param(
            StoreQuota("tm-a", 5), 3, 8, StoreQuota("tm-a", 8), id="increase answered → +3"
        ),
        pytest.param(
            StoreQuota("tm-a", 5), 3, None, StoreQuota("tm-a", 8, held=3),
            id="increase unanswered → assumed applied (overstating quota cannot oversell), "
               "its units held until the import re-reads them",
        ),
        pytest.param(
            StoreQuota("tm-a", 5, held=2), 3, None, StoreQuota("tm-a", 8, held=5),
            id="increase unanswered on a held quota → held grows by the increase",
        ),
        pytest.param(
            StoreQuota("tm-a", 5, held=1), -3, 1, StoreQuota("tm-a", 2, held=1),
            id="decrease leaving 1 live → not clamped, quota −3",
        ),
        pytest.param(
            StoreQuota("tm-a", 5), -3, 0, StoreQuota("tm-a", 5, held=5),
            id="decrease answered 0 live → maybe clamped: old quota kept, all of it held",
        ),
        pytest.param(
            StoreQuota("tm-a", 5), -3, None, StoreQuota("tm-a", 5, held=5),
            id="decrease unanswered → treated as clamped",
        ),
        pytest.param(
            StoreQuota("tm-a", 5, held=4), -3, 1, StoreQuota("tm-a", 2, held=2),
            id="unclamped decrease below held → held shrinks with the quota",
        ),
        pytest.param(StoreQuota("tm-a", 5), 0, 5, StoreQuota("tm-a", 5), id="no delta → no change"),
    ],
)
def test_settle_delta(
    store: StoreQuota, delta: int, live_after: int | None, settled: StoreQuota
) -> None:
    assert settle_delta(store, delta, live_after) == settled


@pytest.mark.parametrize(
    ("store", "units", "after"),
    [
        pytest.param(
            StoreQuota("tm-a", 10, held=4), 3, StoreQuota("tm-a", 7, held=4),
            id="sale of 3 → out of the quota, what is held stays held until the re-read",
        ),
        pytest.param(
            StoreQuota("tm-a", 10, held=4), 8, StoreQuota("tm-a", 2, held=2),
            id="sale leaving less than is held → held is at most the quota",
        ),
        pytest.param(
            StoreQuota("tm-a", 2, held=1), 5, StoreQuota("tm-a", 0, held=0),
            id="sale beyond the quota → never below zero",
        ),
    ],
)
def test_record_imported_sale(store: StoreQuota, units: int, after: StoreQuota) -> None:
    assert record_imported_sale(store, units) == after


def test_a_sale_after_a_lost_increase_leaves_the_quota_to_the_re_read() -> None:
    """A +1 lost on the way (not applied), then a +1 answered: 1 unit live, quota 2 of which 1 held.
    A buyer takes the live unit and the sale is imported. The quota must stay held, so that the
    re-read after the import finds 0 live and the next round offers the store's share again; had
    the sale released the held unit, the quota would stay at 1 with nothing live and nothing held,
    and that unit would never be offered again."""
    store = settle_delta(StoreQuota("tm-a", 0), 1, live_after=None)
    store = settle_delta(store, 1, live_after=1)
    assert store == StoreQuota("tm-a", 2, held=1)
    store = record_imported_sale(store, 1)
    assert store == StoreQuota("tm-a", 1, held=1)
    store = settle_after_import(store, 0)
    assert store == StoreQuota("tm-a", 0)
    assert next_quota_deltas(1, 0, 0, 0, [store]) == (QuotaDelta("tm-a", 1),)


def test_settle_after_import_trusts_the_live_quantity() -> None:
    settled = settle_after_import(StoreQuota("tm-a", 9, share=2, held=9), 4)
    assert settled == StoreQuota("tm-a", 4, share=2, held=0)


def test_an_increase_lost_on_the_way_is_re_read_at_the_next_import() -> None:
    """4 sellable for one store; the +4 fails and was not applied. The quota must not keep the 4
    units forever (nothing would ever be offered again): they are held, the import re-reads the
    live 0, and the next round offers them."""
    store = StoreQuota("tm-a", 0)
    assert next_quota_deltas(4, 0, 0, 0, [store]) == (QuotaDelta("tm-a", 4),)
    store = settle_delta(store, 4, live_after=None)
    assert store == StoreQuota("tm-a", 4, held=4)
    assert next_quota_deltas(4, 0, 0, 0, [store]) == (), "never granted twice before the import"
    store = settle_after_import(store, 0)
    assert next_quota_deltas(4, 0, 0, 0, [store]) == (QuotaDelta("tm-a", 4),)


def test_a_clamp_shrinks_the_next_round_instead_of_overselling() -> None:
    """8 sellable, all granted to store b, which sold 8 on Tmall that we have not imported."""
    stores = {"tm-a": StoreQuota("tm-a", 0), "tm-b": StoreQuota("tm-b", 8)}
    first = next_quota_deltas(8, 0, 0, 0, list(stores.values()))
    assert first == (QuotaDelta("tm-b", -4),)
    stores["tm-b"] = settle_delta(stores["tm-b"], -4, live_after=0)
    assert next_quota_deltas(8, 0, 0, 0, list(stores.values())) == ()


# --- properties -----------------------------------------------------------------------------------


@st.composite
def store_quotas(draw: st.DrawFn) -> list[StoreQuota]:
    count = draw(st.integers(1, 4))
    stores = []
    for index in range(count):
        quota = draw(st.integers(0, 30))
        held = draw(st.integers(0, quota))
        share = draw(st.integers(0, 3))
        stores.append(StoreQuota(f"tm-{index}", quota, share, held))
    return draw(st.permutations(stores))


stock_terms = st.tuples(
    st.integers(0, 80), st.integers(0, 30), st.integers(0, 20), st.integers(0, 10)
)


def check_plan_shape(plan: tuple[QuotaDelta, ...], stores: list[StoreQuota]) -> None:
    signs = [d.delta > 0 for d in plan]
    assert signs == sorted(signs), "every decrease goes out before every increase"
    assert all(d.delta != 0 for d in plan)
    by_id = {store.store_id: store for store in stores}
    for d in plan:
        store = by_id[d.store_id]
        assert store.quota + d.delta >= store.held >= 0, "never below held, never below zero"


@settings(derandomize=True, max_examples=300, deadline=None)
@given(terms=stock_terms, stores=store_quotas())
def test_applied_plan_respects_the_bound(
    terms: tuple[int, int, int, int], stores: list[StoreQuota]
) -> None:
    on_hand, reserved, escrow, safety = terms
    plan = plan_quota_deltas(on_hand, reserved, escrow, safety, stores)
    check_plan_shape(plan, stores)
    deltas = {d.store_id: d.delta for d in plan}
    after = [
        settle_delta(store, deltas.get(store.store_id, 0), live_after=1) for store in stores
    ]
    bound = on_hand - escrow - safety
    total_quota = sum(store.quota for store in after)
    total_held = sum(store.held for store in stores)
    if reserved + total_held <= bound:
        assert total_quota + reserved <= bound
    else:
        assert total_quota == total_held, "only held quota remains"
    assert plan_quota_deltas(on_hand, reserved, escrow, safety, after) == ()


@settings(derandomize=True, max_examples=300, deadline=None)
@given(free=st.integers(0, 60), count=st.integers(1, 6), data=st.data())
def test_rounding_never_moves_a_unit_between_equal_stores(free: int, count: int, data: st.DataObject) -> None:
    """Equal shares, each store at its share rounded down or up, adding up to what is free: the plan
    sends nothing, whichever stores hold the odd units (units are never taken back from one shop
    only to be offered in another)."""
    low, odd = divmod(free, count)
    winners = set(data.draw(st.permutations(range(count)))[:odd])
    stores = [StoreQuota(f"tm-{i}", low + (i in winners)) for i in range(count)]
    assert plan_quota_deltas(free, 0, 0, 0, stores) == ()
    targets = quota_targets(free, 0, 0, 0, [StoreQuota(s.store_id, 0) for s in stores])
    assert sum(targets.values()) == free and set(targets.values()) <= {low, low + 1}


answers = st.one_of(st.none(), st.just(0), st.integers(1, 40))


@settings(derandomize=True, max_examples=300, deadline=None)
@given(terms=stock_terms, stores=store_quotas(), data=st.data())
def test_publishing_rounds_with_clamped_answers_respect_the_bound(
    terms: tuple[int, int, int, int], stores: list[StoreQuota], data: st.DataObject
) -> None:
    on_hand, reserved, escrow, safety = terms
    current = {store.store_id: store for store in stores}
    rounds = held_increases = 0
    while deltas := next_quota_deltas(on_hand, reserved, escrow, safety, list(current.values())):
        rounds += 1
        assert rounds - held_increases <= len(stores) + 2, (
            "each round settles targets, holds one more store, or holds an unanswered increase")
        check_plan_shape(deltas, list(current.values()))
        assert len({d.delta > 0 for d in deltas}) == 1, "a round sends one direction only"
        lost = False
        for d in deltas:
            live_after = data.draw(answers, label=f"answer to {d}")
            current[d.store_id] = settle_delta(current[d.store_id], d.delta, live_after)
            lost = lost or (d.delta > 0 and live_after is None)
        held_increases += lost
    settled = list(current.values())
    bound = on_hand - escrow - safety
    total_quota = sum(store.quota for store in settled)
    if reserved + sum(store.held for store in settled) <= bound:
        assert total_quota + reserved <= bound
    assert all(store.quota >= store.held >= 0 for store in settled)
    targets = quota_targets(on_hand, reserved, escrow, safety, settled)
    assert {store.store_id: store.quota for store in settled} == targets


@settings(derandomize=True, max_examples=200, deadline=None)
@given(stores=store_quotas(), live=st.one_of(st.none(), st.integers(0, 60)))
def test_a_quota_is_never_left_below_what_is_live(stores: list[StoreQuota], live: int | None) -> None:
    """quota = live + unimported sales: an answer showing more live raises the quota to it (the
    store then gets less, never more); anything else leaves the quota as it was."""
    for store in stores:
        after = at_least_live(store, live)
        assert after.held == store.held and after.store_id == store.store_id
        assert after.quota == (store.quota if live is None else max(store.quota, live))
