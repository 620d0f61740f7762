"""The hybrid logical clock never runs backwards and orders what it has seen."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.hlc import ClockOffset, HlcTimestamp, HybridClock


def test_local_events_in_one_millisecond_are_ordered_by_the_logical_part():
    clock = HybridClock()
    assert [clock.now(5) for _ in range(3)] == [HlcTimestamp(5, 0), HlcTimestamp(5, 1), HlcTimestamp(5, 2)]


def test_a_clock_that_jumps_back_does_not_make_time_run_backwards():
    clock = HybridClock()
    late = clock.now(10_000)
    assert clock.now(9_000) > late


def test_a_received_timestamp_from_a_fast_clock_is_overtaken():
    clock = HybridClock()
    clock.now(100)
    remote = HlcTimestamp(5_000, 7)
    seen = clock.observe(remote, 200)
    assert seen > remote and clock.now(300) > seen


@settings(derandomize=True, max_examples=200)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 10_000), st.integers(0, 10_000),
                          st.integers(0, 5)), max_size=40))
def test_timestamps_strictly_increase_whatever_the_physical_clock_does(events):
    clock = HybridClock()
    previous = clock.last
    for receive, physical, remote_wall, remote_logical in events:
        stamp = (clock.observe(HlcTimestamp(remote_wall, remote_logical), physical)
                 if receive else clock.now(physical))
        assert stamp > previous and stamp.wall_ms >= physical
        previous = stamp


def test_encoded_timestamps_sort_like_the_timestamps():
    stamps = [HlcTimestamp(2, 0), HlcTimestamp(10, 3), HlcTimestamp(10, 12), HlcTimestamp(1_764_200_000_000, 1)]
    assert sorted(s.encode() for s in stamps) == [s.encode() for s in sorted(stamps)]
    assert all(HlcTimestamp.decode(s.encode()) == s for s in stamps)


def test_the_offset_is_the_server_time_against_the_request_midpoint():
    offset = ClockOffset.learn(sent_ms=1_000, received_ms=1_200, server_time_ms=61_100)
    assert offset.offset_ms == 60_000
    assert offset.corrected_ms(2_000) == 62_000
