"""Sweep grids: which scenario fields vary, over which values.

A grid is a list of axes, each a dotted scenario path (as in ``--set``) and its values; the
points are their Cartesian product, the last axis varying fastest. Values are written as

- a list ``8,10,12`` (each item read as YAML: ``cold,warm``, ``0.1,0.2`` and ``30s,1min``
  work; ``10%`` is the share 0.1),
- an integer range ``8:16`` or ``8:16:2`` (inclusive, step 1 or the third number; ``1e3``
  is the whole number 1000),
- a float grid ``0:0.4:9`` (start, stop, number of points; used when start or stop has a
  decimal point or is not whole), its ends also written as ``--set`` takes them: durations
  ``10s:4min:5``
  (in seconds) and percentages ``10%:40%:4`` (shares),
- a single value ``12``,

or as a YAML sweep file::

    vary:
      departments.billing.agents: 8:16
      call_types.support.misroute.billing: [0.0, 0.1, 0.2, 0.3, 0.4]
    policies: [cold, warm]   # optional, also --policies
    reps: 30                 # optional, also --reps
    seed: 1                  # optional, also --seed

Examples
--------
>>> parse_values("8:16:4")
(8, 12, 16)
>>> parse_values("0:0.4:3")
(0.0, 0.2, 0.4)
>>> Grid.from_specs(["a=1,2", "b=x,y"]).points()
[{'a': 1, 'b': 'x'}, {'a': 1, 'b': 'y'}, {'a': 2, 'b': 'x'}, {'a': 2, 'b': 'y'}]
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from callsim.scenario.inputs import InputFileError, read_text
from callsim.scenario.limits import MAX_SEED, MAX_YAML_BYTES
from callsim.scenario.yamlio import load_yaml, yaml_problem

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_RANGE = re.compile(rf"^\s*({_NUMBER})\s*:\s*({_NUMBER})\s*(?::\s*({_NUMBER})\s*)?$")
#: A range whose ends carry a unit (``10s:4min:5``, ``10%:40%:4``): ends, then the count.
_UNIT_RANGE = re.compile(rf"^\s*({_NUMBER}\s*[A-Za-z%]*)\s*:\s*({_NUMBER}\s*[A-Za-z%]*)\s*"
                         rf"(?::\s*({_NUMBER})\s*)?$")
_PERCENT = re.compile(rf"^\s*({_NUMBER})\s*%\s*$")
#: ``8-16`` or ``10s-4min``: a range written with a dash (a sweep range is ``8:16``).
_DASHED = re.compile(r"^\s*(\d+(?:\.\d*)?\s*[A-Za-z%]*)\s*-\s*"
                     r"(\d+(?:\.\d*)?\s*[A-Za-z%]*)\s*$")


class GridError(ValueError):
    """A sweep grid that cannot be used; the message is one line naming the problem."""


#: Most values one axis may hold (the grid's size is checked against ``max_points`` before
#: any point is built; this bounds a single range such as ``0:1000000000``).
MAX_AXIS_VALUES = 1_000_000
#: Fields that take whole numbers (a break-even varies them over integers).
INTEGER_FIELDS = frozenset({"agents", "attempts", "max_attempts"})
#: Scenario paths that are not sweep fields, with the hint shown instead.
NOT_SWEPT = {
    "transfer.policy": "the policy is not a sweep field: every point runs every policy on the "
                       "same callers; choose them with `policies` (or policies: in a sweep file)",
}


def _scalar(text: str) -> Any:
    percent = _PERCENT.match(text)
    if percent:
        return round(float(percent[1]) / 100, 12)
    try:
        return load_yaml(text)
    except yaml.YAMLError:
        return text.strip()


def grid_number(text: str) -> float:
    """One end of a range as a number, as ``--set`` reads values.

    Plain, a duration (``4min`` -> 240.0 s) or a share in percent (``20%`` -> 0.2).

    Raises
    ------
    GridError
        Not a number, a duration or a percentage.

    Examples
    --------
    >>> grid_number("10s"), grid_number("4min"), grid_number("20%"), grid_number("1e3")
    (10.0, 240.0, 0.2, 1000.0)
    """
    from callsim.scenario.durations import parse_duration

    percent = _PERCENT.match(text)
    if percent:
        return float(percent[1]) / 100
    try:
        value = parse_duration(text.strip())
    except ValueError:
        raise GridError(f"'{text.strip()}' is not a number, a duration (10s, 4min) or a "
                        "percentage (20%)") from None
    return value


def _range_count(start: float, stop: float, step: float) -> int:
    """Values of ``range(start, stop + 1, step)``, counted without building it."""
    return max(0, int((stop - start) // step) + 1)


def parse_values(spec: str) -> tuple[Any, ...]:
    """Values of one axis from its SPEC text (see the module docstring).

    Raises
    ------
    GridError
        Empty grid, a float grid whose count is not an integer >= 2, or a zero step.
    """
    match = _RANGE.match(spec)
    if not match and _UNIT_RANGE.match(spec):
        return _unit_range(spec)
    if match:
        start_text, stop_text, third = match.groups()
        # 1e9 is a whole number (an integer range), 1e-1 or 0.5 is not (a float grid)
        is_float = any(("." in t or not float(t).is_integer()) for t in (start_text, stop_text))
        if is_float:
            if third is None:
                raise GridError(f"'{spec}': a float grid needs start:stop:count, e.g. 0:0.4:9")
            count = float(third)
            if count != int(count) or count < 2:
                raise GridError(f"'{spec}': the number of points must be an integer >= 2")
            if count > MAX_AXIS_VALUES:
                raise GridError(f"'{spec}': {count:.0f} values, more than the "
                                f"{MAX_AXIS_VALUES} one axis may hold")
            grid = np.linspace(float(start_text), float(stop_text), int(count))
            return tuple(round(float(v), 12) for v in grid)
        start, stop = int(float(start_text)), int(float(stop_text))
        step = 1 if third is None else float(third)
        if step != int(step) or step <= 0:
            raise GridError(f"'{spec}': the step of an integer range must be a positive integer")
        if _range_count(start, stop, int(step)) > MAX_AXIS_VALUES:
            raise GridError(f"'{spec}': {_range_count(start, stop, int(step))} values, more "
                            f"than the {MAX_AXIS_VALUES} one axis may hold")
        values = tuple(range(start, stop + 1, int(step)))
    else:
        values = _listed(spec)
    if not values:
        raise GridError(f"'{spec}': empty grid")
    return values


def _listed(spec: str) -> tuple[Any, ...]:
    """``8,10,12`` (each item as YAML); ``8-16`` is refused with the range it likely means."""
    if dashed := _DASHED.match(spec):
        lo, hi = dashed[1].strip(), dashed[2].strip()
        count = "" if lo.isdigit() and hi.isdigit() else ":5"  # a float grid needs a count
        raise GridError(f"'{spec.strip()}': a range is written LO:HI, e.g. {lo}:{hi}{count}")
    return tuple(_scalar(item) for item in spec.split(",") if item.strip())


def _unit_range(spec: str) -> tuple[float, ...]:
    """``10s:4min:5`` or ``10%:40%:4``: a grid of ``count`` values between two ends with units."""
    match = _UNIT_RANGE.match(spec)
    assert match is not None
    start_text, stop_text, third = match.groups()
    start, stop = grid_number(start_text), grid_number(stop_text)
    if third is None:
        raise GridError(f"'{spec}': a range with units needs start:stop:count, e.g. "
                        "10s:4min:5")
    return parse_values(f"{start!r}:{stop!r}:{third}")


@dataclass(frozen=True)
class Axis:
    """One swept scenario field and its values."""

    path: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Grid:
    """The axes of a sweep; points are their Cartesian product (last axis fastest)."""

    axes: tuple[Axis, ...]

    @classmethod
    def from_specs(cls, specs: Iterable[str]) -> Grid:
        """From ``--vary PATH=SPEC`` texts."""
        axes = []
        for text in specs:
            path, spec = split_vary(text, "PATH=SPEC, e.g. departments.billing.agents=8:16")
            try:
                axes.append(Axis(path, parse_values(spec)))
            except GridError as exc:
                raise GridError(f"`vary` {path.strip()}: {exc}") from None
        return cls.from_axes(axes)

    @classmethod
    def from_mapping(cls, vary: Mapping[str, Any], source: str) -> Grid:
        """From the ``vary`` mapping of a sweep file (values: SPEC text, list or scalar)."""
        if not vary:
            raise GridError(f"{source}: vary: nothing to sweep (give at least one PATH: SPEC)")
        axes = []
        for path, spec in vary.items():
            try:
                if isinstance(spec, list):
                    values = tuple(spec)
                    if not values:
                        raise GridError("empty grid")
                elif isinstance(spec, str):
                    values = parse_values(spec)
                else:
                    values = (spec,)
            except GridError as exc:
                raise GridError(f"{source}: vary.{path}: {exc}") from None
            axes.append(Axis(str(path), values))
        return cls.from_axes(axes)

    @classmethod
    def from_axes(cls, axes: Sequence[Axis]) -> Grid:
        """Check the axes (at least one, no path twice) and build the grid."""
        if not axes:
            raise GridError("nothing to sweep: give `vary` PATH=SPEC or a sweep file")
        paths = [a.path for a in axes]
        twice = sorted({p for p in paths if paths.count(p) > 1})
        if twice:
            raise GridError(f"`vary` {twice[0]}: given twice")
        return cls(tuple(axes))

    @property
    def size(self) -> int:
        """Number of points, counted without building them."""
        return math.prod(len(a.values) for a in self.axes)

    def check_size(self, max_points: int | None) -> None:
        """Refuse a grid of more than ``max_points`` points (None: no limit), with the count.

        Raises
        ------
        GridError
            ``the grid has 2500000 points (2500 x 1000), more than the limit of 10000 ...``.
        """
        if max_points is not None and self.size > max_points:
            shape = " x ".join(str(len(a.values)) for a in self.axes)
            raise GridError(f"the grid has {self.size} points ({shape}), more than the limit "
                            f"of {max_points}: use fewer values, or raise the limit with "
                            "`max_points`")

    @property
    def paths(self) -> list[str]:
        """The swept scenario paths, in order."""
        return [a.path for a in self.axes]

    def points(self) -> list[dict[str, Any]]:
        """Every point as ``{path: value}``, in grid order."""
        return [dict(zip(self.paths, combo, strict=True))
                for combo in itertools.product(*(a.values for a in self.axes))]

    def columns(self) -> list[dict[str, Any]]:
        """Every point as it appears in the results table (see :func:`column_values`)."""
        return [dict(zip(self.paths, combo, strict=True))
                for combo in itertools.product(*(column_values(a) for a in self.axes))]

    def describe(self) -> list[dict[str, Any]]:
        """The grid as plain data (for manifests)."""
        return [{"path": a.path, "values": list(a.values)} for a in self.axes]


def split_vary(text: str, expected: str) -> tuple[str, str]:
    """``PATH=SPEC`` -> ``(path, spec)``: the one reading of a ``--vary`` text.

    Raises
    ------
    GridError
        No ``=`` or no path; the message names the parameter ``vary`` and the text.
    """
    path, sep, spec = text.partition("=")
    if not sep or not path.strip():
        raise GridError(f"`vary` {text}: expected {expected}")
    return path.strip(), spec


def parse_interval(text: str) -> tuple[str, float, float, bool]:
    """``FIELD=LO:HI`` (a break-even's range) -> ``(field, lo, hi, integer)``.

    Integer for a whole-number field (:data:`INTEGER_FIELDS`) with whole-number ends.

    Raises
    ------
    GridError
        Not of that shape, or ``LO >= HI``.

    Examples
    --------
    >>> parse_interval("departments.billing.agents=8:16")
    ('departments.billing.agents', 8.0, 16.0, True)
    >>> parse_interval("call_types.support.misroute.billing=0:0.4")[3]
    False
    >>> parse_interval("transfer.warm.handoff_time.mean=10s:4min")[1:3]
    (10.0, 240.0)
    """
    expected = ("FIELD=LO:HI, e.g. call_types.support.misroute.billing=0:0.4 (LO and HI as "
                "`overrides` takes them: 10s:4min, 10%:40%)")
    field, spec = split_vary(text, expected)
    lo_text, colon, hi_text = spec.partition(":")
    if not colon or ":" in hi_text:
        raise GridError(f"`vary` {text}: expected {expected}")
    try:
        lo, hi = grid_number(lo_text), grid_number(hi_text)
    except GridError as exc:
        raise GridError(f"`vary` {text}: {exc}") from None
    if lo >= hi:
        raise GridError(f"`vary` {text}: LO must be below HI")
    integer = field.rpartition(".")[2] in INTEGER_FIELDS
    if integer and not (lo.is_integer() and hi.is_integer()):
        raise GridError(f"`vary` {text}: {field.rpartition('.')[2]} takes whole numbers")
    return field, lo, hi, integer


#: Field names (or parents of a distribution's parameters) that hold durations in seconds.
_DURATION_FIELDS = frozenset({"duration", "interval", "warmup", "service_level_threshold",
                              "max_hold", "patience", "delay", "after_call_work", "length",
                              "earliest", "latest", "step", "paid_time"})
_DISTRIBUTION_PARAMETERS = frozenset({"mean", "sd", "value", "low", "high", "mode"})
_SHARE_FIELDS = frozenset({"share", "probability", "available", "shrinkage"})


def field_kind(path: str) -> str:
    """``duration`` (seconds), ``share`` (0-1), ``count`` (whole numbers) or ``number``.

    Examples
    --------
    >>> [field_kind(p) for p in ("transfer.warm.handoff_time.mean", "horizon.warmup",
    ...  "call_types.support.misroute.billing", "departments.billing.agents", "costs.lost_call")]
    ['duration', 'duration', 'share', 'count', 'number']
    """
    parts = path.split(".")
    last = parts[-1]
    owner = parts[-2] if len(parts) > 1 and last in _DISTRIBUTION_PARAMETERS else last
    if owner.endswith("_time") or owner in _DURATION_FIELDS:
        return "duration"
    if "misroute" in parts[:-1] or last in _SHARE_FIELDS or last.endswith("_probability"):
        return "share"
    return "count" if last in INTEGER_FIELDS else "number"


def field_text(path: str, value: float) -> str:
    """A value of field ``path`` as a person reads it: ``1 min 35 s``, ``12.5%``, ``11``.

    Examples
    --------
    >>> field_text("transfer.warm.handoff_time.mean", 95.3), field_text("x.misroute.b", 0.125)
    ('1 min 35 s', '12.5%')
    >>> field_text("transfer.warm.handoff_time.mean", 42.25), field_text("a.agents", 11.0)
    ('42.2 s', '11')
    """
    kind = field_kind(path)
    if kind == "share":
        return f"{100 * value:.3g}%"
    if kind == "count":
        return f"{value:.0f}"
    if kind == "duration":
        if abs(value) < 60:
            return f"{value:.3g} s"
        minutes, seconds = divmod(round(value), 60)
        if minutes < 60:
            return f"{minutes} min {seconds:02d} s" if seconds else f"{minutes} min"
        hours, minutes = divmod(minutes, 60)
        return f"{hours} h {minutes:02d} min"
    return f"{value:.4g}"


def field_label(path: str) -> str:
    """A scenario field as a person names it: owner first, then the field in words.

    The owner is the department, call type or transfer policy; the unit is left to the values
    (:func:`field_text`).

    Examples
    --------
    >>> field_label("departments.billing.agents"), field_label("call_types.sup.misroute.billing")
    ('billing: agents', 'sup: misrouted to billing')
    >>> field_label("transfer.warm.handoff_time.mean"), field_label("costs.lost_call")
    ('warm transfer: handoff time (mean)', 'costs: lost call')
    >>> field_label("horizon.start")
    'horizon: start (clock time)'
    """
    parts = path.split(".")
    if len(parts) >= 3 and parts[0] in ("departments", "call_types"):
        owner, rest = parts[1], parts[2:]
    elif len(parts) >= 3 and parts[0] == "transfer":
        owner, rest = f"{parts[1]} transfer", parts[2:]
    elif len(parts) >= 2:
        owner, rest = parts[0], parts[1:]
    else:
        return path.replace("_", " ")
    if rest[0] == "misroute" and len(rest) == 2:
        return f"{owner}: misrouted to {rest[1]}"
    words = rest[0].replace("_", " ")
    if len(rest) > 1:
        words += f" ({' '.join(r.replace('_', ' ') for r in rest[1:])})"
    if path == "horizon.start":
        words += " (clock time)"
    return f"{owner}: {words}"


def column_values(axis: Axis) -> tuple[Any, ...]:
    """An axis's values with one type, so the results column survives Parquet unchanged.

    Integers stay integers, a mix of integers and floats becomes floats, booleans stay
    booleans; any other mix (``30, 1min``; ``null, 60``) becomes text, ``null`` as ``"null"``.

    Examples
    --------
    >>> column_values(Axis("x", (1, 2.5)))
    (1.0, 2.5)
    >>> column_values(Axis("x", (None, 60, "1min")))
    ('null', '60', '1min')
    """
    values = axis.values
    kinds = {type(v) for v in values}
    if kinds <= {int} or kinds <= {bool} or kinds <= {str}:
        return values
    if kinds <= {int, float}:
        return tuple(float(v) for v in values)
    return tuple(v if isinstance(v, str) else json.dumps(v) for v in values)


def point_overrides(point: Mapping[str, Any]) -> list[str]:
    """``--set``-style overrides for one point (values written as JSON, which is YAML)."""
    return [f"{path}={json.dumps(value)}" for path, value in point.items()]


def check_paths(raw: Mapping[str, Any], grid: Grid, source: str) -> None:
    """A swept path into ``departments`` or ``call_types`` must name an existing entry.

    Paths that are not sweep fields (``transfer.policy``) are refused with a hint.

    Elsewhere validation already rejects unknown fields by name; under these two mappings a
    typo would instead create a new department or call type.

    Raises
    ------
    GridError
        ``FILE: PARAMETER departments.sales.agents: no department named 'sales'`` (``vary``).
    """
    kinds = {"departments": "department", "call_types": "call type"}
    for path in grid.paths:
        if path in NOT_SWEPT:
            raise GridError(f"{source}: `vary` {path}: {NOT_SWEPT[path]}")
        parts = path.split(".")
        if parts[0] in kinds and len(parts) > 1:
            entries = raw.get(parts[0])
            if not isinstance(entries, Mapping) or parts[1] not in entries:
                raise GridError(f"{source}: `vary` {path}: no {kinds[parts[0]]} named "
                                f"'{parts[1]}'")


def read_sweep_file(path: str | Path) -> dict[str, Any]:
    """Read a sweep file: ``vary`` (required), ``policies``, ``reps``, ``seed`` (optional).

    Raises
    ------
    GridError
        Missing, special or non-text file, bad YAML (duplicate keys included), unknown keys,
        wrong types or a bad ``vary`` entry, with the file name.
    """
    source = str(path)
    try:
        data = load_yaml(read_text(path, MAX_YAML_BYTES))
    except InputFileError as exc:
        raise GridError(f"{source}: {str(exc).removeprefix(Path(path).name + ': ')}") from None
    except yaml.YAMLError as exc:
        raise GridError(f"{source}: cannot read: {yaml_problem(exc)}") from None
    if not isinstance(data, dict) or not isinstance(data.get("vary"), dict):
        raise GridError(f"{source}: vary: a mapping of PATH: SPEC is required")
    unknown = sorted(set(map(str, data)) - {"vary", "policies", "reps", "seed"})
    if unknown:
        raise GridError(f"{source}: {unknown[0]}: unknown key (use vary, policies, reps, seed)")
    out: dict[str, Any] = {"grid": Grid.from_mapping(data["vary"], source)}
    if "policies" in data:
        out["policies"] = _policy_names(data["policies"], source)
    for key, least in (("reps", 1), ("seed", 0)):
        if key in data:
            value = data[key]
            if not isinstance(value, int) or isinstance(value, bool) or value < least:
                raise GridError(f"{source}: {key}: must be an integer >= {least}")
            if value > MAX_SEED:
                raise GridError(f"{source}: {key}: must be <= {MAX_SEED}")
            out[key] = value
    return out


def _policy_names(policies: Any, source: str) -> list[str]:
    """``cold,warm`` or ``[cold, warm]`` as a list of names (each a non-empty string)."""
    names = policies.split(",") if isinstance(policies, str) else policies
    if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
        raise GridError(f"{source}: policies: must be a list of policy names, e.g. [cold, warm]")
    if not names:
        raise GridError(f"{source}: policies: must not be empty")
    return [n.strip() for n in names]
