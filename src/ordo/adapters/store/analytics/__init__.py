"""Analytics over the store: the shipped view, the gate every statement passes, and the
read-only runner behind :class:`ordo.service.ports.insight.Analytics`."""
