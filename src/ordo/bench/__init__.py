"""Benchmarks behind ``ordo bench NAME``: each returns one JSON-able dict of named figures."""
