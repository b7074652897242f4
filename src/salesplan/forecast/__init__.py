"""The forecast: calibrated deal probabilities, timing, run-rate, ranges, backtest, hygiene.

Pure maths over canonical frames (see docs/forecasting.md): `history` rebuilds the pipeline at
any past instant from stage events; `stage` and `calibrated` estimate P(win); `timing` when a
win lands; `runrate` business not yet in the pipeline; `simulation` ranges; `bookings` puts
them together for one period; `backtest` scores them on the workspace's own past; `hygiene`
flags deals not to trust blindly.
"""
