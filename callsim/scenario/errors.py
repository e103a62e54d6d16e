"""Scenario errors: one line per problem, ``FILE: field.path: message``.

Validation happens once, with pydantic; this module only turns pydantic's
errors into short lines an analyst can act on, and gives validators a way to
report several problems, each at its own field path.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable, Sequence
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, Tag, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

__all__ = [
    "ScenarioError",
    "did_you_mean",
    "field_errors",
    "format_problem",
    "nested_problems",
    "one_line",
    "validation_problems",
]

Loc = tuple[str | int, ...]


class ScenarioError(Exception):
    """A scenario that cannot be used, with every problem found.

    Parameters
    ----------
    problems : iterable of str
        One line per problem, ``FILE: field.path: message``.
    """

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: list[str] = list(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        return "\n".join(self.problems)


def format_problem(source: str, path: str, message: str) -> str:
    """One problem line: ``source: path: message`` (``source: message`` without a path).

    Characters that would break the line (a key holding ``\\r`` or ``\\n``, other control
    characters) are shown escaped, so one problem is always one line.
    """
    source, path, message = one_line(source), one_line(path), one_line(message)
    return f"{source}: {path}: {message}" if path else f"{source}: {message}"


def one_line(text: str) -> str:
    """``text`` with every non-printable character escaped (``\\n`` for a newline).

    Examples
    --------
    >>> one_line("a\\nb")
    'a\\\\nb'
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text)


def field_errors(title: str, problems: Sequence[tuple[Loc, str]]) -> ValidationError:
    """Build a :class:`pydantic.ValidationError` with one error per ``(loc, message)``.

    Raised inside a pydantic validator, its errors keep their own locations
    (relative to the model being validated), so every problem names its field.
    """
    details = [
        InitErrorDetails(
            type=PydanticCustomError("scenario", "{message}", {"message": message}),
            loc=loc,
            input=None,
        )
        for loc, message in problems
    ]
    return ValidationError.from_exception_data(title, details)


def validation_problems(
    error: ValidationError, source: str, model: type[BaseModel] | None = None
) -> list[str]:
    """Turn a pydantic error into ``FILE: field.path: message`` lines.

    Parameters
    ----------
    error : pydantic.ValidationError
        The error raised by validating ``model``.
    source : str
        File name shown at the start of each line.
    model : type, optional
        The validated model. With it, the union tags pydantic puts in error
        locations (``handle_time.lognormal.sd``) are dropped (``handle_time.sd``).

    Returns
    -------
    list of str
        One line per error, duplicates removed, in pydantic's order.
    """
    lines: list[str] = []
    for err in error.errors(include_url=False):
        line = format_problem(source, _field_path(err["loc"], model), _message(err, model))
        if line not in lines:
            lines.append(line)
    return lines


def nested_problems(error: ValidationError, model: type[BaseModel]) -> list[tuple[Loc, str]]:
    """``(loc, message)`` per error of validating ``model``, for :func:`field_errors`.

    For the validator of an enclosing model that validates ``model`` itself: union tags are
    dropped from the locations and the messages shortened, as :func:`validation_problems` does.
    """
    problems: list[tuple[Loc, str]] = []
    for err in error.errors(include_url=False):
        path = _field_path(err["loc"], model)
        problems.append((tuple(path.split(".")) if path else (), _message(err, model)))
    return problems


# -- locations ---------------------------------------------------------------------------------


def _field_path(loc: Loc, annotation: Any) -> str:
    """Join ``loc`` with dots, skipping union tags and pydantic's ``[key]`` marker."""
    return ".".join(_walk(loc, annotation)[0])


def _walk(loc: Loc, annotation: Any) -> tuple[list[str], Any]:
    """The shown parts of ``loc`` and the type that holds its last segment (None if unknown)."""
    parts: list[str] = []
    tp = parent = annotation
    for seg in loc:
        parent = tp
        tp = _unwrap(tp)
        members = _union_members(tp)
        if members is not None:
            if isinstance(seg, str) and seg in members:
                tp = members[seg]
                continue
            tp = None
        if seg == "[key]":
            continue
        parts.append(str(seg))
        parent, tp = tp, _child(tp, seg)
    return parts, parent


def _unwrap(tp: Any) -> Any:
    """Strip ``Annotated`` and ``| None`` from a type."""
    while True:
        if get_origin(tp) is typing.Annotated:
            tp = get_args(tp)[0]
        elif _is_union(tp) and type(None) in get_args(tp):
            rest = [a for a in get_args(tp) if a is not type(None)]
            tp = rest[0] if len(rest) == 1 else typing.Union[tuple(rest)]  # noqa: UP007
        else:
            return tp


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (typing.Union, types.UnionType)


def _union_members(tp: Any) -> dict[str, Any] | None:
    """Map each union member's tag (``Tag`` or single-value ``Literal`` field) to it."""
    if not _is_union(tp):
        return None
    members: dict[str, Any] = {}
    for member in get_args(tp):
        if get_origin(member) is typing.Annotated:
            for meta in get_args(member)[1:]:
                if isinstance(meta, Tag):
                    members[meta.tag] = member
        elif isinstance(member, type) and issubclass(member, BaseModel):
            for field in member.model_fields.values():
                if get_origin(field.annotation) is Literal and len(get_args(field.annotation)) == 1:
                    members[str(get_args(field.annotation)[0])] = member
    return members


def _child(tp: Any, seg: str | int) -> Any:
    """The type found at ``seg`` inside ``tp`` (None when unknown)."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        field = tp.model_fields.get(str(seg))
        return field.annotation if field is not None else None
    origin, args = get_origin(tp), get_args(tp)
    if origin is dict and len(args) == 2:
        return args[1]
    if origin in (tuple, list) and args:
        return args[0]
    return None


# -- messages ----------------------------------------------------------------------------------

_FIXED = {
    "missing": "field required",
    "extra_forbidden": "extra field not permitted",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be a string",
    "dict_type": "must be a mapping",
    "model_type": "must be a mapping",
    "model_attributes_type": "must be a mapping",
    "tuple_type": "must be a list",
    "list_type": "must be a list",
    "union_tag_not_found": "field 'dist' required (the distribution's name)",
}


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the choice closest to a mistyped ``name``, else ``""``.

    Examples
    --------
    >>> did_you_mean("arivals_per_hour", ["arrivals_per_hour", "resolved_by"])
    " (did you mean 'arrivals_per_hour'?)"
    >>> did_you_mean("wage", ["agents", "wage_per_hour"])
    " (did you mean 'wage_per_hour'?)"
    >>> did_you_mean("colour", ["arrivals_per_hour"])
    ''
    """
    choices = list(choices)
    close = [c for c in choices if c.startswith(name)] if len(name) >= 3 else []
    close = close or difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _message(err: Any, model: Any = None) -> str:
    """A short, human message for one pydantic error (``model``: the validated type)."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "extra_forbidden" and err["loc"]:
        parent = _unwrap(_walk(err["loc"], model)[1])
        fields = parent.model_fields if isinstance(parent, type) and issubclass(
            parent, BaseModel) else {}
        return _FIXED[kind] + did_you_mean(str(err["loc"][-1]), fields)
    if kind in _FIXED:
        return _FIXED[kind]
    bounds = {
        "greater_than_equal": (">=", "ge"),
        "greater_than": (">", "gt"),
        "less_than_equal": ("<=", "le"),
        "less_than": ("<", "lt"),
    }
    if kind in bounds:
        op, key = bounds[kind]
        bound = ctx.get(key)
        shown = f"{bound:g}" if isinstance(bound, int | float) else bound
        return f"must be {op} {shown}"
    if kind == "literal_error":
        return f"must be {ctx.get('expected')}"
    if kind == "union_tag_invalid":
        field = str(ctx.get("discriminator", "kind")).strip("'")
        choices = str(ctx.get("expected_tags", "")).replace("'", "")
        return f"unknown {field} {ctx.get('tag')!r} (use one of: {choices})"
    if kind == "string_pattern_mismatch":
        return "invalid name: use only letters, digits, '_' and '-'"
    if kind == "too_short":
        return "must not be empty"
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", err["msg"]))
    msg = str(err["msg"])
    return msg[:1].lower() + msg[1:]
