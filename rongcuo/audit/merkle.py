"""RFC 9162 §2.1.1 Merkle Tree Hash, with SM3 as the hash function.

    MTH({})      = SM3()
    MTH({d0})    = SM3(0x00 || d0)
    MTH(D[0:n])  = SM3(0x01 || MTH(D[0:k]) || MTH(D[k:n]))   k: the largest power of two < n

The audit checkpoints use the records' chain hashes (32 raw bytes each) as leaf data.

A Frontier holds, for a tree of `size` leaves, the roots of its complete subtrees (one per 1 bit of
size, largest first). Appending a leaf merges equal-sized roots like a binary counter, so extending a
tree costs two hashes per leaf on average, and the root is a fold over at most 64 roots. This is what
lets a checkpoint continue from the previous one instead of rehashing the whole log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

HASH_SIZE = 32
_SM3 = hashlib.new("sm3")  # copying a ready object skips the algorithm lookup hashlib.new does per call


def _sm3(data: bytes) -> bytes:
    h = _SM3.copy()
    h.update(data)
    return h.digest()


def leaf_hash(data: bytes) -> bytes:
    return _sm3(b"\x00" + data)


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sm3(b"\x01" + left + right)


def empty_root() -> bytes:
    return _sm3(b"")


class Frontier:
    """The right edge of a Merkle tree: enough to extend it and to compute its root."""

    __slots__ = ("roots", "size")

    def __init__(self, size: int = 0, roots: Iterable[bytes] = ()) -> None:
        self.size = size
        self.roots = list(roots)
        if size < 0 or len(self.roots) != size.bit_count() or any(len(r) != HASH_SIZE for r in self.roots):
            raise ValueError(f"frontier of a {size}-leaf tree needs {size.bit_count()} roots of {HASH_SIZE} bytes")

    def append(self, leaf_data: bytes) -> None:
        node = leaf_hash(leaf_data)
        size = self.size
        roots = self.roots
        while size & 1:  # each trailing 1 bit is a complete subtree of the new leaf's size: merge
            node = node_hash(roots.pop(), node)
            size >>= 1
        roots.append(node)
        self.size += 1

    def extend(self, leaves: Iterable[bytes]) -> None:
        for leaf in leaves:
            self.append(leaf)

    def root(self) -> bytes:
        if not self.roots:
            return empty_root()
        # The largest power of two below n is the leftmost complete subtree; the right part is the
        # same construction on the rest, hence a right fold.
        node = self.roots[-1]
        for left in reversed(self.roots[:-1]):
            node = node_hash(left, node)
        return node

    def copy(self) -> Frontier:
        return Frontier(self.size, self.roots)

    def to_text(self) -> str:
        return "".join(r.hex() for r in self.roots)

    @classmethod
    def from_text(cls, size: int, text: str) -> Frontier:
        raw = bytes.fromhex(text)
        return cls(size, [raw[i : i + HASH_SIZE] for i in range(0, len(raw), HASH_SIZE)])


def tree_hash(leaves: Iterable[bytes]) -> bytes:
    """MTH over all leaves (leaf data, not leaf hashes)."""
    f = Frontier()
    f.extend(leaves)
    return f.root()
