"""A reduced, ordered three-way decision diagram over facts valued true / false / unknown.

Each fact is one level; a node has one child per value (T, F, U) and a terminal holds any hashable
value (a Kleene value, or a label such as (outcome, deciding rule)). Nodes are hash-consed and a node
whose three children are the same is never made, so equal functions are the same node and a fact the
function does not depend on never appears on its paths. Operations are memoised (`apply`).

Why not a BDD package: a BDD is two-valued; encoding three values as two bits per fact needs a
validity constraint on every count and turns each region into bit patterns. The three-way diagram
counts the 3^n fact patterns directly and its paths are the disjoint regions users read.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Any

VALUES = (True, False, None)  # child order: T, F, U
TERMINAL = 1 << 30  # level of terminals: below every fact


class Diagram:
    def __init__(self, order: Sequence[str]) -> None:
        self.order = list(order)
        self.level = {f: i for i, f in enumerate(self.order)}
        self.lvl: list[int] = []  # node id -> level (TERMINAL for terminals)
        self.kids: list[tuple[int, int, int] | None] = []
        self.val: list[Any] = []
        self._unique: dict[tuple[int, int, int, int], int] = {}
        self._terms: dict[Hashable, int] = {}
        self._memo: dict[tuple, int] = {}

    # --- construction ---

    def terminal(self, value: Hashable) -> int:
        key = (type(value), value)  # True and 1 are equal in Python, but not here
        node = self._terms.get(key)
        if node is None:
            node = len(self.lvl)
            self.lvl.append(TERMINAL)
            self.kids.append(None)
            self.val.append(value)
            self._terms[key] = node
        return node

    def node(self, level: int, t: int, f: int, u: int) -> int:
        if t == f == u:
            return t
        key = (level, t, f, u)
        node = self._unique.get(key)
        if node is None:
            node = len(self.lvl)
            self.lvl.append(level)
            self.kids.append((t, f, u))
            self.val.append(None)
            self._unique[key] = node
        return node

    def var(self, fact: str) -> int:
        """The fact itself: its own value."""
        return self.node(self.level[fact], self.terminal(True), self.terminal(False), self.terminal(None))

    def is_terminal(self, node: int) -> bool:
        return self.lvl[node] == TERMINAL

    # --- operations ---

    def apply(self, name: str, fn: Callable[..., Hashable], *nodes: int) -> int:
        """The diagram of fn(values of nodes), memoised under `name` (one name per distinct fn)."""
        key = (name, *nodes)
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        lvl = self.lvl
        top = min(lvl[n] for n in nodes)
        if top == TERMINAL:
            out = self.terminal(fn(*(self.val[n] for n in nodes)))
        else:
            branches = []
            for i in range(3):
                branches.append(
                    self.apply(name, fn, *(self.kids[n][i] if lvl[n] == top else n for n in nodes))  # type: ignore[index]
                )
            out = self.node(top, branches[0], branches[1], branches[2])
        self._memo[key] = out
        return out

    def restrict(self, node: int, given: dict[str, Any]) -> int:
        """The diagram with some facts fixed (cofactor)."""
        levels = {self.level[f]: VALUES.index(v) for f, v in given.items() if f in self.level}
        if not levels:
            return node
        memo: dict[int, int] = {}

        def go(n: int) -> int:
            if self.lvl[n] == TERMINAL:
                return n
            hit = memo.get(n)
            if hit is not None:
                return hit
            kids = self.kids[n]
            assert kids is not None
            i = levels.get(self.lvl[n])
            out = go(kids[i]) if i is not None else self.node(self.lvl[n], go(kids[0]), go(kids[1]), go(kids[2]))
            memo[n] = out
            return out

        return go(node)

    # --- reading ---

    def support(self, node: int) -> set[str]:
        seen: set[int] = set()
        out: set[int] = set()
        stack = [node]
        while stack:
            n = stack.pop()
            if n in seen or self.lvl[n] == TERMINAL:
                continue
            seen.add(n)
            out.add(self.lvl[n])
            stack.extend(self.kids[n])  # type: ignore[arg-type]
        return {self.order[i] for i in out}

    def regions(self, node: int, skip: Callable[[Any], bool]) -> Iterator[tuple[dict[str, frozenset], Any]]:
        """Disjoint cubes covering every assignment whose terminal value is not skipped: each a map from the
        facts it constrains to the set of values they may take (children leading to the same node are merged
        into one branch), with the terminal value. Facts not in a cube may take any value."""
        path: dict[str, frozenset] = {}

        def go(n: int) -> Iterator[tuple[dict[str, frozenset], Any]]:
            if self.lvl[n] == TERMINAL:
                if not skip(self.val[n]):
                    yield dict(path), self.val[n]
                return
            fact = self.order[self.lvl[n]]
            kids = self.kids[n]
            assert kids is not None
            groups: dict[int, list[Any]] = {}
            for value, kid in zip(VALUES, kids, strict=True):
                groups.setdefault(kid, []).append(value)
            for kid, values in groups.items():
                path[fact] = frozenset(values)
                yield from go(kid)
            del path[fact]

        yield from go(node)

    def cubes(self, node: int, skip: Callable[[Any], bool]) -> list[tuple[tuple[tuple[int, int], ...], Any]]:
        """The same disjoint cover as `regions`, built bottom-up with each node's cubes computed once and the
        cubes of a node's children merged where they are the same below it: ((level, value mask), …) with
        T=1, F=2, U=4 (a level absent = any value), and the terminal value."""
        memo: dict[int, list[tuple[tuple[tuple[int, int], ...], Any]]] = {}
        masks = (1, 2, 4)

        def go(n: int) -> list[tuple[tuple[tuple[int, int], ...], Any]]:
            hit = memo.get(n)
            if hit is not None:
                return hit
            if self.lvl[n] == TERMINAL:
                out = [] if skip(self.val[n]) else [((), self.val[n])]
            else:
                kids = self.kids[n]
                assert kids is not None
                acc: dict[tuple[tuple[tuple[int, int], ...], Any], int] = {}
                for bit, kid in zip(masks, kids, strict=True):
                    for tail in go(kid):
                        acc[tail] = acc.get(tail, 0) | bit
                level = self.lvl[n]
                out = [(tail if m == 7 else ((level, m), *tail), v) for (tail, v), m in acc.items()]
            memo[n] = out
            return out

        return go(node)

    def evaluate(self, node: int, facts: dict[str, Any]) -> Any:
        """The terminal value on one full or partial assignment (missing facts are unknown)."""
        n = node
        while self.lvl[n] != TERMINAL:
            v = facts.get(self.order[self.lvl[n]])
            n = self.kids[n][VALUES.index(v)]  # type: ignore[index]
        return self.val[n]

    def size(self) -> int:
        return len(self.lvl)
