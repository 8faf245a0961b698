"""Failures reach clients as coded errors, never as tracebacks or internal messages."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from graphql import GraphQLError

from api.app import create_app
from api.errors import INTERNAL_MESSAGE
from api.schema import schema
from api.settings import Settings
from graph.errors import StoreUnavailable
from tests.api.conftest import Gql, _client
from tests.live import serve

SECRET = "/var/lib/secret/partnernet.db: disk I/O error in table nodes"


class FailingStore:
    """A store whose reads fail: with an unexpected exception, or as unavailable."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    async def ping(self) -> None:
        raise self.error

    def __getattr__(self, name: str) -> Any:
        async def fail(*args: Any, **kwargs: Any) -> Any:
            raise self.error

        return fail


@pytest.fixture(params=["unexpected", "unavailable"])
def failing(request: pytest.FixtureRequest, seeded_settings: Settings) -> Iterator[tuple[Gql, str]]:
    error = RuntimeError(SECRET) if request.param == "unexpected" else StoreUnavailable(SECRET)
    app = create_app(seeded_settings, store=FailingStore(error))
    with serve(app) as url:
        yield _client(url), request.param


def test_store_failures_are_masked_and_coded(failing: tuple[Gql, str]) -> None:
    gql, kind = failing
    for query in ('{ node(id: "KEN") { key } }', "{ actors { totalCount } }"):
        body = gql(query)
        error = body["errors"][0]
        expected = "INTERNAL_SERVER_ERROR" if kind == "unexpected" else "STORE_UNAVAILABLE"
        assert error["extensions"]["code"] == expected
        text = str(body)
        assert "secret" not in text and "Traceback" not in text and "RuntimeError" not in text


def test_the_server_log_keeps_what_the_client_does_not_see(
    failing: tuple[Gql, str], caplog: pytest.LogCaptureFixture
) -> None:
    gql, kind = failing
    caplog.set_level(logging.INFO)
    body = gql('{ node(id: "KEN") { key } }')
    assert SECRET not in str(body)
    logged = [r for r in caplog.records if SECRET in r.getMessage()]
    if kind == "unexpected":
        # The original error, with the traceback of the exception the store raised.
        (record,) = logged
        assert record.levelno == logging.ERROR and record.exc_info and record.exc_info[0]
    else:
        # An outage: one warning line per request, no traceback.
        (record,) = logged
        assert record.levelno == logging.WARNING and not record.exc_info
        assert record.name == "partnernet"


def test_errors_written_for_the_client_are_not_logged(
    gql: Gql, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for query in (
        '{ node(id: "nobody") { key } }',
        "{ actors(first: 500) { totalCount } }",
        "{ programmes { nope } }",
        "{ programmes ",
    ):
        assert gql(query)["errors"]
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_mapping_errors_twice_changes_nothing() -> None:
    # Strawberry may pass the same list to process_errors more than once.
    errors = [GraphQLError("boom", original_error=RuntimeError(SECRET))]
    schema.process_errors(errors)
    once = list(errors)
    schema.process_errors(errors)
    assert errors[0] is once[0]
    assert errors[0].message == INTERNAL_MESSAGE
    assert errors[0].extensions == {"code": "INTERNAL_SERVER_ERROR"}


def test_syntax_and_validation_errors_keep_their_messages(gql: Gql) -> None:
    body = gql("{ programmes { nope } }")
    assert "nope" in body["errors"][0]["message"]
