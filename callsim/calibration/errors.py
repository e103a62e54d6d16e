"""Errors of the calibration layer: one line per problem, naming the file, row and column."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["MAX_PROBLEMS", "RecordsError"]

#: At most this many problem lines are reported per file (then a count of the rest).
MAX_PROBLEMS = 20


class RecordsError(ValueError):
    """Call records (or a mapping file) that cannot be used.

    Parameters
    ----------
    problems : iterable of str
        One line per problem, ``FILE row N: column 'X': message``.
    """

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: list[str] = list(problems)
        super().__init__("\n".join(self.problems))

    def __str__(self) -> str:
        return "\n".join(self.problems)
