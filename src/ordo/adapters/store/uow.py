"""A unit of work: one connection, one transaction, the repositories that share it.

    with store.uow() as uow:
        uow.orders.add(...)
        uow.outbox.append(...)
        uow.commit()

Leaving the block without ``commit()`` rolls back. Driver errors raised inside
the block leave it as :class:`ordo.domain.errors.StoreError` subclasses.

This is the store's implementation of :class:`ordo.service.ports.UnitOfWork` (mypy checks
it below): the service reaches the store only through these repositories. ``connection``
is for the store's own tests and bulk tools, never for the service.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc

from ordo.adapters.store.errors import translate
from ordo.adapters.store.repositories.access import AccessRepository
from ordo.adapters.store.repositories.actions import ActionRepository
from ordo.adapters.store.repositories.catalog import CatalogRepository
from ordo.adapters.store.repositories.channel_stock import ChannelStockRepository
from ordo.adapters.store.repositories.channels import ChannelRepository
from ordo.adapters.store.repositories.claims import ClaimRepository
from ordo.adapters.store.repositories.cold_chain import ColdChainRepository
from ordo.adapters.store.repositories.customer_stats import CustomerStatsRepository
from ordo.adapters.store.repositories.forecast import ForecastRepository
from ordo.adapters.store.repositories.holds import HoldRepository
from ordo.adapters.store.repositories.identity import IdentityRepository
from ordo.adapters.store.repositories.incidents import IncidentRepository
from ordo.adapters.store.repositories.orders import OrderRepository
from ordo.adapters.store.repositories.outbound import OutboundRepository
from ordo.adapters.store.repositories.outbox import Outbox
from ordo.adapters.store.repositories.overview import OverviewRepository
from ordo.adapters.store.repositories.parcels import ParcelRepository
from ordo.adapters.store.repositories.people import PeopleRepository
from ordo.adapters.store.repositories.platforms import PlatformRepository
from ordo.adapters.store.repositories.risk import RiskRepository
from ordo.adapters.store.repositories.routing import RoutingRepository
from ordo.adapters.store.repositories.rules import RuleRepository
from ordo.adapters.store.repositories.stock import StockRepository
from ordo.adapters.store.repositories.substitutes import SubstituteRepository
from ordo.adapters.store.repositories.triggers import TriggerRepository
from ordo.adapters.store.repositories.worklist import WorklistRepository


class UnitOfWork:
    def __init__(self, engine: sa.Engine, *, read_only: bool = False) -> None:
        self._engine = engine
        self._read_only = read_only
        self._conn: sa.Connection | None = None
        self._tx: sa.RootTransaction | None = None

    def __enter__(self) -> UnitOfWork:
        try:
            conn = self._engine.connect()
            if self._read_only:
                conn = conn.execution_options(ordo_read_only=True)
            self._conn = conn
            self._tx = conn.begin()
        except sa_exc.DBAPIError as exc:
            raise translate(exc) from exc
        locking = conn.dialect.name == "postgresql"
        self.catalog = CatalogRepository(conn)
        self.stock = StockRepository(conn, lock_rows=locking)
        self.orders = OrderRepository(conn, lock_rows=locking)
        self.outbox = Outbox(conn)
        self.outbound = OutboundRepository(conn)
        self.access = AccessRepository(conn)
        self.people = PeopleRepository(conn)
        self.channels = ChannelRepository(conn)
        self.channel_stock = ChannelStockRepository(conn)
        self.substitutes = SubstituteRepository(conn)
        self.identity = IdentityRepository(conn, postgres=locking)
        self.customer_stats = CustomerStatsRepository(conn)
        self.forecast = ForecastRepository(conn)
        self.parcels = ParcelRepository(conn, lock_rows=locking)
        self.rules = RuleRepository(conn, lock_rows=locking)
        self.incidents = IncidentRepository(conn, lock_rows=locking)
        self.cold_chain = ColdChainRepository(conn)
        self.routing = RoutingRepository(conn)
        self.holds = HoldRepository(conn)
        self.claims = ClaimRepository(conn)
        self.overview = OverviewRepository(conn)
        self.platforms = PlatformRepository(conn)
        self.worklist = WorklistRepository(conn)
        self.actions = ActionRepository(conn, lock_rows=locking)
        self.risk = RiskRepository(conn, lock_rows=locking)
        self.triggers = TriggerRepository(conn, lock_rows=locking)
        return self

    @property
    def history(self) -> HistoryRepository:
        """Stored orders as order facts, for backtests. Built on use: it loads Polars, which
        the order path never needs (importing it with the store grew every process's heap by
        a fifth, and intake slowed by its full garbage collections)."""
        from ordo.adapters.store.repositories.rules_history import HistoryRepository

        return HistoryRepository(self.connection)

    @property
    def connection(self) -> sa.Connection:
        assert self._conn is not None, "unit of work used outside its with-block"
        return self._conn

    def ping(self) -> None:
        self.connection.exec_driver_sql("SELECT 1")

    def commit(self) -> None:
        assert self._tx is not None
        try:
            self.outbox.flush()  # PostgreSQL: the events go in last, in commit order (outbox.py)
            self._tx.commit()
        except sa_exc.DBAPIError as exc:
            raise translate(exc) from exc

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._tx is not None and self._tx.is_active:
                self._tx.rollback()
        finally:
            if self._conn is not None:
                self._conn.close()
            self._conn = self._tx = None
        if isinstance(exc, sa_exc.DBAPIError):
            raise translate(exc) from exc


if TYPE_CHECKING:  # the store implements the service's ports: mypy proves it here
    from ordo.adapters.store.engine import Store
    from ordo.adapters.store.repositories.rules_history import HistoryRepository
    from ordo.service import ports

    def _implements(uow: UnitOfWork, store: Store) -> tuple[ports.UnitOfWork, ports.Store]:
        return uow, store
