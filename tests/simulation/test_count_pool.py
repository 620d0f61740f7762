"""The simulated office pools its count tasks, as `counts create` does without `--assignee`: the
server's task names no counter, and the first counter whose terminal shows it takes it — so a count
does not wait, its whole bin escrowed, for a counter whose terminal is cut off while another is at
hand."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from kucun.simulation import actors
from kucun.simulation.faults import FaultProfile
from kucun.simulation.site import scratch_dir
from kucun.simulation.tempo import Tempo
from kucun.simulation.terminals import TerminalHandle
from kucun.simulation.world import World
from server.store import orders

AT_ONCE = Tempo(count_delay_steps=(0, 0), loss_share=0.0)


@pytest.fixture
def world() -> Iterator[World]:
    folder = scratch_dir("kucun-pool-")
    # six terminals in one warehouse: picker, receiver, counter (t03), clerk, picker, counter (t06)
    built = World(Path(folder.name), seed=5, terminals=6, stores=1, skus=2, warehouses=1,
                  faults=FaultProfile(name="none"), buyers_per_minute=0.0, tempo=AT_ONCE)
    try:
        yield built
    finally:
        built.close()
        folder.cleanup()


def _counter(world: World, name: str) -> TerminalHandle:
    return next(handle for handle in world.terminals if handle.name == name)


def test_a_count_task_goes_to_the_counter_whose_terminal_is_in_touch(world: World) -> None:
    # t03 is the first counter: an office dealing tasks in turn would give it this one
    reachable, cut_off = _counter(world, "t06-counter"), _counter(world, "t03-counter")
    for handle in world.terminals:
        handle.sync()
    cut_off.link.partitioned_until_step = world.step + 10_000  # cut off before the task is issued

    actors._issue_count_task(world, world.site.warehouses[0], random.Random(1))
    (task,) = world.count_tasks.values()
    assert task.counter is None  # in the pool: nobody has taken it yet
    with world.audit.reading() as tx:
        (row,) = [t for t in orders.tasks(tx, "count") if t["task_id"] == task.task_id]
    assert row["assignee"] is None  # the server's task names no counter either

    for handle in (cut_off, reachable):
        handle.sync()  # the cut-off terminal's sync fails: it never learns of the task
    actors.counter(world, cut_off, random.Random(2))
    assert task.state == "issued"  # it cannot count what its screen does not show
    actors.counter(world, reachable, random.Random(3))
    assert (task.state, task.counter) == ("counted", "t06-counter")
    assert task.op_id is not None and world.ops[task.op_id].terminal == "t06-counter"


def test_a_task_taken_by_one_counter_is_not_counted_again_by_the_other(world: World) -> None:
    first, second = _counter(world, "t03-counter"), _counter(world, "t06-counter")
    actors._issue_count_task(world, world.site.warehouses[0], random.Random(1))
    for handle in world.terminals:
        handle.sync()
    actors.counter(world, first, random.Random(2))
    (task,) = world.count_tasks.values()
    assert task.counter == "t03-counter"
    counted = len(second.recorded)
    actors.counter(world, second, random.Random(3))
    assert len(second.recorded) == counted  # nothing left for it: the pool is empty
