"""Use cases: the one way in for every write. API, CLI, simulator and tests all call here."""
