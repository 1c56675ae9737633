"""Ports: what the use cases need from the store, as interfaces the store implements.

The service layer types against these and never against the store itself: a
:class:`UnitOfWork` is one transaction with its repositories (``uow.orders``,
``uow.holds`` …), a :class:`Store` hands them out. Each capability's module holds its
repository interfaces (``typing.Protocol``), the values they trade in (``Progress``,
``Delta``, ``Watch`` …) and the typed rows they return (``OrderRecord`` …, plain dicts at
run time, so the API's JSON is what it was).

``ordo.adapters.store`` implements every one of these (its unit of work is checked
against :class:`UnitOfWork` by mypy) and imports only the values from here. Nothing
here imports SQLAlchemy, runs SQL or decides anything.
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from ordo.service.ports.actions import ActionRepository
from ordo.service.ports.channels import AccessRepository, ChannelRepository
from ordo.service.ports.customer_stats import CustomerStatsRepository, StatsRow
from ordo.service.ports.customers import IdentityRepository
from ordo.service.ports.events import (
    EventRecord,
    Offset,
    OrderFacts,
    OutboundRepository,
    Outbox,
    OverviewRepository,
    Subscription,
)
from ordo.service.ports.forecast import ForecastRepository
from ordo.service.ports.incidents import (
    FAILED,
    PLACED,
    REQUESTED,
    SHIPPED,
    ColdChainRepository,
    IncidentRepository,
    Watch,
)
from ordo.service.ports.insight import Analytics
from ordo.service.ports.inventory import (
    CatalogRepository,
    ChannelStockRepository,
    Delta,
    StockRepository,
    SubstituteRepository,
    SubstituteRow,
)
from ordo.service.ports.leases import Leases
from ordo.service.ports.orders import (
    AnomalyRecord,
    ClaimRepository,
    HoldRepository,
    MilestoneRecord,
    OrderFilter,
    OrderLineRecord,
    OrderRecord,
    OrderRepository,
    OrderSummary,
    ParcelRecord,
    ParcelRepository,
    Progress,
    RegionFilter,
    ShipTo,
    VocabularyAnomaly,
)
from ordo.service.ports.people import PeopleRepository
from ordo.service.ports.platforms import PlatformRepository, ShipmentRecord, ShopRecord
from ordo.service.ports.risk import Exposure, RiskRepository
from ordo.service.ports.routing import RoutingRepository
from ordo.service.ports.rules import HistoryFilter, HistoryRepository, RuleRepository
from ordo.service.ports.triggers import EventRow, TaskRow, TriggerRepository
from ordo.service.ports.worklist import WorkFilter, WorklistRepository

__all__ = [
    "FAILED",
    "PLACED",
    "REQUESTED",
    "SHIPPED",
    "AccessRepository",
    "ActionRepository",
    "AnomalyRecord",
    "CatalogRepository",
    "ChannelRepository",
    "ChannelStockRepository",
    "ClaimRepository",
    "ColdChainRepository",
    "CustomerStatsRepository",
    "Delta",
    "EventRecord",
    "EventRow",
    "Exposure",
    "ForecastRepository",
    "HistoryFilter",
    "HistoryRepository",
    "HoldRepository",
    "IdentityRepository",
    "IncidentRepository",
    "Leases",
    "MilestoneRecord",
    "Offset",
    "OrderFacts",
    "OrderFilter",
    "OrderLineRecord",
    "OrderRecord",
    "OrderRepository",
    "OrderSummary",
    "OutboundRepository",
    "Outbox",
    "OverviewRepository",
    "ParcelRecord",
    "ParcelRepository",
    "PeopleRepository",
    "PlatformRepository",
    "Progress",
    "RegionFilter",
    "RiskRepository",
    "RoutingRepository",
    "RuleRepository",
    "ShipTo",
    "ShipmentRecord",
    "ShopRecord",
    "StatsRow",
    "StockRepository",
    "Store",
    "Subscription",
    "SubstituteRepository",
    "SubstituteRow",
    "TaskRow",
    "TriggerRepository",
    "UnitOfWork",
    "VocabularyAnomaly",
    "Watch",
    "WorkFilter",
    "WorklistRepository",
]


class UnitOfWork(Protocol):
    """One transaction and the repositories that share it.

        with app.store.uow() as uow:
            uow.orders.add(...)
            uow.outbox.append(...)
            uow.commit()

    Leaving the block without ``commit()`` rolls back; store errors leave it as
    ``ordo.domain.errors.StoreError``.
    """

    @property
    def orders(self) -> OrderRepository: ...

    @property
    def holds(self) -> HoldRepository: ...

    @property
    def claims(self) -> ClaimRepository: ...

    @property
    def parcels(self) -> ParcelRepository: ...

    @property
    def stock(self) -> StockRepository: ...

    @property
    def catalog(self) -> CatalogRepository: ...

    @property
    def channel_stock(self) -> ChannelStockRepository: ...

    @property
    def substitutes(self) -> SubstituteRepository: ...

    @property
    def channels(self) -> ChannelRepository: ...

    @property
    def access(self) -> AccessRepository: ...

    @property
    def people(self) -> PeopleRepository: ...

    @property
    def identity(self) -> IdentityRepository: ...

    @property
    def customer_stats(self) -> CustomerStatsRepository: ...

    @property
    def forecast(self) -> ForecastRepository: ...

    @property
    def routing(self) -> RoutingRepository: ...

    @property
    def rules(self) -> RuleRepository: ...

    @property
    def history(self) -> HistoryRepository: ...

    @property
    def incidents(self) -> IncidentRepository: ...

    @property
    def cold_chain(self) -> ColdChainRepository: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def outbound(self) -> OutboundRepository: ...

    @property
    def overview(self) -> OverviewRepository: ...

    @property
    def platforms(self) -> PlatformRepository: ...

    @property
    def worklist(self) -> WorklistRepository: ...

    @property
    def actions(self) -> ActionRepository: ...

    @property
    def risk(self) -> RiskRepository: ...

    @property
    def triggers(self) -> TriggerRepository: ...

    def ping(self) -> None:
        """One round trip to the database (raises ``StoreError`` when it is down)."""
        ...

    def commit(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class Store(Protocol):
    """A database: its dialect's name and a factory for units of work."""

    @property
    def dialect(self) -> str: ...

    def uow(self, *, read_only: bool = ...) -> UnitOfWork: ...

    def leases(self, node: str | None = ...) -> Leases:
        """This node's leases: which node runs each background duty."""
        ...

    def analytics(self) -> Analytics:
        """Metric queries over the store, gated and read-only."""
        ...
