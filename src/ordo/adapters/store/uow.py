"""A unit of work: one connection, one transaction, the repositories that share it.

    with store.uow() as uow:
        uow.orders.add(...)
        uow.outbox.append(...)
        uow.commit()

Leaving the block without ``commit()`` rolls back. Driver errors raised inside
the block leave it as :class:`ordo.domain.errors.StoreError` subclasses.
"""

from __future__ import annotations

from types import TracebackType

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc

from ordo.adapters.store.errors import translate
from ordo.adapters.store.repositories.access import AccessRepository
from ordo.adapters.store.repositories.catalog import CatalogRepository
from ordo.adapters.store.repositories.channel_stock import ChannelStockRepository
from ordo.adapters.store.repositories.channels import ChannelRepository
from ordo.adapters.store.repositories.cold_chain import ColdChainRepository
from ordo.adapters.store.repositories.identity import IdentityRepository
from ordo.adapters.store.repositories.incidents import IncidentRepository
from ordo.adapters.store.repositories.orders import OrderRepository
from ordo.adapters.store.repositories.outbound import OutboundRepository
from ordo.adapters.store.repositories.outbox import Outbox
from ordo.adapters.store.repositories.parcels import ParcelRepository
from ordo.adapters.store.repositories.routing import RoutingRepository
from ordo.adapters.store.repositories.rules import RuleRepository
from ordo.adapters.store.repositories.stock import StockRepository


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
        self.channels = ChannelRepository(conn)
        self.channel_stock = ChannelStockRepository(conn)
        self.identity = IdentityRepository(conn, postgres=locking)
        self.parcels = ParcelRepository(conn, lock_rows=locking)
        self.rules = RuleRepository(conn, lock_rows=locking)
        self.incidents = IncidentRepository(conn, lock_rows=locking)
        self.cold_chain = ColdChainRepository(conn)
        self.routing = RoutingRepository(conn)
        return self

    @property
    def connection(self) -> sa.Connection:
        assert self._conn is not None, "unit of work used outside its with-block"
        return self._conn

    def commit(self) -> None:
        assert self._tx is not None
        try:
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
