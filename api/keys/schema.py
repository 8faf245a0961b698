"""API keys over GraphQL: list, create (the token is shown once), revoke. Admins only, declared
once per field with a permission class rather than checked in each resolver."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.permission import BasePermission
from strawberry.types import Info

from api.context import Context
from api.core.user_errors import UserError, UserErrorCode
from api.errors import ErrorCode
from graph import keys
from graph.errors import Conflict, ValidationError
from graph.keys import Role


@strawberry.enum(
    description="What a key's bearer may do: VIEWER reads public figures and actors, ANALYST "
    "also restricted actors, EDITOR also changes the graph, ADMIN also manages keys."
)
class ApiKeyRole(Enum):
    VIEWER = strawberry.enum_value("viewer", description="Public figures and actors.")
    ANALYST = strawberry.enum_value("analyst", description="Also restricted actors.")
    EDITOR = strawberry.enum_value("editor", description="Also changes the graph.")
    ADMIN = strawberry.enum_value("admin", description="Also manages keys.")


class IsAdmin(BasePermission):
    message = "only admins may manage API keys: send an admin's key"
    error_extensions = {"code": ErrorCode.FORBIDDEN.value}  # noqa: RUF012

    def has_permission(self, source: Any, info: Info[Context, Any], **kwargs: Any) -> bool:
        role = info.context.policy.role
        return role is not None and role.allows(Role.ADMIN)


@strawberry.type(description="A stored API key; the secret itself is never shown again.")
class ApiKey:
    id: str = strawberry.field(description="The key's id (the part of the token after `pn_`).")
    name: str = strawberry.field(description="Who or what the key is for.")
    role: ApiKeyRole = strawberry.field(description="What its bearer may do.")
    created_at: dt.datetime = strawberry.field(description="When it was made (UTC).")
    revoked_at: dt.datetime | None = strawberry.field(
        description="When it was revoked (UTC); null while it works."
    )


def _key(record: keys.ApiKey) -> ApiKey:
    return ApiKey(
        id=record.id,
        name=record.name,
        role=ApiKeyRole(record.role.value),
        created_at=record.created_at,
        revoked_at=record.revoked_at,
    )


@strawberry.input(description="A new key.")
class CreateApiKeyInput:
    name: str = strawberry.field(
        description="Who or what the key is for; unique among active keys."
    )
    role: ApiKeyRole = strawberry.field(description="What its bearer may do.")


@strawberry.type(description="The key made, with its token: shown this once, store it safely.")
class CreateApiKeyPayload:
    api_key: ApiKey | None = strawberry.field(description="The key's record; null on errors.")
    token: str | None = strawberry.field(
        description="The bearer token (`Authorization: Bearer TOKEN`); null on errors."
    )
    user_errors: list[UserError] = strawberry.field(description="Why the key was not made.")


@strawberry.input(description="The key to revoke.")
class RevokeApiKeyInput:
    id: str = strawberry.field(description="The key's id.")


@strawberry.type(description="The revoked key.")
class RevokeApiKeyPayload:
    api_key: ApiKey | None = strawberry.field(description="Its record; null on errors.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was revoked.")


@strawberry.type
class KeyQuery:
    @strawberry.field(
        description="Every API key, active and revoked (admins only).",
        permission_classes=[IsAdmin],
    )
    async def api_keys(self, info: Info[Context, Any]) -> list[ApiKey]:
        return [_key(r) for r in await info.context.store.list_keys()]


@strawberry.type
class KeyMutation:
    @strawberry.mutation(description="Make an API key (admins only).", permission_classes=[IsAdmin])
    async def create_api_key(
        self,
        info: Info[Context, Any],
        input: Annotated[CreateApiKeyInput, strawberry.argument(description="The key to make.")],
    ) -> CreateApiKeyPayload:
        try:
            token, record = keys.issue(input.name, Role(input.role.value))
            await info.context.store.create_key(record)
        except (ValidationError, Conflict) as err:
            error = UserError(field=["input", "name"], message=str(err), code=UserErrorCode.INVALID)
            return CreateApiKeyPayload(api_key=None, token=None, user_errors=[error])
        return CreateApiKeyPayload(api_key=_key(record), token=token, user_errors=[])

    @strawberry.mutation(
        description="Revoke an API key; its bearer is refused within seconds on every replica "
        "(admins only).",
        permission_classes=[IsAdmin],
    )
    async def revoke_api_key(
        self,
        info: Info[Context, Any],
        input: Annotated[RevokeApiKeyInput, strawberry.argument(description="The key.")],
    ) -> RevokeApiKeyPayload:
        store = info.context.store
        record = await store.get_key(input.id)
        if record is None or not await store.revoke_key(input.id, dt.datetime.now(dt.UTC)):
            state = "no such key" if record is None else "already revoked"
            error = UserError(field=["input", "id"], message=state, code=UserErrorCode.NOT_FOUND)
            return RevokeApiKeyPayload(api_key=None, user_errors=[error])
        return RevokeApiKeyPayload(api_key=_key(await store.get_key(input.id)), user_errors=[])  # type: ignore[arg-type]
