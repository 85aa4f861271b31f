"""Running a request's search work so that it stops when the client is gone.

The work runs in a worker thread with a :class:`~indexer.budget.Budget`;
meanwhile the event loop waits for the ASGI ``http.disconnect`` message and
cancels the budget when it comes. Every expensive step of the engine checks
the budget (:meth:`Budget.check`) and raises ``SearchCancelled``, which the
web app answers with an empty 499 that nobody reads. The JSON API and the UI
both use this module (they must not import each other); it sits below both
and imports neither.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from functools import wraps
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from paragraf_se.indexer.budget import Budget, SearchCancelled

T = TypeVar("T")
ROWS_PER_CHUNK = 256  # export rows produced per trip to the worker thread

Receive = Callable[[], Awaitable[dict[str, Any]]]


async def disconnected(receive: Receive) -> None:
    """Return when the client has disconnected (the ASGI ``http.disconnect`` message).

    Only for requests whose body nobody reads (searches are GETs): the
    messages before the disconnect are consumed.
    """
    while (await receive())["type"] != "http.disconnect":
        pass


async def run_cancellable(work: Callable[[Budget], T],
                          until_gone: Callable[[], Awaitable[object]],
                          budget: Budget | None = None) -> T:
    """``work(budget)`` in a worker thread; the budget is cancelled once ``until_gone()`` returns.

    Returns what ``work`` returns and raises what it raises (``SearchCancelled``
    when it stopped for the cancel). If the awaiting task is itself cancelled
    (Starlette does so when a streaming client leaves), the budget is
    cancelled too, so the thread stops instead of finishing unobserved work.
    """
    budget = budget if budget is not None else Budget()
    finished = anyio.Event()

    async def watch() -> None:
        try:
            await until_gone()
            budget.cancel()
        except anyio.get_cancelled_exc_class():
            if not finished.is_set():
                budget.cancel()
            raise

    def guarded(b: Budget) -> tuple[bool, Any]:
        # The work's exception is raised outside the task group, which would
        # otherwise wrap it in an ExceptionGroup the app's handlers do not match.
        try:
            return True, work(b)
        except Exception as err:
            return False, err

    async with anyio.create_task_group() as tg:
        tg.start_soon(watch)
        try:
            ok, value = await anyio.to_thread.run_sync(guarded, budget)
        finally:
            finished.set()
            tg.cancel_scope.cancel()
    if not ok:
        raise value
    return value


def cancellable(handler: Callable[[Any, Budget], T]) -> Callable[[Any], Awaitable[T]]:
    """A route handler ``handler(request, budget)`` as an async Starlette endpoint.

    The handler runs as before in a worker thread (it may block on the index);
    its budget is cancelled when the request's client disconnects.
    """
    @wraps(handler)
    async def endpoint(request: Any) -> T:
        return await run_cancellable(lambda budget: handler(request, budget),
                                     lambda: disconnected(request.receive))
    return endpoint


async def stream_cancellable(rows: Iterator[bytes], budget: Budget, receive: Receive, *,
                             per_chunk: int = ROWS_PER_CHUNK) -> AsyncIterator[bytes]:
    """The rows of an export, a chunk at a time, produced while the client is there.

    ``rows`` must check ``budget`` (the export's evaluation and its row loop
    do); when the client leaves, production stops at the next check and the
    stream ends. The iterator is closed in every case (its searcher with it).
    """
    def chunk(_budget: Budget) -> bytes:
        return b"".join(itertools.islice(rows, per_chunk))

    try:
        while True:
            try:
                data = await run_cancellable(chunk, lambda: disconnected(receive), budget)
            except SearchCancelled:
                return  # the client is gone: nobody reads the rest
            if not data:
                return
            yield data
    finally:
        budget.cancel()  # ended, or abandoned by the response: nothing more is produced
        # Not running (each chunk is awaited to its end), so closing is safe here
        # and quick; an await here could itself be cancelled and leak the searcher.
        close = getattr(rows, "close", None)
        if close is not None:
            close()
