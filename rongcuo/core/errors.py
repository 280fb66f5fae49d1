"""Errors raised by actions and access checks; the API and views turn them into clear answers."""

from __future__ import annotations


class ActionError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_dict(self) -> dict[str, str | None]:
        return {"error": self.code, "message": self.message, "field": self.field}


class Invalid(ActionError):
    status = 400
    code = "invalid"

    def __init__(self, message: str, field: str | None = None, fields: dict[str, str] | None = None) -> None:
        super().__init__(message, field)
        # Every field's message (without the "field: " prefix), for forms that show each beside its input.
        self.fields = dict(fields) if fields else ({field: message} if field else {})


class NotFound(ActionError):
    """Missing and forbidden look the same, so existence never leaks."""

    status = 404
    code = "not_found"

    def __init__(self, message: str = "对象不存在或无权访问", field: str | None = None) -> None:
        super().__init__(message, field)


class Forbidden(ActionError):
    """The object is visible to the user, but this action is not theirs to take now."""

    status = 403
    code = "forbidden"


class Conflict(ActionError):
    """The object changed underneath the request (a concurrent transition won)."""

    status = 409
    code = "conflict"


class Unauthenticated(ActionError):
    status = 401
    code = "unauthenticated"
