"""Staff mutation of the coverage area: set need weights.

Same style as every mutation (verb + object, one ``input``, a payload with the result, the
revision and ``userErrors``). Weights are validated exactly like ``partnernet import-weights``
(:func:`graph.weights.validate_weights`, plus thematic areas must exist), every problem is
reported, and nothing is written unless all weights are good.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from api.context import Context
from api.core.user_errors import UserError, UserErrorCode
from api.coverage import types as t
from graph.errors import ValidationError
from graph.model import NodeKind, WeightScope
from graph.weights import validate_weights


@strawberry.type(description="Result of setNeedWeights.")
class SetNeedWeightsPayload:
    need_weights: list[t.NeedWeight] | None = strawberry.field(
        description="Every weight now set; null when the mutation failed."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Problems with the input; empty when the mutation succeeded."
    )
    revision: int | None = strawberry.field(
        description="Graph revision after the mutation; null when it failed."
    )


def _field(i: int, name: str | None) -> list[str]:
    return ["input", "weights", str(i), *([name] if name else [])]


async def _problems(
    ctx: Context, items: list[t.NeedWeightInput]
) -> tuple[dict[tuple[WeightScope, str], float], list[UserError]]:
    weights: dict[tuple[WeightScope, str], float] = {}
    errors: list[UserError] = []
    themes: list[tuple[int, str]] = []
    for i, item in enumerate(items):
        key = (WeightScope(str(item.scope.value)), item.key)
        if key in weights:
            errors.append(
                UserError(
                    field=_field(i, "key"),
                    message=f"{item.scope.value} {item.key!r} is given twice",
                    code=UserErrorCode.INVALID,
                )
            )
            continue
        try:
            weights.update(validate_weights({key: item.weight}))
        except ValidationError as err:
            errors.append(
                UserError(
                    field=_field(i, err.field), message=err.message, code=UserErrorCode.INVALID
                )
            )
            continue
        if key[0] is WeightScope.THEME:
            themes.append((i, item.key))
    found = await ctx.store.get_nodes([theme for _, theme in themes])
    for (i, theme), node in zip(themes, found, strict=True):
        if node is None or node.kind is not NodeKind.THEMATIC_AREA:
            errors.append(
                UserError(
                    field=_field(i, "key"),
                    message=f"{theme!r} is not a thematic area in the graph",
                    code=UserErrorCode.NOT_FOUND,
                )
            )
    return weights, errors


def _failed(*errors: UserError) -> SetNeedWeightsPayload:
    return SetNeedWeightsPayload(need_weights=None, user_errors=list(errors), revision=None)


@strawberry.type
class CoverageMutation:
    @strawberry.mutation(
        description="Set need or priority weights per country, region, sub-region or theme "
        "(staff only). All or nothing; bumps the revision, so every coverage figure is "
        "recomputed with the new weights."
    )
    async def set_need_weights(
        self,
        info: Info[Context, Any],
        input: Annotated[t.SetNeedWeightsInput, strawberry.argument(description="What to set.")],
    ) -> SetNeedWeightsPayload:
        ctx = info.context
        if not ctx.policy.may_write:
            return _failed(
                UserError(
                    field=None,
                    message="only editors and admins may set need weights: send an editor's key",
                    code=UserErrorCode.FORBIDDEN,
                )
            )
        weights, errors = await _problems(ctx, input.weights)
        if errors:
            return _failed(*errors)
        try:
            revision = await ctx.store.set_need_weights(
                weights, replace=input.replace, author=ctx.author("weights")
            )
        except ValidationError as err:
            return _failed(UserError(field=["input"], message=str(err), code=UserErrorCode.INVALID))
        stored = await ctx.store.need_weights()
        return SetNeedWeightsPayload(
            need_weights=[t.weight_of(s, k, w) for (s, k), w in sorted(stored.items())],
            user_errors=[],
            revision=revision,
        )
