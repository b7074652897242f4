"""The periodic review (issue 11): actuals against the plan's targets, KPI status, why the
forecast moved since the last review, initiative progress and suggested adjustments.

Pure functions over frames and plain values; `services.review` reads the store and stores
each review. Money is integer minor units of the plan currency; rates are fractions 0–1.
"""
