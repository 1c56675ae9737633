"""Demand forecasts from the order history: per SKU × warehouse (and channel) for the next
72 hours and 14 days, the stock risk they predict, replenishment suggestions (``demand``), and
the last forecast kept for the rules' 预测库存风险 (``refresh``)."""
