"""The rule AST: what a sentence means, independent of the language it was written in.

Owns the node types only (frozen dataclasses, hashable, comparable). A Chinese and an
English sentence that mean the same thing produce equal nodes; the source text and the
rule id ride along but do not take part in equality.

Units inside the AST are fixed, whatever the sentence said:
money is integer fen (``50万`` on a money field → 50,000,000), durations are integer
seconds, weights integer grams, ratios a float in [0, 1] (``15%`` → 0.15), dates
``datetime.date`` (whole days in Asia/Shanghai). It never evaluates anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

# The trigger patterns are AST nodes too; the domain owns them (its matcher runs them).
from ordo.domain.triggers import Count as Count
from ordo.domain.triggers import Pattern as Pattern
from ordo.domain.triggers import Single as Single
from ordo.domain.triggers import Streak as Streak


class Op(StrEnum):
    EQ = "="
    NE = "!="
    GT = ">"
    GE = ">="
    LT = "<"
    LE = "<="

    def negate(self) -> Op:
        return _NEGATE[self]


_NEGATE = {Op.EQ: Op.NE, Op.NE: Op.EQ, Op.GT: Op.LE, Op.LE: Op.GT, Op.LT: Op.GE, Op.GE: Op.LT}


class Category(StrEnum):
    """Rule categories, in the order a rule set evaluates them."""

    GUARD = "guard"
    REVIEW = "review"
    PRICING = "pricing"
    ROUTING = "routing"
    INCIDENT = "exception"
    NOTIFY = "notify"
    #: Event-stream triggers: a sequence over a customer's events raises a task. Not evaluated
    #: on orders at intake; the trigger runner reads them (``ordo.service.triggers``).
    TRIGGER = "trigger"


class HitPolicy(StrEnum):
    FIRST = "first"  # the first matching rule (priority, then position) fires, the rest do not
    ALL = "all"  # every matching rule fires, in order; later actions may override earlier ones
    COLLECT = "collect"  # every matching rule fires; actions merged as a set (duplicates dropped)


Scalar = int | float | str | bool | date

# -- conditions ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Always:
    """True for every order (a rule with no condition)."""


@dataclass(frozen=True, slots=True)
class Compare:
    field: str
    op: Op
    value: Scalar


@dataclass(frozen=True, slots=True)
class InSet:
    """``field`` equals one of ``values`` or lies in one of the region ``groups``.

    Groups stay named in the AST (``地震灾区``) and are expanded when compiled, so
    editing the group's members in the glossary changes what the rule matches.
    """

    field: str
    values: tuple[str, ...]
    groups: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Contains:
    """A list field holds any of ``values``, or a text field contains any of them."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IsTrue:
    field: str


@dataclass(frozen=True, slots=True)
class DateRange:
    """The field's day (Asia/Shanghai) lies in [start, end], both inclusive."""

    field: str
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class Reached:
    """The milestone has been recorded."""

    milestone: str


@dataclass(frozen=True, slots=True)
class Elapsed:
    """Time since the milestone was recorded compares to ``seconds`` (false if not recorded)."""

    milestone: str
    op: Op
    seconds: int


@dataclass(frozen=True, slots=True)
class Not:
    item: Condition


@dataclass(frozen=True, slots=True)
class All:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Condition, ...]


Atom = Compare | InSet | Contains | IsTrue | DateRange | Reached | Elapsed
Condition = Always | Atom | Not | All | AnyOf

# -- actions ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tag:
    tag: str


@dataclass(frozen=True, slots=True)
class RedFlag:
    pass


@dataclass(frozen=True, slots=True)
class Notify:
    role: str


@dataclass(frozen=True, slots=True)
class Hold:
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Approve:
    pass


@dataclass(frozen=True, slots=True)
class ThresholdOff:
    """满 threshold 减 off (``each``: 每满, repeated, up to ``cap_fen`` in total)."""

    threshold_fen: int
    off_fen: int
    each: bool = False
    cap_fen: int | None = None
    stackable: bool = False


@dataclass(frozen=True, slots=True)
class Discount:
    """A percentage off the goods: 9折 → off_bp 1000 (basis points)."""

    off_bp: int
    stackable: bool = False


@dataclass(frozen=True, slots=True)
class FreightWaive:
    pass


@dataclass(frozen=True, slots=True)
class FreightOff:
    fen: int


@dataclass(frozen=True, slots=True)
class Gift:
    """Give ``qty`` of ``sku`` once the goods reach ``min_fen`` (``each``: once per
    ``min_fen`` spent, 每满), at most ``cap`` units in total."""

    sku: str
    qty: int = 1
    min_fen: int | None = None
    each: bool = False
    cap: int | None = None
    stackable: bool = False


@dataclass(frozen=True, slots=True)
class UseCarrier:
    carrier: str


@dataclass(frozen=True, slots=True)
class AvoidCarrier:
    """Never hand the order to this carrier (``偏远地区 不用 极兔``)."""

    carrier: str


#: The wait of a ``合单`` written without one: 30 minutes (rendered back, never hidden).
DEFAULT_MERGE_WINDOW_S = 30 * 60


@dataclass(frozen=True, slots=True)
class MergeWindow:
    """Hold the order ``seconds`` for the customer's other orders to the same address, then
    ship them as one (合单). Sealed orders (``封单``, 货到付款) are never held nor merged."""

    seconds: int = DEFAULT_MERGE_WINDOW_S


@dataclass(frozen=True, slots=True)
class UseProfile:
    profile: str


@dataclass(frozen=True, slots=True)
class PreferWarehouse:
    warehouse: str


@dataclass(frozen=True, slots=True)
class ExcludeWarehouse:
    warehouse: str


@dataclass(frozen=True, slots=True)
class SplitPolicy:
    allowed: bool


@dataclass(frozen=True, slots=True)
class Playbook:
    """A step of an incident playbook (retry_stock_lock, reroute, escalate …)."""

    step: str


@dataclass(frozen=True, slots=True)
class Freeze:
    """Freeze a permission (or a rule category) while the rule's condition holds."""

    target: str
    kind: str  # "permission" | "category"
    role: str | None = None


#: The due time of a ``创建任务`` written without one: a day (rendered back, never hidden).
DEFAULT_TASK_DUE_S = 24 * 3600


@dataclass(frozen=True, slots=True)
class CreateTask:
    """Raise a task for a role (``客服``, ``销售`` …) or a named user, due ``due_s`` after the
    event that completed the trigger, with an optional title."""

    role: str | None
    user: str | None = None
    due_s: int = DEFAULT_TASK_DUE_S
    title: str = ""


Action = (
    Tag
    | RedFlag
    | Notify
    | Hold
    | Approve
    | ThresholdOff
    | Discount
    | FreightWaive
    | FreightOff
    | Gift
    | UseCarrier
    | AvoidCarrier
    | MergeWindow
    | UseProfile
    | PreferWarehouse
    | ExcludeWarehouse
    | SplitPolicy
    | Playbook
    | Freeze
    | CreateTask
)

ACTION_CATEGORY: dict[type, Category] = {
    Freeze: Category.GUARD,
    Hold: Category.REVIEW,
    Approve: Category.REVIEW,
    ThresholdOff: Category.PRICING,
    Discount: Category.PRICING,
    FreightWaive: Category.PRICING,
    FreightOff: Category.PRICING,
    Gift: Category.PRICING,
    UseCarrier: Category.ROUTING,
    AvoidCarrier: Category.ROUTING,
    MergeWindow: Category.ROUTING,
    UseProfile: Category.ROUTING,
    PreferWarehouse: Category.ROUTING,
    ExcludeWarehouse: Category.ROUTING,
    SplitPolicy: Category.ROUTING,
    Playbook: Category.INCIDENT,
    Tag: Category.NOTIFY,
    RedFlag: Category.NOTIFY,
    Notify: Category.NOTIFY,
    CreateTask: Category.TRIGGER,
}


@dataclass(frozen=True, slots=True)
class Rule:
    category: Category
    condition: Condition
    actions: tuple[Action, ...]
    priority: int = 0
    #: The part in brackets after a promotion (``(渠道为天猫, 活动期 …)``): where it applies.
    scope: Condition = Always()
    id: str = field(default="", compare=False)
    source: str = field(default="", compare=False)
    #: A trigger's sequence over the customer's events (``30天内 退货 2次``); its ``condition``
    #: then reads the customer only (``客户累计消费 超过 5000元``). None: an order rule.
    trigger: Pattern | None = None

    @property
    def guard(self) -> Condition:
        """Everything that must hold for the rule to fire: scope, condition and action thresholds.

        A 满299减50 fires only on orders whose goods reach 299元, so the threshold is
        part of when the rule fires, not just of what it does.
        """
        parts: list[Condition] = [c for c in (self.scope, self.condition) if not isinstance(c, Always)]
        for a in self.actions:
            if isinstance(a, ThresholdOff):
                parts.append(Compare("order.goods_amount", Op.GE, a.threshold_fen))
            elif isinstance(a, Gift) and a.min_fen is not None:
                parts.append(Compare("order.goods_amount", Op.GE, a.min_fen))
        if not parts:
            return Always()
        return parts[0] if len(parts) == 1 else All(tuple(parts))


def category_of(condition: Condition, actions: tuple[Action, ...]) -> Category:
    """The category a rule belongs to, from what it does (and whether it watches time)."""
    cats = {ACTION_CATEGORY[type(a)] for a in actions}
    if _watches_time(condition) and Category.GUARD not in cats:
        return Category.INCIDENT
    for cat in Category:
        if cat in cats:
            return cat
    return Category.NOTIFY


def _watches_time(c: Condition) -> bool:
    if isinstance(c, Elapsed):
        return True
    if isinstance(c, Not):
        return _watches_time(c.item)
    if isinstance(c, All | AnyOf):
        return any(_watches_time(i) for i in c.items)
    return False
