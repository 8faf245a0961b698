"""Need/priority weights: validation shared by both stores and the CSV importer."""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from pathlib import Path

from graph.errors import ValidationError
from graph.model import Region, WeightScope
from graph.reference import is_member_state, member_states

CSV_COLUMNS = ("scope", "key", "weight")


def validate_weights(
    weights: Mapping[tuple[WeightScope, str], float], where: str = "weights"
) -> dict[tuple[WeightScope, str], float]:
    """Check each (scope, key) names something real and each weight is finite and >= 0.

    Theme keys are checked by the caller against the graph (a store may not hold the theme
    yet when weights are loaded first); here they only need to be non-empty ids.
    """
    subregions = {ref.subregion for ref in member_states().values()}
    out: dict[tuple[WeightScope, str], float] = {}
    for (scope, key), weight in weights.items():
        label = f"{where} {scope}:{key}"
        try:
            scope = WeightScope(scope)
        except ValueError:
            raise ValidationError(
                f"unknown scope {scope!r}; expected one of {', '.join(WeightScope)}",
                where=label,
                field="scope",
            ) from None
        ok = {
            WeightScope.COUNTRY: is_member_state(key),
            WeightScope.REGION: key in Region._value2member_map_,
            WeightScope.SUBREGION: key in subregions,
            WeightScope.THEME: bool(key),
        }[scope]
        if not ok:
            raise ValidationError(
                f"{key!r} is not a known {scope.lower()}", where=label, field="key"
            )
        if not isinstance(weight, int | float) or not math.isfinite(weight) or weight < 0:
            raise ValidationError(
                f"weight must be a finite number >= 0, not {weight!r}", where=label, field="weight"
            )
        out[(scope, key)] = float(weight)
    return out


def read_weights_csv(path: Path) -> dict[tuple[WeightScope, str], float]:
    """Parse ``scope,key,weight`` rows; errors name the line and column."""
    out: dict[tuple[WeightScope, str], float] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != CSV_COLUMNS:
            raise ValidationError(
                f"header must be {','.join(CSV_COLUMNS)}, not {','.join(reader.fieldnames or [])}",
                where=f"{path}:1",
            )
        for row in reader:
            where = f"{path}:{reader.line_num}"
            try:
                weight = float(row["weight"])
            except (TypeError, ValueError):
                raise ValidationError(
                    f"{row['weight']!r} is not a number", where=where, field="weight"
                ) from None
            key = (row["scope"], row["key"])
            if key in out:
                raise ValidationError("duplicate scope and key", where=where, field="key")
            out.update(validate_weights({key: weight}, where=where))  # type: ignore[dict-item]
    return out
