"""Plans on a Dask distributed cluster: ``resplan batch ... --scheduler ADDRESS``.

    with dask_executor("tcp://scheduler:8786") as executor:
        run_batch(profiles, catalogs, out_dir, db="cohort.sqlite", executor=executor)

Dask is an optional extra (``pip install 'resplan[dask]'``), imported only here and only
when a cluster is asked for. The cluster's workers need resplan (and the same plugins)
installed, and must see the profiles, the catalogs and the output folder at the paths
given; the database is written by the process that runs the batch, as in a local run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import Executor, Future

from resplan.errors import ResplanError

__all__ = ["DaskExecutor", "dask_executor"]

CONNECT_SECONDS = 30


class DaskExecutor(Executor):
    """A :class:`concurrent.futures.Executor` over a ``distributed.Client``.

    Each task's result is handed over once and then released on the cluster, so that a
    national batch does not keep every plan's result in the workers' memory (as the
    client's own ``get_executor()`` does until it shuts down).
    """

    def __init__(self, client):
        self.client = client

    def submit(self, fn, /, *args, **kwargs) -> Future:
        remote = self.client.submit(fn, *args, pure=False, **kwargs)
        future: Future = Future()

        def hand_over(done) -> None:
            try:
                if done.status == "finished":
                    outcome, failed = done.result(), False
                elif done.status == "cancelled":
                    return
                else:
                    outcome, failed = done.exception(), True
            except BaseException as exc:  # noqa: BLE001 - the task's failure, handed over
                outcome, failed = exc, True
            finally:
                done.release()
            with contextlib.suppress(Exception):  # cancelled meanwhile: nobody waits
                if failed:
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)

        def cancel_remote(local: Future) -> None:
            if local.cancelled():
                remote.cancel()

        future.add_done_callback(cancel_remote)
        remote.add_done_callback(hand_over)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        pass  # the client (and its cluster) belong to whoever made them


@contextlib.contextmanager
def dask_executor(address: str) -> Iterator[DaskExecutor]:
    """An executor on the Dask cluster whose scheduler is at ``address``."""
    try:
        from distributed import Client
    except ImportError:
        raise ResplanError(
            "--scheduler needs Dask, which is not installed: pip install 'resplan[dask]'"
        ) from None
    try:
        client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ResplanError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        yield DaskExecutor(client)
    finally:
        client.close()
