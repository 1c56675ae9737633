"""Wake-ups for in-process listeners (the SSE stream) after a commit.

The outbox is the truth; this only tells listeners "there is something new" so they
need not poll hard. Listeners on other processes fall back to a slow poll.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class Notifier:
    def __init__(self) -> None:
        self._listeners: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._listeners:
                    self._listeners.remove(callback)

        return unsubscribe

    def notify(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for callback in listeners:
            callback()
