"""Hooks for channels described by a mapping file: what data cannot express.

A mapping file names one module here (``hook = "name"``); it must define a pure
``adjust(order, co) -> ChannelOrder`` that receives the platform's order object and the
:class:`~ordo.adapters.channels.base.ChannelOrder` the mapping read, and returns the
corrected one (or raises :class:`~ordo.adapters.channels.values.Unmappable`, naming the
field). No clock, no I/O, no state: the same rules as an adapter.
"""
