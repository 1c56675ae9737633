"""Everything that does I/O: store, geography data, (later) channels and outbound."""
