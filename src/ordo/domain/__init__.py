"""Ordo's pure core: no I/O, no framework imports, no clock reads."""
