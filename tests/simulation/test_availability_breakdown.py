"""The availability breakdown names every loss: its shares add up with availability to 1, and
`kucun bench simulate --matrix` prints one line per cell with the goal it checks."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from kucun.bench.simulate import Cell, cells, format_matrix, parse_list, run_matrix
from kucun.simulation import simulate
from kucun.simulation.availability import ESCROW_PARTS, LOSS_PARTS, AvailabilityMeter
from kucun.simulation.report import format_summary


@pytest.fixture(scope="module")
def run() -> dict[str, Any]:
    return simulate(seed=2, terminals=6, stores=3, hours=0.3, faults="heavy")


def test_net_losses_and_availability_add_up_to_one(run: dict[str, Any]) -> None:
    net = run["availability_breakdown"]["net"]
    assert set(net) == set(LOSS_PARTS)
    assert run["availability"] + sum(net.values()) == pytest.approx(1.0, abs=1e-3)


def test_gross_shares_add_up_to_one_with_gross_availability(run: dict[str, Any]) -> None:
    gross = run["availability_breakdown"]["gross"]
    escrow = sum(gross["escrow_" + part] for part in ESCROW_PARTS)
    assert escrow == pytest.approx(run["escrow_share"], abs=1e-3)
    losses = escrow + gross["safety"] + sum(gross[part] for part in LOSS_PARTS)
    assert run["availability_gross"] + losses - gross["over"] == pytest.approx(1.0, abs=1e-3)


def test_a_sample_near_a_stockout_weighs_as_much_as_a_full_one_unless_weighted_by_units() -> None:
    meter = AvailabilityMeter()
    # 200 units in stock, all published; then 2 units, one of them escrowed (the count's bin)
    meter.record(Counter({"gross": 200, "sellable": 200, "published": 200, "published_gross": 200}))
    meter.record(Counter({"gross": 2, "escrow_count_settling": 1, "sellable": 1, "published": 1,
                          "published_gross": 1}))
    meter.record(Counter({"gross": 0}))  # nothing in stock: not a sample
    result = meter.result()
    assert result["availability_gross"] == pytest.approx((1.0 + 0.5) / 2)
    assert result["availability_gross_by_units"] == pytest.approx(201 / 202, abs=1e-4)
    assert result["availability"] == result["availability_by_units"] == 1.0
    assert result["availability_breakdown"]["gross"]["escrow_count_settling"] == pytest.approx(0.25)


def test_the_summary_names_the_losses(run: dict[str, Any]) -> None:
    text = format_summary(run)
    assert "of sellable, not published" in text and "of on_hand − reserved: escrow" in text


def test_the_matrix_has_every_combination() -> None:
    grid = cells(parse_list("2,6,12", int), parse_list("1,3,5", int), ["light", "heavy"], [1.0, 8.0])
    assert len(grid) == 36 and len(set(grid)) == 36
    assert Cell(12, 5, "heavy", 8.0) in grid


def test_a_tiny_matrix_prints_a_line_per_cell_and_the_goal() -> None:
    result = run_matrix([Cell(2, 1, "light", 0.05), Cell(3, 2, "none", 0.05)], [1], processes=1, naive=True)
    assert [(row["terminals"], row["stores"]) for row in result["cells"]] == [(2, 1), (3, 2)]
    for row in result["cells"]:
        assert row["kucun"]["runs"] == 1 and row["naive"]["runs"] == 1
        assert row["kucun"]["oversold_units"] == 0
    text = format_matrix(result)
    assert "term" in text and "goal (0 oversold" in text
    assert len([line for line in text.splitlines() if line.startswith(("   2", "   3"))]) == 2
