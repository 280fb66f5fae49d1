"""The `rongcuo` command line. Exit status: 0 ok, 1 a check or test failed, 2 bad input."""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rongcuo")
def main() -> None:
    """容错纠错 Rongcuo: 政策即代码、案件办理与结果运用。"""


def _register() -> None:
    import importlib

    # Each module defines one click group or command named like the module.
    for name in ("policy", "audit", "deadlines", "demo", "serve", "documents"):
        try:
            module = importlib.import_module(f"rongcuo.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"rongcuo.commands.{name}":
                raise
            continue
        main.add_command(getattr(module, name))
    # Excel exchange: two top-level commands from one module, `rongcuo import …` and `rongcuo export …`.
    from rongcuo.commands import exchange

    main.add_command(exchange.import_cmd)
    main.add_command(exchange.export_cmd)


_register()

if __name__ == "__main__":  # pragma: no cover
    main()
