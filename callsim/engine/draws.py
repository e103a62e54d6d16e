"""Per-call draws that transfer policies declare, made up front with the engine's own draws.

A policy lists the random attributes it reads (the re-explaining time after a cold transfer,
the fresh patience on hold, ...) as :class:`Draw` objects; :func:`callsim.engine.arrivals.
draw_callers` makes them before the event loop starts. Each draw has its own stream (a sampling
site), so a draw has the same values under every policy that makes it (common random numbers),
and making or adding a draw never shifts another one.

Examples
--------
>>> from callsim.engine.streams import Streams
>>> import numpy as np
>>> coin = uniform("coin")
>>> a = coin.make(None, Streams(seed=3), np.zeros(4, dtype=np.int16))
>>> b = coin.make(None, Streams(seed=3), np.zeros(4, dtype=np.int16))
>>> bool((a == b).all()) and a.shape == (4,)
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from callsim.engine.streams import SITES, Streams, name_key

if TYPE_CHECKING:
    import numpy as np

    from callsim.scenario.distributions import Distribution
    from callsim.scenario.schema import Scenario

__all__ = ["Draw", "Site", "patience", "per_call", "uniform"]


class Site:
    """The streams of one sampling site: one generator, or one per call type name."""

    def __init__(self, streams: Streams, number: int) -> None:
        self.streams = streams
        self.number = number

    def generator(self, key: str | None = None) -> np.random.Generator:
        """A fresh generator of this site (per call type name when ``key`` is given)."""
        return self.streams.generator(self.number, key)


if TYPE_CHECKING:
    #: ``sample(scenario, site, call_type)``: one value per call (``call_type`` holds type
    #: indices). For type checking only: numpy is imported when a replication draws.
    Sampler = Callable[[Any, Site, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Draw:
    """One per-call random attribute a policy reads, as ``callers.drawn[name]``.

    Attributes
    ----------
    name
        Attribute name. Policies that read the same attribute declare the same draw (import it).
    sample
        ``sample(scenario, site, call_type) -> values``, one value per call.
    site
        Stream number. ``None`` (for every new draw) keys the stream by the name's CRC32; the
        built-in policies keep the numbers their draws had before policies were plug-ins.
    """

    name: str
    sample: Sampler
    site: int | None = None

    @property
    def stream(self) -> int:
        """The stream number the draw uses."""
        return name_key(self.name) if self.site is None else self.site

    def make(
        self, scenario: Scenario | None, streams: Streams, call_type: np.ndarray
    ) -> np.ndarray:
        """Draw the attribute for every call of a replication."""
        return self.sample(scenario, Site(streams, self.stream), call_type)


def check_draws(draws: list[Draw]) -> None:
    """Raise ValueError if two draws share a name or a stream, or use an engine site number."""
    seen: dict[int, Draw] = {}
    names: dict[str, Draw] = {}
    engine = set(SITES.values())
    for draw in draws:
        if names.get(draw.name, draw) != draw:
            raise ValueError(f"two different draws are named {draw.name!r}")
        names[draw.name] = draw
        if draw.stream in engine:
            raise ValueError(f"draw {draw.name!r}: stream {draw.stream} is the engine's")
        other = seen.get(draw.stream, draw)
        if other != draw:
            raise ValueError(f"draws {other.name!r} and {draw.name!r} share stream {draw.stream}")
        seen[draw.stream] = draw


def per_call(
    name: str, distribution: Callable[[Scenario], Distribution], site: int | None = None
) -> Draw:
    """A draw of one value per call from a scenario distribution (times in seconds)."""

    def sample(scenario: Scenario, at: Site, call_type: np.ndarray) -> np.ndarray:
        return distribution(scenario).sample(at.generator(), len(call_type))

    return Draw(name, sample, site)


def uniform(name: str, site: int | None = None) -> Draw:
    """A draw of one uniform number in [0, 1) per call (e.g. to decide a drop)."""

    def sample(scenario: Scenario, at: Site, call_type: np.ndarray) -> np.ndarray:
        return at.generator().random(len(call_type))

    return Draw(name, sample, site)


def patience(name: str, factor: Callable[[Scenario], float], site: int | None = None) -> Draw:
    """A fresh patience per call (s): its call type's patience times ``factor(scenario)``.

    Drawn per call type (its own stream each); ``inf`` where the call type has no patience.
    """

    def sample(scenario: Scenario, at: Site, call_type: np.ndarray) -> np.ndarray:
        import numpy as np  # once per replication

        out = np.empty(len(call_type))
        scale = factor(scenario)
        for k, (type_name, ct) in enumerate(scenario.call_types.items()):
            mask = call_type == k
            if ct.patience is None:
                out[mask] = np.inf
            else:
                out[mask] = ct.patience.sample(at.generator(type_name), int(mask.sum())) * scale
        return out

    return Draw(name, sample, site)
