"""The one error type the policy library raises for bad input.

Every message names where the problem is (file, line, field) and what was expected,
so the command line can print it as one line and exit 2 without a traceback.
"""

from __future__ import annotations


class PolicyError(Exception):
    """Bad input: a malformed rule file, facts file, date or policy id."""

    def __init__(
        self, message: str, *, file: str | None = None, line: int | None = None, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.field = field

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        elif self.line:
            where = f"第{self.line}行: "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


class PolicyErrors(PolicyError):
    """Several problems found at once (a file is reported whole, not one error at a time)."""

    def __init__(self, errors: list[PolicyError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)
