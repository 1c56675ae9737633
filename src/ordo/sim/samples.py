"""The README's sample channel pushes, made to work against a generated world.

The README shows a signed Taobao push (``tests/fixtures/channels/taobao/create.json``)
sent to ``make demo``. Its platform SKU ids (``SKU-TEA``, …) are not SKUs of a
generated world, so without a mapping the push would be dead-lettered. The demo maps
each of them, through the channels service as an operator would (``ordo channels
sku-map``), onto the world's best-selling SKU of the product it names. A mapping an
operator already made is left alone.

It never writes SKUs or stock, and never maps anything outside :data:`SAMPLE_SKUS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ordo.service.channels.receive import set_sku_mapping
from ordo.service.runtime.app import Ordo
from ordo.sim.world import World

#: channel → platform SKU id in the sample payloads → the product (a word of the SKU name) it is.
SAMPLE_SKUS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {"taobao": MappingProxyType({"SKU-TEA": "龙井茶", "4801234567891": "保温杯", "SKU-CUP": "保温杯"})}
)


def best_seller(world: World, product: str) -> str:
    """The world's most popular SKU whose name has ``product`` in it."""
    names = {s.sku: s.name for s in world.skus}
    for sku in world.popularity:
        if product in names[sku]:
            return sku
    raise LookupError(f"no SKU of {product} in world {world.seed}")


def map_sample_skus(app: Ordo, world: World) -> dict[tuple[str, str], str]:
    """Map the sample pushes' platform SKUs that are not mapped yet; returns what it mapped."""
    done: dict[tuple[str, str], str] = {}
    for channel, skus in SAMPLE_SKUS.items():
        with app.store.uow(read_only=True) as uow:
            mapped = uow.channels.sku_map_for(channel, list(skus))
        for platform_sku, product in skus.items():
            if platform_sku not in mapped:
                target = best_seller(world, product)
                set_sku_mapping(app, channel, platform_sku, target)
                done[channel, platform_sku] = target
    return done
