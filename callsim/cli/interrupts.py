"""Ctrl-C on the command line: exit code 130, one line on stderr, no traceback, no partial file.

A terminal sends SIGINT to the whole foreground process group. Pool workers ignore it
(:mod:`callsim.experiments.executors`); in the ``callsim`` process the phases are:

- while the modules load (before any work): :func:`quiet_while_starting` ends the process at
  once with 130;
- while a command runs: Python's ``KeyboardInterrupt`` unwinds it, so every ``with`` block
  cleans up (the batch runner kills its workers, an output set being written removes its
  temporary files); :func:`interruptible` then prints ``interrupted`` and ends the process with
  130 at once (``os._exit``, after flushing), so no clean-up at interpreter exit can hang or
  print a traceback;
- once the command has finished: Ctrl-C is ignored; the exit code says what was written.

Only the ``callsim`` program itself changes signal handling; the library and in-process test
runs keep Python's default.
"""

from __future__ import annotations

import functools
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import ParamSpec, TypeVar

__all__ = ["EXIT_INTERRUPTED", "MESSAGE", "interruptible", "quiet_while_starting"]

#: Exit code after Ctrl-C (128 + SIGINT, what shells report).
EXIT_INTERRUPTED = 130
#: The one line printed on stderr.
MESSAGE = "interrupted"

P = ParamSpec("P")
T = TypeVar("T")


#: ``python -m callsim`` runs this file.
_MAIN = Path(__file__).resolve().parents[1] / "__main__.py"


def _program() -> bool:
    """Whether this process is the ``callsim`` program (not a library user or a test run).

    Not when SIGINT is ignored (a background job of a script): that choice is kept.
    """
    started = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    return (started is not None and (started.name == "callsim" or started.resolve() == _MAIN)
            and signal.getsignal(signal.SIGINT) is not signal.SIG_IGN)


def _exit_now(message: bool = True) -> None:
    """End the process with 130 at once, without interpreter clean-up.

    :data:`MESSAGE` is printed unless the command has said it was interrupted (``sweep``).
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    try:
        if message:
            os.write(2, f"{MESSAGE}\n".encode())
    except OSError:
        pass
    os._exit(EXIT_INTERRUPTED)


def _while_starting(signum: int, frame: FrameType | None) -> None:
    _exit_now()


def quiet_while_starting() -> None:
    """In the ``callsim`` program, make Ctrl-C during start-up exit 130 quietly."""
    if _program() and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _while_starting)


class _Interrupts:
    """Whether SIGINT has arrived while the command ran (set by :func:`_on_sigint`)."""

    seen = False


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    """The command's SIGINT handler: remember it, then raise ``KeyboardInterrupt`` as usual.

    Remembering matters because a library may turn the ``KeyboardInterrupt`` into another
    error (Python itself wraps one raised while a class is created, in ``__set_name__``, in a
    ``RuntimeError``): whatever escapes the command after a Ctrl-C is an interruption.
    """
    _Interrupts.seen = True
    raise KeyboardInterrupt


def interruptible(command: Callable[P, T]) -> Callable[P, T]:
    """Wrap a command: Ctrl-C while it runs exits 130 with one line, once its blocks cleaned up.

    Outside the ``callsim`` program (an in-process test run) the ``KeyboardInterrupt``
    propagates as usual after printing the line.
    """
    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        program = _program()
        if program:
            signal.signal(signal.SIGINT, _on_sigint)
        try:
            value = command(*args, **kwargs)
        except KeyboardInterrupt:
            if program:
                _exit_now()
            print(MESSAGE, file=sys.stderr)
            raise
        except BaseException as error:
            if program and _Interrupts.seen:  # the interruption, whatever a library made of it
                said = getattr(error, "exit_code", None) == EXIT_INTERRUPTED  # sweep's line
                _exit_now(message=not said)
            raise
        finally:
            if program:
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # finished: nothing to interrupt
        if program and _Interrupts.seen:
            _exit_now()  # swallowed by a library: the work may be incomplete
        return value

    return run
