"""The Merkle tree hash against a naive transcription of RFC 9162 §2.1.1 (no database)."""

from __future__ import annotations

import hashlib

import pytest

from rongcuo.audit.merkle import Frontier, empty_root, leaf_hash, node_hash, tree_hash


def sm3(data: bytes) -> bytes:
    return hashlib.new("sm3", data).digest()


def naive_mth(d: list[bytes]) -> bytes:
    """MTH exactly as RFC 9162 writes it: split at the largest power of two smaller than n."""
    n = len(d)
    if n == 0:
        return sm3(b"")
    if n == 1:
        return sm3(b"\x00" + d[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return sm3(b"\x01" + naive_mth(d[:k]) + naive_mth(d[k:]))


LEAVES = [sm3(str(i).encode()) for i in range(70)]


def test_sm3_is_the_hash() -> None:
    # GB/T 32905-2016 test vector, and SM3 of the empty string (the empty tree's root).
    assert sm3(b"abc").hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert empty_root().hex() == "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b"
    assert leaf_hash(b"x") == sm3(b"\x00x")
    assert node_hash(b"a" * 32, b"b" * 32) == sm3(b"\x01" + b"a" * 32 + b"b" * 32)


@pytest.mark.parametrize("n", range(1, 71))
def test_tree_hash_matches_rfc_9162(n: int) -> None:
    assert tree_hash(LEAVES[:n]) == naive_mth(LEAVES[:n])


def test_incremental_frontier_at_every_size() -> None:
    f = Frontier()
    assert f.root() == naive_mth([])
    for n, leaf in enumerate(LEAVES, 1):
        f.append(leaf)
        assert f.size == n and len(f.roots) == n.bit_count()
        assert f.root() == naive_mth(LEAVES[:n]), n
        # A frontier stored as text and read back continues the same tree.
        again = Frontier.from_text(n, f.to_text())
        assert again.roots == f.roots


def test_resumed_frontier_equals_one_pass() -> None:
    f = Frontier()
    f.extend(LEAVES[:37])
    resumed = Frontier.from_text(37, f.to_text())
    resumed.extend(LEAVES[37:])
    assert resumed.root() == tree_hash(LEAVES)
    assert f.copy().roots == f.roots


def test_different_leaves_or_order_give_different_roots() -> None:
    assert tree_hash(LEAVES[:8]) != tree_hash([*LEAVES[:7], LEAVES[8]])
    assert tree_hash(LEAVES[:8]) != tree_hash([LEAVES[1], LEAVES[0], *LEAVES[2:8]])
    # Domain separation: a leaf cannot pose as an inner node.
    assert tree_hash([LEAVES[0] + LEAVES[1]]) != tree_hash(LEAVES[:2])


@pytest.mark.parametrize(("size", "text"), [(3, "00" * 32), (1, "00" * 31), (-1, ""), (2, "zz" * 32)])
def test_malformed_frontier_is_refused(size: int, text: str) -> None:
    with pytest.raises(ValueError):
        Frontier.from_text(size, text)
