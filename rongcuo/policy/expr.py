"""The rule expression language: parsed with `ast`, never evaluated by Python.

Accepted: names, `and` / `or` / `not`, parentheses, the constants true/false,
`==` / `!=` (three-valued), and the functions any_of, all_of, at_least(k, ...).
Anything else is refused with a message saying what is allowed.

Values are three-valued (Kleene): True, False, or None for unknown.
`F and U = F`, `T or U = T`, `not U = U`: unknown never becomes false.

One parsed expression has three evaluators, all with the same semantics:
- `compile()` to a closure over a dict, for one case (fast, used with traces);
- `bits()` over Python integers used as truth tables, for exact decisive-fact analysis;
- `column()` over numpy int8 arrays (0 = false, 1 = unknown, 2 = true), for batches.
"""

from __future__ import annotations

import abc
import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import PolicyError

if TYPE_CHECKING:  # numpy is imported only by the column evaluators, so plain CLI use starts fast
    import numpy as np

Value = bool | None
Env = Mapping[str, Value]
Fn = Callable[[Env], Value]
Pair = tuple[int, int]  # dual-rail truth tables: (bits where true, bits where false); neither = unknown

FALSE8, UNKNOWN8, TRUE8 = 0, 1, 2  # int8 codes of the column representation
FUNCTIONS = ("any_of", "all_of", "at_least")
CONSTANTS = {"true": True, "True": True, "false": False, "False": False}


class Expr(abc.ABC):
    """A node of a parsed expression: every kind implements all three evaluators and its source text."""

    @abc.abstractmethod
    def names(self) -> frozenset[str]: ...

    @abc.abstractmethod
    def compile(self) -> Fn: ...

    @abc.abstractmethod
    def bits(self, env: Mapping[str, int], full: int) -> int:
        """Two-valued evaluation over truth tables: each name maps to an int whose bits are its values."""

    @abc.abstractmethod
    def tri(self, env: Mapping[str, Pair], full: int) -> Pair:
        """Three-valued evaluation over truth tables, dual rail: (completions where true, where false)."""

    @abc.abstractmethod
    def column(self, env: Mapping[str, np.ndarray], n: int) -> np.ndarray: ...

    @abc.abstractmethod
    def source(self) -> str: ...


@dataclass(frozen=True)
class Const(Expr):
    value: bool

    def names(self) -> frozenset[str]:
        return frozenset()

    def compile(self) -> Fn:
        v = self.value
        return lambda env: v

    def bits(self, env: Mapping[str, int], full: int) -> int:
        return full if self.value else 0

    def tri(self, env: Mapping[str, Pair], full: int) -> Pair:
        return (full, 0) if self.value else (0, full)

    def column(self, env: Mapping[str, np.ndarray], n: int) -> np.ndarray:
        import numpy as np

        return np.full(n, TRUE8 if self.value else FALSE8, dtype=np.int8)

    def source(self) -> str:
        return "true" if self.value else "false"


@dataclass(frozen=True)
class Name(Expr):
    name: str

    def names(self) -> frozenset[str]:
        return frozenset((self.name,))

    def compile(self) -> Fn:
        key = self.name
        return lambda env: env.get(key)

    def bits(self, env: Mapping[str, int], full: int) -> int:
        return env[self.name]

    def tri(self, env: Mapping[str, Pair], full: int) -> Pair:
        return env[self.name]

    def column(self, env: Mapping[str, np.ndarray], n: int) -> np.ndarray:

        return env[self.name]

    def source(self) -> str:
        return self.name


@dataclass(frozen=True)
class Not(Expr):
    item: Expr

    def names(self) -> frozenset[str]:
        return self.item.names()

    def compile(self) -> Fn:
        inner = self.item.compile()

        def f(env: Env) -> Value:
            v = inner(env)
            return None if v is None else not v

        return f

    def bits(self, env: Mapping[str, int], full: int) -> int:
        return full ^ self.item.bits(env, full)

    def tri(self, env: Mapping[str, Pair], full: int) -> Pair:
        t, f = self.item.tri(env, full)
        return f, t

    def column(self, env: Mapping[str, np.ndarray], n: int) -> np.ndarray:

        return TRUE8 - self.item.column(env, n)

    def source(self) -> str:
        return f"not {_paren(self.item)}"


@dataclass(frozen=True)
class And(Expr):
    items: tuple[Expr, ...]

    def names(self) -> frozenset[str]:
        return frozenset().union(*(i.names() for i in self.items))

    def compile(self) -> Fn:
        fs = tuple(i.compile() for i in self.items)

        def f(env: Env) -> Value:
            result: Value = True
            for g in fs:
                v = g(env)
                if v is False:
                    return False
                if v is None:
                    result = None
            return result

        return f

    def bits(self, env: Mapping[str, int], full: int) -> int:
        out = full
        for i in self.items:
            out &= i.bits(env, full)
        return out

    def tri(self, env: Mapping[str, Pair], full: int) -> Pair:
        t, f = full, 0
        for i in self.items:
            it, jf = i.tri(env, full)
            t &= it
            f |= jf
        return t, f

    def column(self, env: Mapping[str, np.ndarray], n: int) -> np.ndarray:
        import numpy as np

        cols = [i.column(env, n) for i in self.items]
        out = np.minimum(cols[0], cols[1])
        for c in cols[2:]:
            np.minimum(out, c, out=out)
        return out

    def source(self) -> str:
        return " and ".join(_paren(i) for i in self.items)


@dataclass(frozen=True)
class Or(Expr):
    items: tuple[Expr, ...]

    def names(self) -> frozenset[str]:
        return frozenset().union(*(i.names() for i in self.items))

    def compile(self) -> Fn:
        fs = tuple(i.compile() for i in self.items)

        def f(env: Env) -> Value:
            result: Value = False
            for g in fs:
                v = g(env)
                if v is True:
                    return True
                if v is None:
                    result = None
            return result

        return f

    def bits(self, env: Mapping[str, int], full: int) -> int:
        out = 0
        for i in self.items:
            out |= i.bits(env, full)
        return out

    def tri(self, env: Mapping[str, Pair], full: int) -> Pair:
        t, f = 0, full
        for i in self.items:
            it, jf = i.tri(env, full)
            t |= it
            f &= jf
        return t, f

    def column(self, env: Mapping[str, np.ndarray], n: int) -> np.ndarray:
        import numpy as np

        cols = [i.column(env, n) for i in self.items]
        out = np.maximum(cols[0], cols[1])
        for c in cols[2:]:
            np.maximum(out, c, out=out)
        return out

    def source(self) -> str:
        return " or ".join(_paren(i) for i in self.items)


@dataclass(frozen=True)
class AtLeast(Expr):
    k: int
    items: tuple[Expr, ...]

    def names(self) -> frozenset[str]:
        return frozenset().union(*(i.names() for i in self.items))

    def compile(self) -> Fn:
        fs = tuple(i.compile() for i in self.items)
        k = self.k

        def f(env: Env) -> Value:
            true = unknown = 0
            for g in fs:
                v = g(env)
                if v is True:
                    true += 1
                elif v is None:
                    unknown += 1
            if true >= k:
                return True
            if true + unknown < k:
                return False
            return None

        if k == 0:
            return lambda env: True
        return f

    def bits(self, env: Mapping[str, int], full: int) -> int:
        # reach[j] = completions where at least j items so far are true
        reach = [full] + [0] * self.k
        for item in self.items:
            x = item.bits(env, full)
            for j in range(self.k, 0, -1):
                reach[j] |= reach[j - 1] & x
        return reach[self.k]

    def tri(self, env: Mapping[str, Pair], full: int) -> Pair:
        # true where at least k items are true; false where fewer than k items can still be true
        true = [full] + [0] * self.k
        possible = [full] + [0] * self.k
        for item in self.items:
            t, f = item.tri(env, full)
            may = full ^ f
            for j in range(self.k, 0, -1):
                true[j] |= true[j - 1] & t
                possible[j] |= possible[j - 1] & may
        return true[self.k], full ^ possible[self.k]

    def column(self, env: Mapping[str, np.ndarray], n: int) -> np.ndarray:
        import numpy as np

        true = np.zeros(n, dtype=np.int16)
        possible = np.zeros(n, dtype=np.int16)
        for item in self.items:
            c = item.column(env, n)
            true += c == TRUE8
            possible += c >= UNKNOWN8
        out = np.full(n, UNKNOWN8, dtype=np.int8)
        out[true >= self.k] = TRUE8
        out[possible < self.k] = FALSE8
        return out

    def source(self) -> str:
        return f"at_least({self.k}, {', '.join(i.source() for i in self.items)})"


@dataclass(frozen=True)
class Same(Expr):
    """`a == b` (or `a != b` when negate): unknown if either side is unknown."""

    left: Expr
    right: Expr
    negate: bool = False

    def names(self) -> frozenset[str]:
        return self.left.names() | self.right.names()

    def compile(self) -> Fn:
        lf, rf, neg = self.left.compile(), self.right.compile(), self.negate

        def f(env: Env) -> Value:
            a, b = lf(env), rf(env)
            if a is None or b is None:
                return None
            return (a == b) != neg

        return f

    def bits(self, env: Mapping[str, int], full: int) -> int:
        same = full ^ (self.left.bits(env, full) ^ self.right.bits(env, full))
        return full ^ same if self.negate else same

    def tri(self, env: Mapping[str, Pair], full: int) -> Pair:
        at, af = self.left.tri(env, full)
        bt, bf = self.right.tri(env, full)
        same, other = (at & bt) | (af & bf), (at & bf) | (af & bt)
        return (other, same) if self.negate else (same, other)

    def column(self, env: Mapping[str, np.ndarray], n: int) -> np.ndarray:
        import numpy as np

        a, b = self.left.column(env, n), self.right.column(env, n)
        eq = (a == b) != self.negate
        out = np.where(eq, TRUE8, FALSE8).astype(np.int8)
        out[(a == UNKNOWN8) | (b == UNKNOWN8)] = UNKNOWN8
        return out

    def source(self) -> str:
        return f"{_paren(self.left)} {'!=' if self.negate else '=='} {_paren(self.right)}"


@dataclass(frozen=True)
class Unknown(Expr):
    """The constant unknown: what an open or partly encoded list says outside what it lists.

    Never produced by parsing (a rule file cannot write it); the loader adds it for `open_situations`.
    It has no two-valued truth table: `bits` refuses, `tri` is (0, 0).
    """

    def names(self) -> frozenset[str]:
        return frozenset()

    def compile(self) -> Fn:
        return lambda env: None

    def bits(self, env: Mapping[str, int], full: int) -> int:
        raise ValueError("the unknown constant has no two-valued truth table")

    def tri(self, env: Mapping[str, Pair], full: int) -> Pair:
        return 0, 0

    def column(self, env: Mapping[str, np.ndarray], n: int) -> np.ndarray:
        import numpy as np

        return np.full(n, UNKNOWN8, dtype=np.int8)

    def source(self) -> str:
        return "unknown"


def _paren(e: Expr) -> str:
    return f"({e.source()})" if isinstance(e, And | Or | Same) else e.source()


def parse(text: str) -> Expr:
    """Parse a rule expression; raise PolicyError naming what is not allowed."""
    if not isinstance(text, str) or not text.strip():
        raise PolicyError("表达式为空，应为由事实名、and/or/not 组成的条件")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        col = exc.offset if exc.offset and exc.offset > 0 else len(text.strip())
        raise PolicyError(f"表达式语法错误（第{col}列附近）: {text.strip()}") from None
    except (ValueError, RecursionError, MemoryError):
        raise PolicyError(f"表达式无法解析: {text.strip()[:80]}") from None
    try:
        return _convert(tree.body)
    except RecursionError:
        raise PolicyError("表达式嵌套过深") from None


def _convert(node: ast.AST) -> Expr:
    if isinstance(node, ast.BoolOp):
        items = tuple(_convert(v) for v in node.values)
        return And(items) if isinstance(node.op, ast.And) else Or(items)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return Not(_convert(node.operand))
    if isinstance(node, ast.Name):
        if node.id in CONSTANTS:
            return Const(CONSTANTS[node.id])
        return Name(node.id)
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return Const(node.value)
    if isinstance(node, ast.Compare):
        if len(node.ops) != 1:
            raise PolicyError("表达式不允许连续比较，请用 and 连接")
        op = node.ops[0]
        if not isinstance(op, ast.Eq | ast.NotEq):
            raise PolicyError(f"表达式只允许 == 和 != 比较，不允许 {type(op).__name__}")
        left, right = _convert(node.left), _convert(node.comparators[0])
        negate = isinstance(op, ast.NotEq)
        # `x == true` is just x; `x == false` is not x: keep the tree small.
        for a, b in ((left, right), (right, left)):
            if isinstance(b, Const):
                return a if b.value != negate else Not(a)
        return Same(left, right, negate)
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            shown = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            raise PolicyError(f"表达式不允许调用 {shown}，只允许 {', '.join(FUNCTIONS)}")
        if node.keywords:
            raise PolicyError(f"{node.func.id} 不接受关键字参数")
        name = node.func.id
        if name == "at_least":
            if len(node.args) < 2 or not _is_int(node.args[0]):
                raise PolicyError("at_least 的写法应为 at_least(k, 条件1, 条件2, …)，k 为非负整数")
            k = node.args[0].value  # type: ignore[attr-defined]
            items = tuple(_convert(a) for a in node.args[1:])
            if k > len(items):
                raise PolicyError(f"at_least({k}, …) 只有 {len(items)} 项，永远不能成立")
            return AtLeast(k, items)
        if not node.args:
            raise PolicyError(f"{name} 至少需要一项")
        items = tuple(_convert(a) for a in node.args)
        if len(items) == 1:
            return items[0]
        return Or(items) if name == "any_of" else And(items)
    shown = ast.unparse(node) if isinstance(node, ast.expr) else type(node).__name__
    raise PolicyError(
        f"表达式中不允许出现 {shown!r}：只允许事实名、true/false、and/or/not、==/!=、any_of/all_of/at_least"
    )


def _is_int(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int)
        and not isinstance(node.value, bool)
        and node.value >= 0
    )


def kleene_and(values: list[Value]) -> Value:
    result: Value = True
    for v in values:
        if v is False:
            return False
        if v is None:
            result = None
    return result


def kleene_or(values: list[Value]) -> Value:
    result: Value = False
    for v in values:
        if v is True:
            return True
        if v is None:
            result = None
    return result
