"""R8 exactly once: batch sequence checks and the classification of each op."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.conflict.dedup import Duplicate, Fresh, SeqGap, check_batch_seq, classify_op
from engine.model import Rejected


@pytest.mark.parametrize(
    ("next_expected", "seqs", "verdict"),
    [
        pytest.param(1, [], None, id="empty batch → fine"),
        pytest.param(1, [1, 2, 3], None, id="first batch from 1 → fine"),
        pytest.param(41, [41], None, id="exactly the next one → fine"),
        pytest.param(41, [38, 39, 40, 41, 42], None, id="re-sends then new ops → fine"),
        pytest.param(41, [38, 39], None, id="only re-sends → fine"),
        pytest.param(41, [42, 43], SeqGap(41), id="starts beyond the next expected → gap"),
        pytest.param(41, [41, 43], SeqGap(41), id="hole inside the batch → gap"),
        pytest.param(41, [39, 41], SeqGap(41), id="hole among re-sends → gap"),
        pytest.param(41, [41, 41], SeqGap(41), id="repeated seq → not strictly ascending"),
        pytest.param(41, [42, 41], SeqGap(41), id="descending → gap"),
    ],
)
def test_check_batch_seq(next_expected: int, seqs: list[int], verdict: SeqGap | None) -> None:
    assert check_batch_seq(next_expected, seqs) == verdict


ANSWERED: dict[str, tuple[str, str | None, str | None]] = {
    "op-applied": ("applied", None, None),
    "op-put-back": ("applied", "put_back", "1 × SKU-1 beyond the open quantity"),
    "op-refused": ("rejected", "unknown_sku", "SKU 'X' is not known"),
}


@pytest.mark.parametrize(
    ("op_id", "seq", "verdict"),
    [
        pytest.param("op-new", 41, Fresh(), id="new op at the next seq → fresh"),
        pytest.param("op-new", 45, Fresh(), id="new op further on (batch checked already) → fresh"),
        pytest.param(
            "op-applied", 40, Duplicate("applied", None, None), id="re-sent applied op → duplicate"
        ),
        pytest.param(
            "op-put-back", 39,
            Duplicate("applied", "put_back", "1 × SKU-1 beyond the open quantity"),
            id="re-sent op → the first answer's code and reason again",
        ),
        pytest.param(
            "op-refused", 38, Duplicate("rejected", "unknown_sku", "SKU 'X' is not known"),
            id="re-sent rejected op → still the first rejection",
        ),
        pytest.param(
            "op-applied", 41, Duplicate("applied", None, None),
            id="known op id under a new seq → duplicate, never applied twice",
        ),
        pytest.param("op-other", 40, "seq_reused", id="unknown op under a used seq → seq_reused"),
    ],
)
def test_classify_op(op_id: str, seq: int, verdict: Fresh | Duplicate | str) -> None:
    result = classify_op(op_id, seq, 41, ANSWERED)
    if isinstance(verdict, str):
        assert isinstance(result, Rejected)
        assert result.code == verdict
    else:
        assert result == verdict


@settings(derandomize=True, max_examples=200, deadline=None)
@given(
    next_expected=st.integers(1, 30),
    start=st.integers(1, 40),
    length=st.integers(1, 8),
    hole_at=st.one_of(st.none(), st.integers(1, 7)),
)
def test_a_batch_passes_iff_it_is_contiguous_and_reaches_no_further_than_expected(
    next_expected: int, start: int, length: int, hole_at: int | None
) -> None:
    seqs = list(range(start, start + length))
    if hole_at is not None and hole_at < length:
        seqs = seqs[:hole_at] + [s + 1 for s in seqs[hole_at:]]
    contiguous = all(b == a + 1 for a, b in zip(seqs, seqs[1:]))
    passes = contiguous and seqs[0] <= next_expected
    assert (check_batch_seq(next_expected, seqs) is None) is passes
