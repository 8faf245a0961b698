"""Abuse resistance: every request priced and bounded before it runs (docs/SECURITY.md).

- :mod:`.limits`: the numbers (settings) in one frozen object;
- :mod:`.asgi`: body size, deadline and client disconnect, for every HTTP route;
- :mod:`.shape`: depth, alias and directive limits as validation rules;
- :mod:`.cost`: the static cost model;
- :mod:`.admission`: the per-request guard the schema consults (token limits before parsing,
  cost and rate after validation).
"""

from .admission import Admission, Guard, validation_rules
from .asgi import RequestBounds
from .cost import ANALYSIS_COSTS, operation_cost
from .limits import Limits

__all__ = [
    "ANALYSIS_COSTS",
    "Admission",
    "Guard",
    "Limits",
    "RequestBounds",
    "operation_cost",
    "validation_rules",
]
