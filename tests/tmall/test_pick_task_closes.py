"""A pick task ends when its order ships: it leaves every terminal's list of open work."""

from __future__ import annotations

from tests.tmall.conftest import Market
from tests.tmall.test_returns import shipped_order


def test_a_shipped_orders_pick_task_is_done_on_every_terminal(market: Market):
    _tid, order_id = shipped_order(market)
    for name in ("hands", "latecomer"):  # the terminal that shipped it, and one that pulls it all fresh
        terminal = market.site.terminal(name=name)
        terminal.sync()
        states = {t["task_id"]: t["state"] for t in terminal.replica.tasks()}
        assert states[f"pick-{order_id}"] == "done", (name, states)
