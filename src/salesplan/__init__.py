"""salesplan: turn a revenue goal into a living sales plan computed from your own CRM data.

The public API is deliberately small; the CLI and (later) the web app call the same services.
"""

from salesplan.config import Settings
from salesplan.errors import SalesplanError

__all__ = ["SalesplanError", "Settings", "__version__"]

__version__ = "0.1.0"
