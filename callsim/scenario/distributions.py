"""Duration distributions of the scenario file, all in seconds.

Each distribution is a frozen pydantic model tagged by ``dist``; :data:`Distribution`
is their discriminated union. Every parameter is a duration (``4min`` works).
``sample(rng, n)`` draws ``n`` values with numpy's native vectorized samplers and
``expected()`` is the mean, both in seconds.

>>> import numpy as np
>>> d = Lognormal(mean="4min", sd="3min")
>>> d.expected()
240.0
>>> d.sample(np.random.default_rng(1), 3).shape
(3,)
"""

from __future__ import annotations

import csv
import io
import math
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, model_validator

from callsim.scenario.durations import PositiveSeconds, Seconds, parse_duration
from callsim.scenario.errors import field_errors
from callsim.scenario.inputs import note_file, read_text
from callsim.scenario.limits import MAX_INPUT_BYTES, MAX_SECONDS

if TYPE_CHECKING:  # numpy loads when something samples (once per replication), not to validate
    import numpy as np

__all__ = [
    "Deterministic",
    "Distribution",
    "Empirical",
    "Exponential",
    "Gamma",
    "Lognormal",
    "Uniform",
    "read_values_csv",
]


class _Dist(BaseModel):
    """Common base: frozen, no unknown fields, ``sample`` and ``expected`` in seconds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` independent values (float64 seconds) from ``rng``."""
        raise NotImplementedError

    def expected(self) -> float:
        """The mean of the distribution, in seconds."""
        raise NotImplementedError


class Exponential(_Dist):
    """Exponential with ``mean`` > 0 seconds."""

    dist: Literal["exponential"] = "exponential"
    mean: PositiveSeconds

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.exponential(self.mean, n)

    def expected(self) -> float:
        return self.mean


class Lognormal(_Dist):
    """Lognormal given by its own ``mean`` > 0 and ``sd`` >= 0 (seconds), not log-scale ones.

    ``sigma**2 = log(1 + sd**2 / mean**2)`` and ``mu = log(mean) - sigma**2 / 2``;
    ``sd == 0`` gives the constant ``mean``.
    """

    dist: Literal["lognormal"] = "lognormal"
    mean: PositiveSeconds
    sd: Seconds

    @model_validator(mode="after")
    def _representable(self) -> Lognormal:
        if self.sd > 0:
            mu, sigma = self.log_parameters()
            _check_mean("lognormal", math.exp(mu + sigma**2 / 2), self.mean, (mu, sigma))
        return self

    def log_parameters(self) -> tuple[float, float]:
        """``(mu, sigma)`` of the underlying normal (NaN when they overflow)."""
        ratio = _divide(self.sd, self.mean)
        sigma2 = math.log1p(ratio * ratio) if ratio < 1e150 else 2 * math.log(ratio)
        return math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.sd == 0:
            import numpy as np

            return np.full(n, self.mean)
        mu, sigma = self.log_parameters()
        return rng.lognormal(mu, sigma, n)

    def expected(self) -> float:
        return self.mean


class Gamma(_Dist):
    """Gamma given by ``mean`` > 0 and ``sd`` > 0 seconds: shape (mean/sd)^2, scale sd^2/mean."""

    dist: Literal["gamma"] = "gamma"
    mean: PositiveSeconds
    sd: PositiveSeconds

    @model_validator(mode="after")
    def _representable(self) -> Gamma:
        shape, scale = self.shape_scale()
        _check_mean("gamma", shape * scale, self.mean, (shape, scale))
        return self

    def shape_scale(self) -> tuple[float, float]:
        """The sampler's ``(shape, scale)``; inf or 0 when they are not representable."""
        ratio = _divide(self.mean, self.sd)
        return ratio * ratio if ratio < 1e150 else math.inf, self.sd * _divide(self.sd, self.mean)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        shape, scale = self.shape_scale()
        return rng.gamma(shape, scale, n)

    def expected(self) -> float:
        return self.mean


class Deterministic(_Dist):
    """Always ``value`` >= 0 seconds."""

    dist: Literal["deterministic"] = "deterministic"
    value: Seconds

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        import numpy as np

        return np.full(n, self.value)

    def expected(self) -> float:
        return self.value


class Uniform(_Dist):
    """Uniform on [``low``, ``high``] seconds, 0 <= low <= high."""

    dist: Literal["uniform"] = "uniform"
    low: Seconds
    high: Seconds

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.low > self.high:
            raise field_errors("uniform", [(("high",), f"must be >= low ({self.low:g} s)")])
        return self

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, n)

    def expected(self) -> float:
        return (self.low + self.high) / 2


class Empirical(_Dist):
    """Resample observed durations uniformly: give ``values`` or a CSV ``file``.

    ``file`` is relative to the scenario file's folder (validation context key
    ``base_dir``) and is read once, at validation; its values are stored in
    ``values`` so sampling never touches the disk.
    """

    dist: Literal["empirical"] = "empirical"
    file: str | None = None
    values: tuple[Seconds, ...]

    @model_validator(mode="before")
    @classmethod
    def _read_file(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict):
            return data
        has_file, has_values = data.get("file") is not None, "values" in data
        if has_file == has_values:
            message = "give either values or file, not both" if has_file else "give values or file"
            raise field_errors("empirical", [(("values",), message)])
        if has_file:
            if not isinstance(data["file"], str) or not data["file"].strip():
                raise field_errors("empirical", [(("file",), "must name a CSV file")])
            path = Path((info.context or {}).get("base_dir", ".")) / data["file"]
            try:
                values = read_values_csv(path)
            except ValueError as exc:
                raise field_errors("empirical", [(("file",), str(exc))]) from None
            note_file(info.context, path)
            data = {**data, "values": values}
        return data

    @model_validator(mode="after")
    def _not_empty(self) -> Empirical:
        if not self.values:
            raise field_errors("empirical", [(("file" if self.file else "values",),
                                              "must not be empty")])
        return self

    @cached_property
    def _cache(self) -> _ArrayCache:
        import numpy as np

        return _ArrayCache(np.asarray(self.values, dtype=np.float64))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.choice(self._cache.array, n)

    def expected(self) -> float:
        return float(self._cache.array.mean())


class _ArrayCache:
    """``values`` as an array, cached in the model; equal by content so models stay comparable."""

    __slots__ = ("array",)

    def __init__(self, array: np.ndarray) -> None:
        self.array = array

    def __eq__(self, other: object) -> bool:
        import numpy as np

        return isinstance(other, _ArrayCache) and np.array_equal(self.array, other.array)

    __hash__ = None  # type: ignore[assignment]


def read_values_csv(path: Path) -> list[float]:
    """Read durations from a CSV: one column, or the column named ``value``.

    A header row is optional when there is one column. Cells are durations
    (numbers of seconds or strings with a unit); blank lines are skipped.

    Raises
    ------
    ValueError
        Naming the file, and the row (its line number) of a bad cell.
    """
    text = read_text(path, MAX_INPUT_BYTES)  # InputFileError is a ValueError
    lines = io.StringIO(text, newline="")
    rows = [(i, r) for i, r in enumerate(csv.reader(lines), 1) if any(c.strip() for c in r)]
    if not rows:
        raise ValueError(f"{path.name} has no values")
    header = [c.strip() for c in rows[0][1]]
    column = 0
    if header.count("value") > 1:
        raise ValueError(f"{path.name}: column 'value' appears {header.count('value')} times in "
                         "the header (which one is meant?)")
    if "value" in header:
        column, rows = header.index("value"), rows[1:]
    elif len(header) != 1:
        raise ValueError(f"{path.name}: expected one column or a column named 'value'")
    elif not _is_duration(header[0]):
        rows = rows[1:]
    values = []
    for line, row in rows:
        cell = row[column].strip() if column < len(row) else ""
        try:
            values.append(_in_range(parse_duration(cell)))
        except ValueError as exc:
            raise ValueError(f"{path.name} row {line}: {exc}") from None
    if not values:
        raise ValueError(f"{path.name} has no values")
    return values


def _in_range(seconds: float) -> float:
    if not 0 <= seconds <= MAX_SECONDS:
        raise ValueError(f"{seconds:g} s is outside [0, {MAX_SECONDS:g}] s")
    return seconds


def _divide(a: float, b: float) -> float:
    """``a / b`` for positive floats, inf instead of OverflowError."""
    try:
        return a / b
    except (OverflowError, ZeroDivisionError):
        return math.inf


def _check_mean(
    name: str, sampled: float, mean: float, parameters: tuple[float, ...]
) -> None:
    """Refuse parameters the sampler cannot use, or whose mean is not the one asked for."""
    usable = all(math.isfinite(p) for p in parameters)
    if not (usable and math.isfinite(sampled) and math.isclose(sampled, mean, rel_tol=1e-6)):
        shown = ", ".join(f"{p:.3g}" for p in parameters)
        message = (f"mean and sd give {name} parameters ({shown}) whose mean is "
                   f"{sampled:.3g} s, not {mean:.3g} s: sd is too extreme for this mean")
        raise field_errors(name, [(("sd",), message)])


def _is_duration(text: str) -> bool:
    try:
        parse_duration(text)
    except ValueError:
        return False
    return True


def _bare_duration(value: Any) -> Any:
    """A bare duration (``45s``, ``30``) where a distribution is expected: deterministic.

    Booleans are left alone (they are not durations), so validation still refuses them.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"dist": "deterministic", "value": value}
    if isinstance(value, str):
        if not _is_duration(value):
            raise ValueError(f"'{value}' is neither a duration (45s, 3min) nor a distribution "
                             "mapping ({dist: exponential, mean: 45s})")
        return {"dist": "deterministic", "value": value}
    return value


#: Any duration distribution; the ``dist`` field picks the kind. A bare duration means a
#: deterministic time (``identify_time: 45s`` is ``{dist: deterministic, value: 45s}``).
Distribution = Annotated[
    Exponential | Lognormal | Gamma | Deterministic | Uniform | Empirical,
    Field(discriminator="dist"),
    BeforeValidator(_bare_duration),
]
