"""``callsim init [FILE]``: write a commented starter scenario to edit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from callsim.cli.common import fail

__all__ = ["init_command"]


def init_command(
    file: Annotated[
        Path, typer.Argument(help="The scenario file to create (never overwritten).")
    ] = Path("scenario.yaml"),
) -> None:
    """Write a starter scenario: the reference case with a line of explanation on every field.

    Edit it, check it with 'callsim validate FILE' and compare policies with 'callsim
    report FILE'. Every field is described in docs/model.md.
    """
    from callsim.files.outputs import OutputSet
    from callsim.scenario.starter import write_starter  # importlib.resources: only here

    if file.exists() or file.is_symlink():
        raise fail(f"{file}: already exists; not overwritten (pick another name)")
    outputs = OutputSet()
    outputs.add(file, "")
    if problems := outputs.problems():
        raise fail(problems[0].replace(": : ", ": ", 1))
    try:
        with outputs.writing():
            written = write_starter(file)
    except FileExistsError:
        raise fail(f"{file}: already exists; not overwritten (pick another name)") from None
    except OSError as exc:
        raise fail(f"{file}: cannot be written ({exc.strerror or exc})") from None
    typer.echo(f"wrote {written}: edit it, then run callsim validate {written}")
