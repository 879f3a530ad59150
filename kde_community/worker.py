"""`flask --app kde_community worker`: runs the consumers of domain events until stopped.

Web processes never do background work: they record events (events.py) and answer. This
process polls every consumer's deliveries (every 0.25 s when idle, `--poll`; at once again
while there is work), and runs each consumer's periodic task at start and then
every `period` seconds (the indexer: an incremental reconciliation). Several may run at once,
on one host or several: deliveries are claimed so that no batch is handled by two at a time
(events.py), and a killed worker's batch is taken over by another.

SIGTERM or SIGINT (Ctrl-C) stops it after the batch in hand.
"""

from __future__ import annotations

import logging
import signal
import threading
import time

from flask import Flask

from . import events
from .extensions import db

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25
BUSY_RETRY = 5.0  # seconds before a periodic task that found its resource busy is tried again


class Worker:
    def __init__(self, app: Flask, *, poll: float | None = None, batch: int = 200,
                 stop: threading.Event | None = None):
        self.app = app
        self.poll = poll if poll is not None else POLL_SECONDS
        self.batch = batch
        self.stop = stop or threading.Event()
        self._next_periodic: dict[str, float] = {}

    def run_once(self) -> int:
        """One batch per consumer; returns how many deliveries were handled."""
        handled = 0
        with self.app.app_context():
            try:
                for consumer in events.consumers(self.app):
                    if self.stop.is_set():
                        break
                    try:
                        handled += events.deliver(consumer, self.batch)
                    except Exception:  # noqa: BLE001 — the database went away: keep the worker
                        log.exception("%s: delivering failed; trying again", consumer.name)
                        db.session.rollback()
                        self.stop.wait(1.0)
            finally:
                db.session.remove()
        return handled

    def run_periodic(self, *, force: bool = False) -> None:
        """Each consumer's periodic task, when due (or now, with `force`)."""
        now = time.monotonic()
        for consumer in events.consumers(self.app):
            if consumer.periodic is None or self.stop.is_set():
                continue
            if not force and now < self._next_periodic.get(consumer.name, 0.0):
                continue
            with self.app.app_context():
                try:
                    consumer.periodic()
                    self._next_periodic[consumer.name] = now + consumer.period
                except events.Busy as exc:
                    log.info("%s: %s; periodic task postponed", consumer.name, exc)
                    self._next_periodic[consumer.name] = now + BUSY_RETRY
                except Exception:  # noqa: BLE001 — logged; tried again next period
                    log.exception("%s: periodic task failed", consumer.name)
                    db.session.rollback()
                    self._next_periodic[consumer.name] = now + min(consumer.period, 60.0)
                finally:
                    db.session.remove()

    def drain(self) -> int:
        """Handle everything pending now (tests, `worker --once`)."""
        total = 0
        while not self.stop.is_set() and (handled := self.run_once()):
            total += handled
        return total

    def run(self) -> None:
        """Until `stop` is set: periodic tasks when due, deliveries as they come."""
        names = ", ".join(c.name for c in events.consumers(self.app)) or "none"
        log.info("worker started; consumers: %s", names)
        while not self.stop.is_set():
            # A batch first, then what is due: fresh writes wait for at most one periodic task.
            handled = self.run_once()
            self.run_periodic()
            if not handled:
                self.stop.wait(self.poll)
        log.info("worker stopped")


def run_until_signalled(app: Flask, *, once: bool = False, poll: float | None = None,
                        batch: int = 200) -> int:
    """The `worker` command: SIGTERM/SIGINT end the loop after the batch in hand."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    stop = threading.Event()
    worker = Worker(app, poll=poll, batch=batch, stop=stop)

    def request_stop(signum, _frame):
        log.info("signal %s: stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    if once:
        worker.run_periodic(force=True)
        handled = worker.drain()
        if handled:  # what the events made (mail about them) goes out too, before exiting
            worker.run_periodic(force=True)
        return handled
    worker.run()
    return 0
