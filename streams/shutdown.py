"""A deadline on stopping: a process whose clean stop hangs must not stall a rollout."""

import logging
import os
import threading

log = logging.getLogger(__name__)


def exit_after(seconds: float) -> None:
    """From now, give the process ``seconds`` to stop by itself, then exit with status 1.

    A daemon thread, so it fires even when the event loop is stuck. Work not committed by then
    is processed again by whoever takes over.
    """

    def give_up() -> None:
        log.error("stopping took over %ss: exiting without a clean stop", seconds)
        logging.shutdown()
        os._exit(1)

    timer = threading.Timer(seconds, give_up)
    timer.daemon = True
    timer.start()
