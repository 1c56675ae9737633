"""No module of ``ordo`` keeps live state: caches, locks and jobs belong to the Ordo object.

Every module under ``src/ordo`` is read with :mod:`ast` (nothing is imported), and these
are refused:

1. a ``global`` statement, anywhere: a function that rebinds a module name is module state;
2. at module level or in a module-level class body, a name bound to an empty container
   (``{}``, ``[]``, ``dict()``, ``list()``, ``set()``, ``bytearray()``: it exists to be
   filled) or to a stateful object (``WeakKeyDictionary``, ``defaultdict``, ``deque``,
   ``Lock``, ``Random``, ``TTLCache``, ``Thread``, an engine …, see :data:`STATEFUL`);
3. a module-level table built from a mutable display (``{"a": 1}``, ``[x for x in …]``)
   that any module of ``ordo`` mutates: item assignment or deletion, augmented assignment,
   or a mutating method (``append``, ``update``, ``setdefault``, ``clear``, ``pop`` …) on
   the name, imported or reached as ``module.NAME``. A table written once in code and
   only read is a constant, whatever its type; new tables should still prefer
   ``MappingProxyType``, ``frozenset`` and tuples, which no caller can change either;
4. a module-level function memoised with ``functools.cache`` / ``lru_cache`` or
   ``cachetools.cached``, unless it is in :data:`PURE_MEMOS` with the reason it is pure: a
   function of its arguments or of data shipped in the package, never of the store, the
   clock or the environment. Anything that remembers store answers lives on the Ordo
   (``ordo.caches``) and goes with it.

What the check cannot see: a table handed out and mutated through another reference, or
state hidden inside an object whose class is not in :data:`STATEFUL`. Reviews catch those;
this test keeps the easy mistakes out.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "src" / "ordo"

#: Constructors whose instances hold changing state (by the last part of the called name).
STATEFUL = frozenset(
    {
        # containers that exist to be filled, or that change by themselves
        "defaultdict", "OrderedDict", "Counter", "deque", "ChainMap",
        "WeakKeyDictionary", "WeakValueDictionary", "WeakSet",
        # caches
        "Cache", "TTLCache", "LRUCache", "LFUCache", "FIFOCache", "RRCache", "TLRUCache", "lru_cache",
        # synchronisation and threads
        "Lock", "RLock", "Event", "Condition", "Semaphore", "BoundedSemaphore", "Barrier", "local",
        "Thread", "Timer", "ThreadPoolExecutor", "ProcessPoolExecutor",
        "Queue", "SimpleQueue", "LifoQueue", "PriorityQueue",
        # sources of values that move, and live connections
        "Random", "count", "create_engine", "connect", "Client", "AsyncClient",
    }
)  # fmt: skip
EMPTY_CALLS = frozenset({"dict", "list", "set", "bytearray"})
MUTATORS = frozenset(
    {
        "append", "extend", "insert", "remove", "pop", "popitem", "clear", "update", "setdefault",
        "add", "discard", "sort", "reverse", "appendleft", "extendleft", "intersection_update",
        "difference_update", "symmetric_difference_update", "__setitem__", "__delitem__",
    }
)  # fmt: skip
MEMO_DECORATORS = frozenset({"cache", "lru_cache", "cached"})

#: Module-level memos of pure functions, "module:function" → why its answers never go stale.
PURE_MEMOS = {
    # Parses of text a payload carries: the answer depends on the text alone.
    "ordo.adapters.channels.values:_text_fen": "yuan text → fen",
    "ordo.adapters.channels.values:_text_time_ns": "time text → UTC ns",
    "ordo.adapters.channels.values:_wall_clock_ns": "Shanghai wall-clock text → UTC ns",
    # Built once from data files shipped in the package.
    "ordo.adapters.geo.divisions:load_divisions": "the shipped division registry",
    "ordo.adapters.geo.address:default_resolver": "a resolver over the shipped registry",
    "ordo.service.channels.receive:resolver_for": "a resolver per registry (the shipped one)",
    "ordo.rules.language.parser:lark_parser": "the shipped grammar",
    "ordo.rules.language.glossary:default_glossary": "the shipped glossary",
    "ordo.rules.language.tolerant:default_tolerance": "the shipped tolerant-reader data",
    "ordo.service.insight.catalog:default_catalog": "the shipped metrics layer (metrics.toml)",
    "ordo.service.insight.ask:_city_names": "the cities of a (shipped, immutable) division registry",
    "ordo.service.customers.value:default_model": "the shipped customer value model (value.toml)",
    "ordo.service.insight.intents:default_model": "the intent model trained on the shipped examples",
    "ordo.adapters.store.analytics.gate:_view_sql": "the shipped view projected to columns, per dialect",
    # Keyed by the file and its modification time: an edited file is a new key.
    "ordo.adapters.status_graph:_cached": "the status graph file as of its mtime",
    # Pure functions of their arguments.
    "ordo.rules.language.suggest:_pinyin": "a word's pinyin",
    "ordo.adapters.store.rows:_insert_sql": "an INSERT compiled for a dialect, table and columns",
    "ordo.api.deps:requires": "one dependency object per permission",
    "ordo.domain.customers.identity:_hmac_pads": "HMAC pads of a pepper",
    "ordo.service.orders.intake:_derived": "status of a set of milestones",
    "ordo.rules.evaluation.facts:_short": "a place name's short form",
    "ordo.service.orders.intake_rules:_field_access": "the init fields of a dataclass",
    "ordo.service.routing.decisions:_rule_names": "the rules of an (immutable) version's text",
}


#: Module state that is process-wide by nature, "module:name" → why it cannot live on an Ordo.
PROCESS_WIDE = {
    # The garbage collector is one per process, whatever the number of Ordos in it; so is the
    # count of threads that paused it (``gc_paused``), or one would switch it back on under
    # another. A plain "was it on?" per caller is not enough: a thread that read "off" while
    # another held the pause would switch it off again after that one left, for good.
    "ordo.service.runtime.collector:_gc_lock": "guards the two below",
    "ordo.service.runtime.collector:_gc_holders": "threads inside gc_paused()",
    "ordo.service.runtime.collector:_gc_was_enabled": "the collector's state before the first",
}


@dataclass(frozen=True)
class Finding:
    where: str
    line: int
    what: str
    #: "module:name" of the state, to look up in :data:`PROCESS_WIDE`.
    key: str = ""

    def __str__(self) -> str:
        return f"{self.where}:{self.line}: {self.what}"


def _modules() -> Iterator[tuple[str, Path, ast.Module]]:
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT.parent.parent)) if path.is_relative_to(ROOT) else path.name


def _called(node: ast.expr) -> str:
    """The last part of the name a call calls (``threading.Lock()`` → ``Lock``)."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements run at import: the body, including inside module-level ``if`` / ``try``."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.If):
            yield from _top_level(stmt.body)
            yield from _top_level(stmt.orelse)
        elif isinstance(stmt, ast.Try):
            for block in (stmt.body, stmt.orelse, stmt.finalbody, *(h.body for h in stmt.handlers)):
                yield from _top_level(block)


def _bindings(body: list[ast.stmt]) -> Iterator[tuple[str, ast.expr, int]]:
    for stmt in _top_level(body):
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    yield target.id, stmt.value, stmt.lineno
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None and isinstance(stmt.target, ast.Name):
            yield stmt.target.id, stmt.value, stmt.lineno


def _class_attributes(body: list[ast.stmt]) -> Iterator[tuple[str, ast.expr, int]]:
    """Attributes a class body shares between its instances: plain or ``ClassVar`` ones.

    An annotated attribute is a field default (dataclass, pydantic model), copied per instance.
    """
    for stmt in body:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    yield target.id, stmt.value, stmt.lineno
        elif (
            isinstance(stmt, ast.AnnAssign)
            and stmt.value is not None
            and isinstance(stmt.target, ast.Name)
            and "ClassVar" in ast.unparse(stmt.annotation)
        ):
            yield stmt.target.id, stmt.value, stmt.lineno


def _live_value(value: ast.expr) -> str | None:
    """Why a bound value is state (rule 2), or None."""
    if isinstance(value, ast.Dict | ast.List | ast.Set) and not _elements(value):
        return "an empty container"
    if isinstance(value, ast.Call):
        name = _called(value)
        if name in EMPTY_CALLS and not value.args and not value.keywords:
            return "an empty container"
        if name in STATEFUL:
            return f"a stateful {name}"
        if isinstance(value.func, ast.Call) and _called(value.func) in MEMO_DECORATORS:
            return "a memoised function"
    return None


def _elements(node: ast.Dict | ast.List | ast.Set) -> list[ast.expr | None]:
    return list(node.keys) if isinstance(node, ast.Dict) else list(node.elts)


def _mutable_table(value: ast.expr) -> bool:
    if isinstance(value, ast.Dict | ast.List | ast.Set | ast.DictComp | ast.ListComp | ast.SetComp):
        return True
    return isinstance(value, ast.Call) and _called(value) in EMPTY_CALLS


def _memo_decorated(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(_called(d) in MEMO_DECORATORS for d in fn.decorator_list)


@functools.cache  # the tree does not change during a test run; parse it once
def _scan() -> tuple[list[Finding], list[str]]:
    findings: list[Finding] = []
    memos: list[str] = []
    tables: dict[tuple[str, str], int] = {}  # (module, name) → line
    trees = list(_modules())
    for module, path, tree in trees:
        where = _shown(path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Global):
                findings += [Finding(where, node.lineno, f"global {n}", f"{module}:{n}") for n in node.names]
        for name, value, line in _bindings(tree.body):
            why = _live_value(value)
            if why:
                findings.append(Finding(where, line, f"{name} is {why}", f"{module}:{name}"))
            elif _mutable_table(value):
                tables[(module, name)] = line
        for stmt in _top_level(tree.body):
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) and _memo_decorated(stmt):
                memos.append(f"{module}:{stmt.name}")
            if isinstance(stmt, ast.ClassDef):
                for cname, value, line in _class_attributes(stmt.body):
                    why = _live_value(value)
                    if why:
                        findings.append(Finding(where, line, f"{stmt.name}.{cname} is {why}"))
    findings += _mutated(trees, tables)
    return [f for f in findings if f.key not in PROCESS_WIDE], memos


def _table_of(
    expr: ast.expr,
    names: dict[str, tuple[str, str]],
    aliases: dict[str, str],
    tables: dict[tuple[str, str], int],
) -> tuple[str, str] | None:
    """The module table ``expr`` names: ``NAME`` (defined or imported here) or ``module.NAME``."""
    if isinstance(expr, ast.Name):
        return names.get(expr.id)
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
        key = (aliases.get(expr.value.id, ""), expr.attr)
        return key if key in tables else None
    return None


def _mutated(trees: list[tuple[str, Path, ast.Module]], tables: dict[tuple[str, str], int]) -> list[Finding]:
    """Rule 3: every mutation of a module-level table, in any module."""
    out: list[Finding] = []
    modules = {m for m, _ in tables}
    for module, path, tree in trees:
        names: dict[str, tuple[str, str]] = {n: (m, n) for m, n in tables if m == module}
        aliases: dict[str, str] = {}  # local name → module it names
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                for a in node.names:
                    if (node.module, a.name) in tables:
                        names[a.asname or a.name] = (node.module, a.name)
                    if f"{node.module}.{a.name}" in modules:
                        aliases[a.asname or a.name] = f"{node.module}.{a.name}"
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name in modules and a.asname:
                        aliases[a.asname] = a.name
        if not names and not aliases:
            continue
        where = _shown(path)
        for node in ast.walk(tree):
            changed: ast.expr | None = None
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store | ast.Del):
                changed = node.value
            elif isinstance(node, ast.AugAssign):
                changed = node.target
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in MUTATORS
            ):
                changed = node.func.value
            hit = _table_of(changed, names, aliases, tables) if changed is not None else None
            if hit is not None:
                out.append(Finding(where, node.lineno, f"mutates the module table {hit[0]}.{hit[1]}"))
    return out


def test_no_module_of_ordo_keeps_mutable_state_or_a_global():
    findings, _ = _scan()
    assert not findings, "module-level state (move it onto the Ordo):\n" + "\n".join(map(str, findings))


def test_every_module_level_memo_is_a_listed_pure_function():
    _, memos = _scan()
    unlisted = sorted(set(memos) - set(PURE_MEMOS))
    assert not unlisted, f"memoised at module level, not known to be pure: {unlisted}"


def test_the_allow_lists_name_only_things_that_exist():
    """Matched by name, so an entry still holds while its function moves between modules."""
    _, memos = _scan()
    present = {m.split(":")[1] for m in memos}
    assert sorted({key.split(":")[1] for key in PURE_MEMOS} - present) == []
    found: dict[str, bool] = {}
    for key in PROCESS_WIDE:
        module, name = key.split(":")
        path = ROOT.parent / (module.replace(".", "/") + ".py")
        here = path.exists() and name in path.read_text(encoding="utf-8")
        found[name] = found.get(name, False) or here
    assert [name for name, here in found.items() if not here] == []


def test_the_check_sees_each_kind_of_state(tmp_path):
    """The scanner itself: each refused form is found (so a silent scanner cannot pass)."""
    source = (
        "import threading, weakref\n"
        "from functools import lru_cache\n"
        "SEEN = {}\n"
        "LOCK = threading.Lock()\n"
        "BY_STORE = weakref.WeakKeyDictionary()\n"
        "TABLE = {'a': 1}\n"
        "class K:\n"
        "    shared = []\n"
        "    field: list[int] = []\n"
        "def f():\n"
        "    global SEEN\n"
        "    TABLE['b'] = 2\n"
        "memo = lru_cache(maxsize=4)(f)\n"
    )
    tree = ast.parse(source)
    live = [name for name, value, _ in _bindings(tree.body) if _live_value(value)]
    assert live == ["SEEN", "LOCK", "BY_STORE", "memo"]
    [cls] = [s for s in tree.body if isinstance(s, ast.ClassDef)]
    assert [n for n, v, _ in _class_attributes(cls.body) if _live_value(v)] == ["shared"]
    found = _mutated([("m", tmp_path / "m.py", tree)], {("m", "TABLE"): 6})
    assert [f.what for f in found] == ["mutates the module table m.TABLE"]
    assert any(isinstance(n, ast.Global) for n in ast.walk(tree))
