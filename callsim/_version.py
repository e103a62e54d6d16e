"""The installed version of callsim, asked of the package metadata on demand.

``importlib.metadata`` takes a noticeable share of start-up time, so it is imported only when
the version is asked for (``callsim --version``, ``callsim.__version__``, report footers).
"""

from __future__ import annotations

__all__ = ["package_version"]


def package_version() -> str:
    """The version of the installed ``callsim`` distribution (``0+unknown`` if not installed).

    Examples
    --------
    >>> package_version()[0].isdigit()
    True
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("callsim")
    except PackageNotFoundError:  # pragma: no cover - a source tree that is not installed
        return "0+unknown"
