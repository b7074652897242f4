"""Pure forecasting: deal probabilities, timing, run-rate, simulation, backtests."""
