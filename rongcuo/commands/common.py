"""Shared helpers for the command line."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from rongcuo.policy.errors import PolicyError

F = TypeVar("F", bound=Callable[..., Any])


def friendly(fn: F) -> F:
    """Bad input becomes one message on standard error and exit status 2, never a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except PolicyError as exc:
            click.echo(f"rongcuo: {exc}", err=True)
            sys.exit(2)
        except (BrokenPipeError, KeyboardInterrupt):
            sys.exit(130)
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except Exception as exc:  # a bug, not bad input: say so briefly; RONGCUO_DEBUG=1 shows the traceback
            if os.environ.get("RONGCUO_DEBUG"):
                raise
            click.echo(f"rongcuo: 内部错误 {type(exc).__name__}: {exc}（设置 RONGCUO_DEBUG=1 查看详情）", err=True)
            sys.exit(3)

    return wrapper  # type: ignore[return-value]
