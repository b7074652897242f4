"""A deterministic, seeded synthetic CRM dataset of a B2B software vendor (pure: no I/O).

`generate(size, seed, as_of)` returns a `DemoDataset` whose frames conform to the canonical
schemas, plus ground truth for testing analytics and forecasts. See docs/demo-data.md.
"""

from salesplan.demo.dataset import DemoDataset
from salesplan.demo.generator import generate
from salesplan.demo.params import DemoParams, SizeName, default_params

__all__ = ["DemoDataset", "DemoParams", "SizeName", "default_params", "generate"]
