"""Event-stream triggers: the live rule book's triggers run on each customer's events and raise
tasks for sales or service.

``events`` reads customer events off the outbox (an order placed, returned, cancelled, late; a
tagged service message); ``runner`` follows the outbox from its cursor and raises each
occurrence's task once (:func:`catch_up`); ``tasks`` lists, assigns and closes them;
``backtest`` replays stored customer events to say which tasks a trigger would have raised.
"""

from ordo.service.triggers.backtest import backtest_triggers
from ordo.service.triggers.runner import catch_up, live_triggers
from ordo.service.triggers.tasks import TaskNotFound, assign_task, close_task, get_task, list_tasks

__all__ = [
    "TaskNotFound",
    "assign_task",
    "backtest_triggers",
    "catch_up",
    "close_task",
    "get_task",
    "list_tasks",
    "live_triggers",
]
