"""Metric names as people type them: ``asa``, ``total_cost`` or a flat key.

Commands and experiments accept a metric by its flat key (``departments.billing.asa``) or by
its bare name, meaning the ``overall`` metric or the ``costs`` one (no name is in both).
:func:`find_metric` is the one rule; each caller words its own error.
"""

from __future__ import annotations

from collections.abc import Collection

__all__ = ["find_metric"]


def find_metric(name: str, keys: Collection[str]) -> str | None:
    """The flat key among ``keys`` meant by ``name``, or ``None``.

    Examples
    --------
    >>> keys = ["overall.asa", "costs.total_cost", "departments.billing.asa"]
    >>> find_metric("asa", keys), find_metric("total_cost", keys)
    ('overall.asa', 'costs.total_cost')
    >>> find_metric("departments.billing.asa", keys), find_metric("bogus", keys)
    ('departments.billing.asa', None)
    """
    for key in (name, f"overall.{name}", f"costs.{name}"):
        if key in keys:
            return key
    return None
