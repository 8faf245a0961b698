"""``POST /imports``: an editor sends a data file, partnernet imports it (or, with
``dryRun=true``, says what importing it would change) exactly as ``partnernet import`` does.

``curl -H "Authorization: Bearer KEY" -F file=@activities.xml -F mapping=@mapping.toml
"https://HOST/imports?dryRun=true"``. Query parameters: ``format`` (default: by the file
name's extension, as on the command line) and ``dryRun``. The answer is the import's report as
JSON: counts per kind (created, updated, unchanged, rejected), notes, and the problems, each
with its location (the name the client gave the file, then the line or XPath) and field.

Why this is safe to expose: only editors reach it (the role check comes before the body is
read); the body is bounded by ``PARTNERNET_MAX_UPLOAD_BYTES`` before any of it is stored
(api/guard/asgi.py); one import runs at a time (a second is refused, not queued, so uploads
cannot pile up in memory); parsing runs in a worker thread, so queries go on being answered;
the file lives in a private temporary directory only while it is imported; and the server's
paths never appear in an answer.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from api.coverage.exports import caller_policy
from graph.errors import GraphError, InvalidFile
from graph.exchange import FORMATS, Format, format_for, import_file, load_mapping, report_json
from graph.exchange.importer import problems_json
from graph.history import Author

#: One import at a time, server-wide: each holds its whole file's records in memory.
_RUNNING = asyncio.Lock()
_CHUNK = 1 << 20
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.\-]")


def _error(message: str, code: str, status: int, **more: Any) -> JSONResponse:
    return JSONResponse({"error": message, "code": code, **more}, status_code=status)


def _file_name(upload: UploadFile, fallback: str) -> str:
    """The client's file name, reduced to a safe base name: it names the file in problems
    and provenance, and its extension chooses the format."""
    name = Path(upload.filename or fallback).name
    return _SAFE_NAME.sub("_", name)[:200] or fallback


async def _save(upload: UploadFile, path: Path) -> None:
    with path.open("wb") as out:
        while chunk := await upload.read(_CHUNK):
            out.write(chunk)


def _flag(raw: str | None, name: str) -> bool:
    if raw is None or raw.lower() in ("", "false", "0"):
        return False
    if raw.lower() in ("true", "1"):
        return True
    raise ValueError(f"{name} must be true or false, not {raw!r}")


async def upload(request: Request) -> JSONResponse:
    policy = caller_policy(request)
    if not policy.may_write:
        return _error("Importing data needs the editor role.", "FORBIDDEN", 403)
    try:
        dry_run = _flag(request.query_params.get("dryRun"), "dryRun")
        fmt = request.query_params.get("format")
        if fmt is not None and fmt not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    except ValueError as err:
        return _error(str(err), "BAD_USER_INPUT", 400)
    if _RUNNING.locked():
        return _error(
            "Another import is running; try again when it has finished.",
            "BUSY",
            503,
        )
    async with _RUNNING:
        return await _import(request, fmt, dry_run)


async def _import(request: Request, fmt: str | None, dry_run: bool) -> JSONResponse:
    caller = request.scope["state"]["caller"]
    async with request.form(max_files=2, max_fields=0) as form:
        data, mapping = form.get("file"), form.get("mapping")
        if not isinstance(data, UploadFile):
            return _error(
                "Send the data file as the multipart field 'file'.", "BAD_USER_INPUT", 400
            )
        if mapping is not None and not isinstance(mapping, UploadFile):
            return _error("'mapping' must be a file (TOML).", "BAD_USER_INPUT", 400)
        name = _file_name(data, "upload")
        with tempfile.TemporaryDirectory(prefix="partnernet-import-") as tmp:
            path = Path(tmp) / name
            await _save(data, path)
            mapping_path = None
            if mapping is not None:
                mapping_path = Path(tmp) / "mapping.toml"
                await _save(mapping, mapping_path)
            try:
                chosen: Format = fmt or format_for(path)  # type: ignore[assignment]
                report = await import_file(
                    request.app.state.store,
                    path,
                    fmt=chosen,
                    mapping=load_mapping(mapping_path, label=_file_name(mapping, "mapping"))
                    if mapping is not None
                    else None,
                    dry_run=dry_run,
                    author=Author(
                        caller.name, caller.effective_role.value, "upload", caller.identity
                    ),
                    source=name,
                )
            except InvalidFile as err:
                return _error(
                    "The file has problems; nothing was imported.",
                    "INVALID_FILE",
                    422,
                    problems=problems_json(err),
                )
            except GraphError as err:
                return _error(str(err), err.code, 400)
    body = report_json(report)
    return JSONResponse(body, status_code=422 if report.problems is not None else 200)


ROUTES: list[BaseRoute] = [Route("/imports", upload, methods=["POST"])]
