"""Events out (C10): outbound subscriptions and their delivery, broker relays, the
overview projector that follows the outbox, and in-process wake-ups.

Nothing here writes an order; it reads the outbox after commit.
"""

__all__ = ["delivery", "notify", "outbound", "overview", "projector", "relay", "subscriptions"]
