"""Options shared by several commands (one decorator each) and output helpers."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

F = TypeVar("F", bound=Callable[..., object])


def graph_option(func: F) -> F:
    """``--graph DIR``: a build folder (default exports/)."""
    return click.option("--graph", "-g", type=click.Path(path_type=Path), default=Path("exports"),
                        show_default=True, help="Build folder holding kg.ttl (from `kg build --out`).")(func)  # type: ignore[return-value]


def out_option(func: F) -> F:
    """``--out DIR``: where a build writes (default exports/)."""
    return click.option("--out", "-o", type=click.Path(path_type=Path), default=Path("exports"),
                        show_default=True, help="Folder to write the graph and tables into.")(func)  # type: ignore[return-value]


def write_output(text: str, dest: str) -> None:
    """Write text to a file, or to stdout when ``dest`` is ``-``."""
    if dest == "-":
        sys.stdout.write(text)
        return
    from kg.export import write_atomic

    write_atomic(Path(dest), text)
    click.echo(f"wrote {dest}", err=True)
