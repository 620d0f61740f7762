"""A quota the server has understated is raised by the first answer that shows more units live.

The 200-seed sweep oversold a unit (seed 146) this way: a re-read of the live quantity set the quota
with `based_at` a minute before the reading, so a sale paid in that minute was both in the reading and
subtracted again when imported. The server's quota fell below Tmall's live quantity, and the publisher
never took those units back. `at_least_live` (quota = live + unimported sales ≥ live) puts it right.
"""

from __future__ import annotations

from engine.model import OpKind, ReceivePayload
from server.store import marketplace
from server.tmall.order_import import import_store
from server.tmall.publishing import reconcile_held
from tests.tmall.conftest import Market


def test_a_sale_subtracted_twice_does_not_leave_units_live_behind_the_servers_back(market: Market) -> None:
    terminal = market.site.terminal("WH1")
    terminal.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 10), 1)
    terminal.sync()
    market.run()
    nick = market.nicks[0]
    quota, _ = market.quota(nick, "SKU-1")
    assert quota == market.live("SKU-1")[nick] > 2
    with market.site.db.transaction() as tx:  # a decrease went unanswered: the quota is held
        marketplace.set_quota(tx, nick, "SKU-1", quota, quota)

    market.sandbox.place_order(nick, "SKU-1", 2)
    market.site.clock.now += 20_000  # the re-read comes 20 s after the payment, inside its margin
    store = next(s for s in market.jobs.stores() if s.store_id == nick)
    client = market.jobs.client_for(store)
    reconcile_held(market.site.db, store, client, market.site.clock())
    import_store(market.site.db, store, client, market.site.clock())  # the same sale subtracted again
    assert market.quota(nick, "SKU-1")[0] < market.live("SKU-1")[nick]  # understated

    for _ in range(3):
        market.run()
    with market.site.db.reading() as tx:
        reserved = marketplace.demand(tx, "SKU-1")
    live = market.live("SKU-1")
    for each in market.nicks:
        assert market.quota(each, "SKU-1")[0] >= live[each]
    assert sum(live.values()) + reserved <= market.on_hand_total("SKU-1") == 10
