"""Where tasks run: in this process, a local process pool, or a Dask cluster.

Each executor takes a function of one argument and a list of tasks (frozen dataclasses) and
yields ``fn(task)`` as each completes. Results never depend on the executor: every task carries
its own seeds. A worker that dies (killed, out of memory) ends the run with :class:`WorkerLost`,
whatever the executor; pool workers exit by themselves when the process that started them dies,
even when it is killed with SIGKILL (:func:`_exit_with_parent`), so no orphan keeps running.

Ctrl-C (SIGINT to the whole process group, as a terminal sends it) is the parent's alone: pool
workers ignore SIGINT from the moment they are forked (:func:`_sigint_held`, :func:`_init_worker`),
so none prints a ``KeyboardInterrupt`` traceback or dies holding a queue lock; the parent's
``KeyboardInterrupt`` closes the executor with ``abort=True``, which cancels the pending tasks
and kills the workers instead of waiting for them (a worker stuck on a queue lock would make a
graceful shutdown wait forever).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import CancelledError, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Protocol, TypeVar

EXECUTORS = ("processes", "dask")
#: How often a pool worker checks that its parent is still alive (s).
PARENT_POLL = 0.5

T = TypeVar("T")
R = TypeVar("R")


class ExecutorError(RuntimeError):
    """Workers cannot be had (e.g. no Dask scheduler at the address); one-line message."""


class WorkerLost(RuntimeError):
    """A worker died while running a task (killed, out of memory, cluster lost)."""


class Executor(Protocol):
    """Runs tasks and yields their results in completion order."""

    def run(self, fn: Callable[[T], R], tasks: Sequence[T]) -> Iterator[R]:
        """Yield ``fn(task)`` for every task, as each completes.

        Raises
        ------
        WorkerLost
            A worker died; results already yielded are complete.
        """
        ...

    def close(self, abort: bool = False) -> None:
        """Release workers, cancelling unfinished tasks; ``abort``: stop them at once."""
        ...


class InlineExecutor:
    """Runs tasks one after another in this process."""

    def run(self, fn: Callable[[T], R], tasks: Sequence[T]) -> Iterator[R]:
        """Yield ``fn(task)`` for every task, in order."""
        for task in tasks:
            yield fn(task)

    def close(self, abort: bool = False) -> None:
        """Nothing to release."""


def _exit_with_parent() -> None:
    """Pool-worker initializer: a daemon thread ends the worker when its parent is gone.

    A pool worker blocked on its task queue would otherwise outlive a parent killed with
    SIGKILL (nothing tells it). When a parent dies its children are re-parented, so a change of
    ``os.getppid()`` is a reliable sign on POSIX, whatever the start method (the parent is the
    main process, or the fork server, which exits with it).
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL)
        os._exit(1)

    threading.Thread(target=watch, name="callsim-parent-watch", daemon=True).start()


def _init_worker() -> None:
    """Pool-worker initializer: ignore Ctrl-C (the parent handles it) and exit with the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent()


@contextmanager
def _sigint_held() -> Iterator[None]:
    """Hold SIGINT back in this thread; a Ctrl-C meanwhile takes effect when the block ends.

    Workers forked inside the block start with SIGINT blocked, so none can be interrupted
    before :func:`_init_worker` has set it to be ignored.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextmanager
def _sigint_ignored_by_children() -> Iterator[None]:
    """Processes started inside the block ignore SIGINT for good; this one gets it afterwards.

    A Dask cluster's nannies start its workers from an event-loop thread that a signal mask
    set here does not reach, and they run no initializer of ours: but an ignored signal stays
    ignored across ``exec`` (and Python then installs no ``KeyboardInterrupt`` handler), so the
    workers and their helpers, started while SIGINT is ignored, never see the terminal's
    Ctrl-C. SIGINT is blocked meanwhile, so a Ctrl-C in the block is delivered when it ends.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    with _sigint_held():
        handler = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, handler)


class ProcessExecutor:
    """A local pool of worker processes that ignore Ctrl-C and exit when this process dies."""

    def __init__(self, workers: int) -> None:
        self.pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker)

    def run(self, fn: Callable[[T], R], tasks: Sequence[T]) -> Iterator[R]:
        """Yield ``fn(task)`` for every task, as each completes."""
        with _sigint_held():  # the first submit forks the workers
            futures = [self.pool.submit(fn, task) for task in tasks]
        try:
            for future in as_completed(futures):
                yield future.result()
        except BrokenProcessPool:
            raise WorkerLost("a worker process died (BrokenProcessPool)") from None

    def close(self, abort: bool = False) -> None:
        """Stop the workers, cancelling tasks not started; ``abort`` kills running ones."""
        if not abort:
            self.pool.shutdown(wait=True, cancel_futures=True)
            return
        with _sigint_held():  # a second Ctrl-C must not cut the clean-up short
            workers = list(self.pool._processes.values())
            for process in workers:
                process.kill()
            self.pool.shutdown(wait=False, cancel_futures=True)
            for process in workers:
                process.join(timeout=5)


class DaskExecutor:
    """A Dask distributed cluster: an existing one at ``scheduler``, or a local one."""

    def __init__(self, workers: int, scheduler: str | None = None) -> None:
        import dask
        from distributed import Client, LocalCluster

        self.cluster = None
        if scheduler:
            # How long to try to reach the scheduler: 10 s unless Dask's configuration says
            # otherwise (``callsim.connect-timeout``, e.g. DASK_CALLSIM__CONNECT_TIMEOUT=30s).
            timeout = dask.config.get("callsim.connect-timeout", "10s")
            try:
                self.client = Client(scheduler, timeout=timeout)
            except (OSError, TimeoutError, ValueError) as exc:
                message = " ".join(str(exc).split())
                raise ExecutorError(
                    f"`scheduler` {scheduler}: cannot connect ({message})"
                ) from None
        else:
            with _sigint_ignored_by_children():
                # silent: an interrupted run closes the cluster under running tasks, and its
                # workers' log lines about that are no news to whoever pressed Ctrl-C
                self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                            processes=True, dashboard_address=None,
                                            silence_logs=logging.CRITICAL)
                self.client = Client(self.cluster)

    def run(self, fn: Callable[[T], R], tasks: Sequence[T]) -> Iterator[R]:
        """Yield ``fn(task)`` for every task, as each completes on the cluster."""
        from distributed import KilledWorker
        from distributed import as_completed as dask_completed

        futures = [self.client.submit(fn, task, pure=False) for task in tasks]
        try:
            for future in dask_completed(futures):
                yield future.result()
        except (KilledWorker, CancelledError) as exc:
            raise WorkerLost(f"a Dask worker died ({type(exc).__name__})") from None
        finally:
            self.client.cancel(futures)

    def close(self, abort: bool = False) -> None:
        """Disconnect; a cluster started here is shut down, an existing one keeps running.

        Ctrl-C waits until this is done: a shutdown cut short leaves the cluster's semaphores
        to the resource tracker, which then warns about them after the program has ended.
        """
        with _sigint_held():
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
