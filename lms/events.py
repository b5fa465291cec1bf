"""Domain events: a service that records a fact publishes it; other packages subscribe.

Plain functions, no framework: each domain defines its events as frozen dataclasses in its
own `events.py`, publishes them with `publish(...)` after recording the fact, and the app
factory wires subscribers from higher packages with `subscribe(app, EventType, handler)`.
Subscribers run synchronously, inside the publisher's transaction: a subscriber that
raises makes the whole write fail and roll back, so derived data (report summaries,
completion, certificates, outbox rows) never drifts from the facts. Whatever must leave
the process is written as an outbox row by a subscriber, never sent from here.

Writes flow one way: a low package publishes, a higher package subscribes, and the low
package never imports the high one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app

EXTENSION = "lms.events"

E = TypeVar("E")
Handler = Callable[[Any], None]


class Dispatcher:
    """Handlers per event type, called in the order they were subscribed."""

    def __init__(self) -> None:
        self._handlers: dict[type, list[Handler]] = defaultdict(list)

    def subscribe(self, event_type: type[E], handler: Callable[[E], None]) -> None:
        if handler not in self._handlers[event_type]:
            self._handlers[event_type].append(handler)

    def handlers(self, event_type: type) -> tuple[Handler, ...]:
        return tuple(self._handlers.get(event_type, ()))

    def publish(self, event: object) -> None:
        for handler in self.handlers(type(event)):
            handler(event)


def init_events(app: Flask) -> Dispatcher:
    """Give the app its own dispatcher (so one test's subscribers never leak into another)."""
    dispatcher = Dispatcher()
    app.extensions[EXTENSION] = dispatcher
    return dispatcher


def subscribe(app: Flask, event_type: type[E], handler: Callable[[E], None]) -> None:
    """Call `handler(event)` whenever an event of `event_type` is published in `app`."""
    app.extensions[EXTENSION].subscribe(event_type, handler)


def publish(event: object) -> None:
    """Run every subscriber of the event's type now, in the current transaction."""
    current_app.extensions[EXTENSION].publish(event)
