"""The `rongcuo` command line. Exit status: 0 ok, 1 a check or test failed, 2 bad input."""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rongcuo")
def main() -> None:
    """容错纠错 Rongcuo: 政策即代码、案件办理与结果运用。"""


def _register() -> None:
    from rongcuo.commands.policy import policy

    main.add_command(policy)


_register()

if __name__ == "__main__":  # pragma: no cover
    main()
