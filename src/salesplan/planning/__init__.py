"""Pure planning maths: targets, decomposition, reverse funnel, capacity, budget, gaps."""
