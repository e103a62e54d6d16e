"""Where sweep tasks run: in this process, a local process pool, or a Dask cluster.

Each executor takes a function and a list of argument tuples and yields results as they
complete. Results never depend on the executor: every task carries its own seeds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Protocol

EXECUTORS = ("processes", "dask")


class ExecutorError(RuntimeError):
    """Workers cannot be had (e.g. no Dask scheduler at the address); one-line message."""


class Executor(Protocol):
    """Runs tasks and yields their results in completion order."""

    def run(self, fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]]) -> Iterator[Any]:
        """Yield ``fn(*task)`` for every task, as each completes."""
        ...

    def close(self) -> None:
        """Release workers (cancelling unfinished tasks)."""
        ...


class InlineExecutor:
    """Runs tasks one after another in this process."""

    def run(self, fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]]) -> Iterator[Any]:
        for task in tasks:
            yield fn(*task)

    def close(self) -> None:
        pass


class ProcessExecutor:
    """A local pool of worker processes."""

    def __init__(self, workers: int) -> None:
        self.pool = ProcessPoolExecutor(max_workers=workers)

    def run(self, fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]]) -> Iterator[Any]:
        futures = [self.pool.submit(fn, *task) for task in tasks]
        for future in as_completed(futures):
            yield future.result()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """A Dask distributed cluster: an existing one at ``scheduler``, or a local one."""

    def __init__(self, workers: int, scheduler: str | None = None) -> None:
        from distributed import Client, LocalCluster

        self.cluster = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout="10s")
            except (OSError, TimeoutError, ValueError) as exc:
                message = " ".join(str(exc).split())
                raise ExecutorError(
                    f"--scheduler {scheduler}: cannot connect ({message})"
                ) from None
        else:
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None)
            self.client = Client(self.cluster)

    def run(self, fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]]) -> Iterator[Any]:
        from distributed import as_completed as dask_completed

        futures = [self.client.submit(fn, *task, pure=False) for task in tasks]
        try:
            for future in dask_completed(futures):
                yield future.result()
        finally:
            self.client.cancel(futures)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(kind: str, workers: int, scheduler: str | None = None) -> Executor:
    """The executor for ``kind`` (``processes`` or ``dask``); ``scheduler`` implies Dask."""
    if scheduler or kind == "dask":
        return DaskExecutor(workers, scheduler)
    if kind != "processes":
        raise ValueError(f"unknown executor {kind!r}; choose from {', '.join(EXECUTORS)}")
    return InlineExecutor() if workers == 1 else ProcessExecutor(workers)
