"""namenorm as an HTTP service, for OpenRefine and any program that speaks
HTTP: ``namenorm serve`` (the optional extra ``namenorm[serve]``).

- ``/reconcile``: the Reconciliation Service API v0.2 (the manifest on a
  bare GET; ``queries`` and ``extend`` as form data, a query string or
  JSON; JSONP through ``callback``), with ``/suggest/entity``,
  ``/suggest/type``, ``/suggest/property``, ``/flyout/entity``,
  ``/properties``, ``/preview?id=`` and ``/entity/{id}``;
- ``POST /match``: the plain JSON API, every field of each `Match`;
- ``GET /healthz``, ``GET /openapi.json``; ``POST /reload`` (from this
  machine only) and ``SIGHUP`` load the gazetteers again, the old ones
  answering until the new ones are loaded and checked.

One resolver a process, answering every request (Starlette on uvicorn);
names are matched on the core's threads without the GIL, a batch a few
names at a time, so that a huge request takes turns with the others.
No request names a file or a gazetteer: the service reads only those it
was started with.

>>> from namenorm.serve import create_app
>>> app = create_app(["builtin"])  # an ASGI app: uvicorn, hypercorn, or Starlette's TestClient
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import ipaddress
import json
import logging
import os
import re
import signal
import socket
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlsplit

try:
    import anyio.to_thread
    import uvicorn
    from uvicorn.supervisors import Multiprocess
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, Response
    from starlette.routing import Route
except ImportError as e:  # pragma: no cover - the message is the point
    raise ImportError(
        f"namenorm serve needs the serve extra ({e.name} is missing): pip install 'namenorm[serve]'"
    ) from e

from . import _config, _reconcile
from ._api import match_response
from ._errors import json_type
from ._limits import Limits, RequestError, check_json_text, shown, whole_parameter
from ._served import Served, Turns
from ._version import __version__

__all__ = ["Limits", "Settings", "create_app", "openapi_document", "run"]

log = logging.getLogger("namenorm.serve")

_CALLBACK = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*\Z")


@dataclass(frozen=True)
class Settings:
    """How a service runs.

    Attributes:
        gazetteer: The gazetteers to serve, as ``--gazetteer`` names them
            ("builtin", "world", "geonames:15000", a path); several are
            combined.
        limits: What one request may ask (see `Limits`).
        cors_origins: The origins a browser may call from ("*": any, and
            JSONP is answered too); empty: no CORS headers, no JSONP.
        allowed_hosts: The host names a request may be addressed to ("*":
            any); `run` allows only this machine's names when it listens on
            a loopback address, so that a web page cannot reach the service
            through a name of its own (DNS rebinding).
        public_url: The service's URL as clients see it (behind a proxy),
            for the manifest's links; by default, the URL a request came to.
        threads: The core's threads a batch runs on (default: one a core).
        score_cutoff: The resolver's cutoff (see `Resolver`).
        max_false_match: The resolver's `max_false_match`.
        reload_on_sighup: Load the gazetteers again on SIGHUP (the server
            that `run` starts with one worker does).

    Raises:
        ValueError: If `threads` is not a whole number >= 1.
    """

    gazetteer: tuple[str, ...] = ("builtin",)
    limits: Limits = field(default_factory=Limits)
    cors_origins: tuple[str, ...] = ("*",)
    allowed_hosts: tuple[str, ...] = ("*",)
    public_url: str | None = None
    threads: int | None = None
    score_cutoff: float | None = None
    max_false_match: float | None = None
    reload_on_sighup: bool = False

    def __post_init__(self) -> None:
        if self.threads is not None and (isinstance(self.threads, bool) or not isinstance(self.threads, int) or self.threads < 1):
            raise ValueError(f"threads must be a whole number >= 1, not {self.threads!r}")

    def resolver_settings(self) -> dict[str, Any]:
        """The keyword arguments of the `Resolver`."""
        found: dict[str, Any] = {}
        if self.score_cutoff is not None:
            found["score_cutoff"] = self.score_cutoff
        if self.max_false_match is not None:
            found["max_false_match"] = self.max_false_match
        return found


class _Service:
    # What the app answers from (`served`: replaced whole, never changed),
    # and its reload: one at a time, the old one answering meanwhile.
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.served = Served.load(settings.gazetteer, **settings.resolver_settings())
        self.turns = Turns()
        self._reloading = threading.Lock()

    def reload(self) -> Served:
        """Load the gazetteers again and serve them.

        Raises:
            RequestError: 409 if a reload is in progress, or if the
                gazetteers cannot be loaded (the old ones go on serving).
        """
        if not self._reloading.acquire(blocking=False):
            raise RequestError("a reload is in progress; its gazetteers will answer once it is done", status=409)
        try:
            fresh = Served.load(
                self.settings.gazetteer, generation=self.served.generation + 1, **self.settings.resolver_settings()
            )
        except Exception as e:
            raise RequestError(f"reload failed, still serving generation {self.served.generation}: {e}", status=409) from None
        finally:
            self._reloading.release()
        self.served = fresh
        log.warning("namenorm serve: reloaded %s (generation %d)", ", ".join(fresh.sources), fresh.generation)
        return fresh


def create_app(gazetteer: Sequence[str] | Settings = ("builtin",), **options: Any) -> Starlette:
    """The service as an ASGI app, its gazetteers loaded now.

    Args:
        gazetteer: The gazetteers to serve (see `Settings.gazetteer`), or
            the whole `Settings`.
        **options: The other fields of `Settings`, when `gazetteer` is not one.

    Raises:
        GazetteerError: If a gazetteer is not sound.
    """
    if isinstance(gazetteer, Settings):
        settings = gazetteer
    else:
        if isinstance(gazetteer, str):
            gazetteer = [gazetteer]
        settings = Settings(gazetteer=tuple(gazetteer), **options)
    service = _Service(settings)
    endpoints = _Endpoints(service)
    routes = [
        Route("/", endpoints.home, methods=["GET"]),
        Route("/reconcile", endpoints.reconcile, methods=["GET", "POST"]),
        Route("/suggest/entity", endpoints.suggest_entity, methods=["GET"]),
        Route("/suggest/type", endpoints.suggest_type, methods=["GET"]),
        Route("/suggest/property", endpoints.suggest_property, methods=["GET"]),
        Route("/flyout/entity", endpoints.flyout, methods=["GET"]),
        Route("/properties", endpoints.properties, methods=["GET"]),
        Route("/preview", endpoints.preview, methods=["GET"]),
        Route("/entity/{id:path}", endpoints.view, methods=["GET"]),
        Route("/match", endpoints.match, methods=["POST"]),
        Route("/healthz", endpoints.healthz, methods=["GET"]),
        Route("/reload", endpoints.reload, methods=["POST"]),
        Route("/openapi.json", endpoints.openapi, methods=["GET"]),
    ]
    middleware = []
    if settings.allowed_hosts != ("*",):
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts)))
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["*"],
            )
        )
    app = Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=_lifespan(service) if settings.reload_on_sighup else None,
        exception_handlers={404: _not_found, 405: _not_allowed},
    )
    app.state.service = service
    return app


def _lifespan(service: _Service) -> Callable[[Starlette], contextlib.AbstractAsyncContextManager[None]]:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        tasks: set[asyncio.Task[None]] = set()

        async def reload() -> None:
            try:
                await anyio.to_thread.run_sync(service.reload)
            except RequestError as e:  # in progress, or a bad gazetteer on disk: the old one serves
                log.error("namenorm serve: %s", e)

        def on_hup() -> None:
            task = loop.create_task(reload())  # a second while one runs: 409, logged
            tasks.add(task)
            task.add_done_callback(tasks.discard)

        hup = getattr(signal, "SIGHUP", None)  # not on Windows: POST /reload there
        if hup is not None:
            loop.add_signal_handler(hup, on_hup)
        try:
            yield
        finally:
            if hup is not None:
                loop.remove_signal_handler(hup)

    return lifespan


Handler = Callable[["_Endpoints", Request], Awaitable[Response]]


def _guarded(handler: Handler) -> Handler:
    # Every answer is the endpoint's, or a JSON error: 4xx for what the
    # request got wrong, 500 (this request only) for anything else, a panic
    # of the core included.
    async def guarded(self: _Endpoints, request: Request) -> Response:
        try:
            if len(request.scope.get("query_string", b"")) > self.settings.limits.max_body_bytes:
                raise RequestError(
                    f"the query string is over {self.settings.limits.max_body_bytes:,} bytes (--max-body-bytes): "
                    "POST the request",
                    status=413,
                    limit="max_body_bytes",
                )
            return await handler(self, request)
        except RequestError as e:
            return _error(e)
        except BaseException as e:
            if isinstance(e, (KeyboardInterrupt, SystemExit, GeneratorExit, asyncio.CancelledError)):
                raise
            log.exception("namenorm serve: %s %s failed", request.method, request.url.path)
            return _error(RequestError(f"internal error ({type(e).__name__}): {shown(str(e))}", status=500))

    guarded.__name__ = handler.__name__
    guarded.__doc__ = handler.__doc__
    return guarded


class _Endpoints:
    """The service's endpoints; each reads the served gazetteer once, so
    that a request is answered by one generation, whatever reloads meanwhile.
    Whatever costs more than a glance (parsing a body, matching, writing the
    answer) runs on a worker thread, off the event loop."""

    def __init__(self, service: _Service) -> None:
        self.service = service
        self.settings = service.settings
        self.limits = service.settings.limits

    def _base(self, request: Request) -> str:
        return (self.settings.public_url or str(request.base_url)).rstrip("/")

    async def _run(self, work: Callable[[], Response], *, matching: bool = False) -> Response:
        # On a worker thread, which hands the core its names (the core
        # releases the GIL); a request that matches names is counted while
        # it does (see `Turns`).
        def counted() -> Response:
            with self.service.turns.taken():
                return work()

        return await anyio.to_thread.run_sync(counted if matching else work)

    def _answer(self, answer: Any, request: Request) -> Response:
        # JSON, or JSONP when a GET names a callback (as the protocol's
        # older clients ask) and any origin may read the service anyway.
        body = json.dumps(answer, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        callback = request.query_params.get("callback")
        if callback is None or request.method != "GET":
            return Response(body, media_type="application/json")
        if "*" not in self.settings.cors_origins:
            raise RequestError("JSONP is off: this service lets only its CORS origins read it (--cors-origin)", status=400)
        if len(callback) > _config.CALLBACK_LENGTH or not _CALLBACK.match(callback):
            raise RequestError("callback must be a JavaScript name (letters, digits, _, $ and dots)", status=400)
        return Response(f"/**/{callback}({body});", media_type="application/javascript; charset=utf-8")

    @_guarded
    async def home(self, request: Request) -> Response:
        served = self.service.served
        base = html.escape(self._base(request))
        return HTMLResponse(
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>namenorm</title></head><body>"
            f"<h1>namenorm {__version__}</h1><p>{len(served.gazetteer):,} entities of "
            f"{html.escape(', '.join(served.sources))}.</p><ul>"
            f"<li>Reconciliation Service API v0.2 (OpenRefine: Reconcile, Add standard service): "
            f"<code>{base}/reconcile</code></li>"
            f"<li>JSON: <code>POST {base}/match</code>; <a href='{base}/openapi.json'>OpenAPI</a>; "
            f"<a href='{base}/healthz'>health</a></li></ul></body></html>"
        )

    @_guarded
    async def reconcile(self, request: Request) -> Response:
        """The manifest, or the results of `queries`, or the rows of `extend`."""
        body = await _body(request, self.limits) if request.method == "POST" else b""
        served = self.service.served
        params = dict(request.query_params)
        if request.method == "POST":
            params.update(await anyio.to_thread.run_sync(lambda: _form(request, body)))
        if "queries" in params:

            def work() -> Response:
                queries = _reconcile.parse_queries(_json_param(params, "queries"), served, self.limits)
                found = _reconcile.reconcile(served, queries, threads=self.settings.threads, turns=self.service.turns)
                return self._answer(found, request)

            return await self._run(work, matching=True)
        if "extend" in params:

            def extend() -> Response:
                ids, properties = _reconcile.parse_extend(_json_param(params, "extend"), self.limits)
                return self._answer(_reconcile.extend(served, ids, properties), request)

            return await self._run(extend)
        return self._answer(_reconcile.manifest(served, self._base(request)), request)

    @_guarded
    async def suggest_entity(self, request: Request) -> Response:
        served = self.service.served
        prefix = _text_param(request, "prefix", self.limits)
        kind = _kind_param(request, served)
        cursor = self.limits.check_at_most(
            whole_parameter(request.query_params.get("cursor"), "cursor", 0, minimum=0), "cursor", "max_names"
        )
        limit = self.limits.check_at_most(
            whole_parameter(request.query_params.get("limit"), "limit", _config.SUGGEST_LIMIT, minimum=1),
            "limit",
            "max_limit",
        )
        return await self._run(
            lambda: self._answer(
                _reconcile.suggest_entities(served, prefix, kind=kind, cursor=cursor, limit=limit), request
            ),
            matching=True,
        )

    @_guarded
    async def suggest_type(self, request: Request) -> Response:
        prefix = _text_param(request, "prefix", self.limits)
        return self._answer(_reconcile.suggest_types(self.service.served, prefix), request)

    @_guarded
    async def suggest_property(self, request: Request) -> Response:
        served = self.service.served
        prefix = _text_param(request, "prefix", self.limits)
        kind = _kind_param(request, served)
        return await self._run(lambda: self._answer(_reconcile.suggest_properties(served, prefix, kind), request))

    @_guarded
    async def flyout(self, request: Request) -> Response:
        served = self.service.served
        entity_id = _text_param(request, "id", self.limits, required=True)
        return await self._run(lambda: self._answer(_reconcile.flyout(served, entity_id), request))

    @_guarded
    async def properties(self, request: Request) -> Response:
        served = self.service.served
        kind = _kind_param(request, served)
        limit = self.limits.check_at_most(
            whole_parameter(request.query_params.get("limit"), "limit", _config.PROPOSE_LIMIT, minimum=1),
            "limit",
            "max_properties",
        )
        return await self._run(lambda: self._answer(_reconcile.propose_properties(served, kind, limit), request))

    @_guarded
    async def preview(self, request: Request) -> Response:
        served = self.service.served
        entity_id = _text_param(request, "id", self.limits, required=True)
        return await self._run(lambda: HTMLResponse(_reconcile.preview(served, entity_id)))

    @_guarded
    async def view(self, request: Request) -> Response:
        served = self.service.served
        entity_id = request.path_params["id"]
        self.limits.check_name(entity_id, "the id")
        return await self._run(lambda: HTMLResponse(_reconcile.preview(served, entity_id, full=True)))

    @_guarded
    async def match(self, request: Request) -> Response:
        """`POST /match`: the plain JSON API."""
        media = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
        if media != "application/json":
            raise RequestError("POST /match takes JSON (Content-Type: application/json)", status=415)
        body = await _body(request, self.limits)
        served = self.service.served

        def work() -> Response:
            asked = _parse_json(body, "the body")
            found = match_response(served, asked, self.limits, threads=self.settings.threads, turns=self.service.turns)
            return self._answer(found, request)

        return await self._run(work, matching=True)

    @_guarded
    async def healthz(self, request: Request) -> Response:
        return self._answer(self.service.served.health(), request)

    @_guarded
    async def reload(self, request: Request) -> Response:
        """`POST /reload`: load the gazetteers again (from this machine, not
        from a web page)."""
        if request.client is None or not _is_loopback(request.client.host) or "origin" in request.headers:
            raise RequestError(
                "reload is asked from the machine the service runs on (not from a web page), or by SIGHUP",
                status=403,
            )
        fresh = await anyio.to_thread.run_sync(self.service.reload)
        return self._answer(fresh.health(), request)

    @_guarded
    async def openapi(self, request: Request) -> Response:
        return self._answer(openapi_document(self._base(request)), request)


def _is_loopback(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


async def _not_found(request: Request, exc: Exception) -> Response:
    return _error(RequestError(f"no endpoint {shown(request.url.path)}; see /openapi.json", status=404))


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return _error(RequestError(f"{request.method} is not an allowed method of {shown(request.url.path)}", status=405))


def _error(e: RequestError) -> Response:
    # ASCII: an error may quote what a request held, which is not always text.
    return Response(json.dumps(e.as_json()), status_code=e.status, media_type="application/json")


async def _body(request: Request, limits: Limits) -> bytes:
    # The body, refused (413) as soon as it passes the limit.
    def too_large() -> RequestError:
        return RequestError(
            f"the request's body is over {limits.max_body_bytes:,} bytes (--max-body-bytes)",
            status=413,
            limit="max_body_bytes",
        )

    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limits.max_body_bytes:
        raise too_large()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limits.max_body_bytes:
            raise too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def _form(request: Request, body: bytes) -> dict[str, Any]:
    # A POST's parameters: its form, or its JSON object.
    media = request.headers.get("content-type", "application/x-www-form-urlencoded").split(";")[0].strip().lower()
    if media == "application/json":
        parsed = _parse_json(body, "the body")
        if not isinstance(parsed, dict):
            raise RequestError(f"a JSON body is an object ({{\"queries\": ...}}), not a JSON {json_type(parsed)}")
        return parsed
    if media == "application/x-www-form-urlencoded":
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as e:
            raise RequestError(f"the form is not UTF-8 (byte {e.start})", status=400) from None
        return dict(parse_qsl(text, keep_blank_values=True))
    if body.strip():
        raise RequestError(
            f"a POST to /reconcile is a form (application/x-www-form-urlencoded) or JSON, not {shown(media)}", status=415
        )
    return {}


def _json_param(params: dict[str, Any], name: str) -> Any:
    value = params[name]
    return _parse_json(value, name) if isinstance(value, (str, bytes)) else value


def _parse_json(text: str | bytes, what: str) -> Any:
    try:
        parsed = json.loads(text)
    except UnicodeDecodeError as e:
        raise RequestError(f"{what} is not UTF-8 (byte {e.start})", status=400) from None
    except json.JSONDecodeError as e:
        raise RequestError(f"{what} is not JSON: {e.msg} at line {e.lineno}, column {e.colno}", status=400) from None
    except ValueError as e:  # an integer of more digits than Python converts
        raise RequestError(f"{what} is not JSON that can be read: {shown(str(e))}", status=400) from None
    except RecursionError:
        raise RequestError(f"{what} is nested too deep to read", status=400) from None
    check_json_text(parsed, what)
    return parsed


def _text_param(request: Request, name: str, limits: Limits, *, required: bool = False) -> str:
    value = request.query_params.get(name)
    if value is None:
        if required:
            raise RequestError(f"{request.url.path} needs the parameter {name!r}")
        return ""
    limits.check_name(value, name)
    return value


def _kind_param(request: Request, served: Served) -> str | None:
    kind = request.query_params.get("type")
    return None if kind in (None, "") else served.check_kind(kind, "type")


def openapi_document(base: str) -> dict[str, Any]:
    """The OpenAPI 3.1 description of the service."""
    text = {"type": "string"}
    error = {"description": "What is wrong", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    json_object = {"content": {"application/json": {"schema": {"type": "object"}}}}

    def answers(description: str, schema: dict[str, Any] | None = None, media: str = "application/json") -> dict[str, Any]:
        return {
            "200": {"description": description, "content": {media: {"schema": schema or {"type": "object"}}}},
            "4XX": error,
        }

    def query(name: str, description: str, required: bool = False) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": required, "description": description, "schema": text}

    entity = {
        "type": "object",
        "properties": {
            "id": text,
            "name": text,
            "kind": text,
            "aliases": {"type": "array", "items": text},
            "previous_names": {"type": "array", "items": text},
            "weak_aliases": {"type": "array", "items": text},
            "prior": {"type": ["number", "null"]},
            "attrs": {"type": "object"},
        },
        "required": ["id", "name", "kind"],
    }
    unit = {"type": "number", "minimum": 0, "maximum": 1}
    match = {
        "type": "object",
        "description": "namenorm.Match: every field",
        "properties": {
            "query": text,
            "entity": {"$ref": "#/components/schemas/Entity"},
            "score": unit,
            "alias": text,
            "alias_kind": {"enum": ["name", "alias", "previous_name", "weak_alias"]},
            "method": text,
            "ambiguous": {"type": "boolean"},
            "runner_up": {"type": ["object", "null"], "properties": {"id": text, "name": text}},
            "runner_up_score": {"type": ["number", "null"]},
            "evidence": {"type": "array", "items": {"type": "array", "prefixItems": [text, {"type": "number"}]}},
            "similarity": {"type": ["number", "null"]},
            "ranking": {"type": "object", "additionalProperties": {"type": "number"}},
            "false_match": {"type": ["number", "null"]},
            "settles_in_part": {"type": "boolean"},
        },
        "required": ["query", "entity", "score", "alias", "method"],
    }
    match_request = {
        "type": "object",
        "properties": {
            "names": {"type": "array", "items": text},
            "kind": {"type": ["string", "null"]},
            "limit": {"type": "integer", "minimum": 1, "default": 5},
            "score_cutoff": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
            "max_false_match": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
            "where": {"type": ["object", "null"], "additionalProperties": {"type": ["string", "array"]}},
        },
        "required": ["names"],
        "additionalProperties": False,
    }
    match_response = {
        "type": "object",
        "properties": {
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "query": text,
                        "match": {"oneOf": [{"$ref": "#/components/schemas/Match"}, {"type": "null"}]},
                        "candidates": {"type": "array", "items": {"$ref": "#/components/schemas/Match"}},
                    },
                    "required": ["query", "match", "candidates"],
                },
            }
        },
        "required": ["results"],
    }
    reconcile_params = [
        query("queries", "A reconciliation query batch (JSON)"),
        query("extend", "A data extension query (JSON)"),
        query("callback", "JSONP: the function to call with the answer"),
    ]
    form = {
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {"type": "object", "properties": {"queries": text, "extend": text}}
            },
            "application/json": {"schema": {"type": "object"}},
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "namenorm",
            "version": __version__,
            "description": "Resolve the names people write to the entities they mean: the Reconciliation "
            "Service API v0.2 at /reconcile, and a plain JSON API at /match.",
        },
        "servers": [{"url": base}],
        "paths": {
            "/reconcile": {
                "get": {
                    "summary": "The service manifest; with queries or extend, their answers",
                    "parameters": reconcile_params,
                    "responses": answers("The manifest, a result batch or extension rows"),
                },
                "post": {
                    "summary": "Reconciliation queries or data extension, as a form or JSON",
                    "requestBody": form,
                    "responses": {**answers("A result batch or extension rows"), "413": error},
                },
            },
            "/suggest/entity": {
                "get": {
                    "summary": "Entities for an autocomplete (prefix, then fuzzy)",
                    "parameters": [
                        query("prefix", "What was typed"),
                        query("type", "Only this kind"),
                        query("cursor", "How many to skip"),
                        query("limit", "How many at most"),
                        query("callback", "JSONP"),
                    ],
                    "responses": answers("Suggested entities"),
                }
            },
            "/suggest/type": {
                "get": {"summary": "Kinds for an autocomplete", "parameters": [query("prefix", "What was typed")], "responses": answers("Kinds")}
            },
            "/suggest/property": {
                "get": {
                    "summary": "Attributes for an autocomplete",
                    "parameters": [query("prefix", "What was typed"), query("type", "Only this kind's")],
                    "responses": answers("Attributes"),
                }
            },
            "/flyout/entity": {
                "get": {"summary": "An entity's suggest flyout", "parameters": [query("id", "The entity", True)], "responses": answers("HTML in JSON")}
            },
            "/properties": {
                "get": {
                    "summary": "The properties data extension can fetch",
                    "parameters": [query("type", "Of this kind"), query("limit", "How many at most")],
                    "responses": answers("Properties"),
                }
            },
            "/preview": {
                "get": {
                    "summary": "An entity's preview (HTML)",
                    "parameters": [query("id", "The entity", True)],
                    "responses": answers("The preview", {"type": "string"}, "text/html"),
                }
            },
            "/entity/{id}": {
                "get": {
                    "summary": "An entity's page (HTML): the manifest's view URL",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": text}],
                    "responses": answers("The page", {"type": "string"}, "text/html"),
                }
            },
            "/match": {
                "post": {
                    "summary": "Resolve names: for each, the match `resolve` gives and the candidates",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MatchRequest"}}}},
                    "responses": {**answers("Each name's match and candidates", {"$ref": "#/components/schemas/MatchResponse"}), "413": error},
                }
            },
            "/": {"get": {"summary": "A page that says what is served, and where", "responses": answers("HTML", {"type": "string"}, "text/html")}},
            "/healthz": {"get": {"summary": "What is served", "responses": answers("ok", {"type": "object"})}},
            "/reload": {
                "post": {
                    "summary": "Load the gazetteers again (from this machine, not a web page; or send SIGHUP)",
                    "responses": {"200": {"description": "The new generation", **json_object}, "403": error, "409": error},
                }
            },
            "/openapi.json": {"get": {"summary": "This document", "responses": answers("OpenAPI 3.1")}},
        },
        "components": {
            "schemas": {
                "Entity": entity,
                "Match": match,
                "MatchRequest": match_request,
                "MatchResponse": match_response,
                "Error": {
                    "type": "object",
                    "properties": {"error": text, "status": {"type": "integer"}, "limit": text},
                    "required": ["error", "status"],
                },
            }
        },
    }


def run(settings: Settings, *, host: str = "127.0.0.1", port: int = 8080, workers: int = 1, log_level: str = "warning", access_log: bool = False) -> None:
    """Serve until interrupted (``namenorm serve``).

    The gazetteers are loaded before the port is opened, so a bad one stops
    here with its error. With `workers` > 1, each worker process loads its
    own (a compiled index is mapped, so its pages are shared), and SIGHUP
    to the main process replaces the workers one at a time, each new one
    serving before its old one leaves (uvicorn's); with one, SIGHUP loads
    the gazetteers again in place.

    Raises:
        GazetteerError: If a gazetteer is not sound.
        OSError: If the port cannot be opened.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a whole number >= 1, not {workers!r}")
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ValueError(f"port must be a whole number from 0 to 65,535, not {port!r}")
    if settings.allowed_hosts == ("*",) and (host == "localhost" or host.startswith("127.")):
        # Only this machine's names: a page whose name is made to point at
        # 127.0.0.1 (DNS rebinding) is refused.
        public = urlsplit(settings.public_url).hostname if settings.public_url else None
        settings = replace(settings, allowed_hosts=tuple(dict.fromkeys(["127.0.0.1", "localhost", host, *filter(None, [public])])))
    settings = replace(settings, reload_on_sighup=workers == 1)
    app = create_app(settings)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named, as asyncio sets TCP_NODELAY only on sockets that
    # say so: without it, a response written in two parts waits ~40 ms for
    # the client's delayed ACK on a kept-alive connection.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    bound = sock.getsockname()[1]
    address = f"[{host}]" if family == socket.AF_INET6 else host
    served: Served = app.state.service.served
    print(
        f"namenorm serve: {len(served.gazetteer):,} entities of {', '.join(served.sources)}; "
        f"listening on http://{address}:{bound}",
        file=sys.stderr,
        flush=True,
    )
    if workers == 1:
        config = uvicorn.Config(app, log_level=log_level, access_log=access_log, lifespan="on")
        uvicorn.Server(config).run(sockets=[sock])
        return
    del app, served  # each worker loads its own
    os.environ[_ENVIRONMENT] = json.dumps(asdict(settings))
    config = uvicorn.Config(
        "namenorm.serve:_app_of_environment",
        factory=True,
        workers=workers,
        log_level=log_level,
        access_log=access_log,
        lifespan="on",
    )
    # As uvicorn.run starts workers, on the socket bound here.
    Multiprocess(config, sockets=[sock]).run()


_ENVIRONMENT = "NAMENORM_SERVE_SETTINGS"


def _app_of_environment() -> Starlette:
    # A worker process's app (`run` with workers > 1): the settings come
    # through the environment.
    raw = json.loads(os.environ[_ENVIRONMENT])
    raw["limits"] = Limits(**raw["limits"])
    for name in ("gazetteer", "cors_origins", "allowed_hosts"):
        raw[name] = tuple(raw[name])
    return create_app(Settings(**raw))
