"""Demand forecasts: vectorised exponential smoothing over many daily series at once
(``smoothing``), the seasonal-naive baseline and MASE in a rolling-origin backtest
(``backtest``), and what a forecast means for stock (``cover``). Pure NumPy: no I/O, no clock."""
