"""`namenorm serve`: the real server, started in a subprocess on a free
port, talked to over HTTP; its answers checked against the library's and
against the Reconciliation API's JSON Schemas (read in place from
../shared/data/reconciliation/0.2, or the folder NAMENORM_RECONCILIATION_SCHEMAS
names)."""

from __future__ import annotations

import codecs
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

httpx = pytest.importorskip("httpx", reason="the test extra installs httpx")
pytest.importorskip("starlette", reason="the test extra installs the serve extra's starlette")
jsonschema = pytest.importorskip("jsonschema", reason="the test extra installs jsonschema")

import namenorm
from namenorm import Gazetteer, Resolver, cli
from namenorm._api import match_json

from conftest import ROOT, read_tsv


def _schema_folder() -> Path | None:
    named = os.environ.get("NAMENORM_RECONCILIATION_SCHEMAS")
    if named:
        return Path(named)
    for parent in ROOT.parents:
        found = parent / "shared" / "data" / "reconciliation" / "0.2"
        if found.is_dir():
            return found
    return None


SCHEMAS = _schema_folder()
needs_schemas = pytest.mark.skipif(SCHEMAS is None, reason="the Reconciliation API's schemas are in ../shared")
VARIANTS = [row[0] for row in read_tsv("seed_variants.tsv")]
OUTSIDERS = [row[0] for row in read_tsv("not_in_gazetteer.tsv")]
BUILTIN = Resolver(Gazetteer.builtin())


def validate(instance: Any, schema_name: str) -> None:
    """Check `instance` against one of the spec's schemas (with the others
    it refers to)."""
    assert SCHEMAS is not None
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    schemas = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMAS.glob("*.json")}
    registry: Registry[Any] = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema, default_specification=DRAFT7))
        for schema in schemas.values()
        if "$id" in schema
    )
    schema = schemas[schema_name]
    jsonschema.Draft7Validator(schema, registry=registry).validate(instance)


class Server:
    """A `namenorm serve` process on a free port."""

    def __init__(self, folder: Path, *args: str) -> None:
        self.log = folder / f"serve-{time.monotonic_ns()}.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "namenorm", "serve", "--port", "0", *args],
            cwd=folder,  # not the checkout, whose namenorm/ lacks the compiled core
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("w"),
        )
        deadline = time.monotonic() + 300
        while "listening on" not in (text := self.log.read_text()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"namenorm serve did not start:\n{text}")
            time.sleep(0.05)
        self.url = text.split("listening on ", 1)[1].split()[0]
        self.client = httpx.Client(base_url=self.url, timeout=120)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    s = Server(
        tmp_path_factory.mktemp("serve"),
        *("--max-body-bytes", "1000000", "--max-names", "2000", "--max-name-length", "200"),
    )
    yield s
    s.stop()


def _reconcile(server: Server, queries: dict[str, Any], how: str = "form") -> dict[str, Any]:
    text = json.dumps(queries)
    if how == "form":
        r = server.client.post("/reconcile", data={"queries": text})
    elif how == "get":
        r = server.client.get("/reconcile", params={"queries": text})
    else:
        r = server.client.post("/reconcile", json={"queries": queries})
    assert r.status_code == 200, r.text
    answer: dict[str, Any] = r.json()
    return answer


# The manifest and reconciliation.


@needs_schemas
def test_the_manifest_validates_and_names_every_service(server: Server) -> None:
    manifest = server.client.get("/reconcile").json()
    validate(manifest, "manifest.json")
    assert manifest["versions"] == ["0.2"]
    assert {t["id"] for t in manifest["defaultTypes"]} == set(BUILTIN.gazetteer._kinds())
    for part in ("view", "preview"):
        assert manifest[part]["url"].startswith(server.url) and "{{id}}" in manifest[part]["url"]
    assert set(manifest["suggest"]) == {"entity", "type", "property"}
    assert manifest["extend"]["propose_properties"]["service_path"] == "/properties"


def test_the_manifest_as_jsonp(server: Server) -> None:
    r = server.client.get("/reconcile", params={"callback": "jQuery123_456"})
    assert r.headers["content-type"].startswith("application/javascript")
    assert r.text.startswith("/**/jQuery123_456(") and r.text.endswith(");")
    assert json.loads(r.text[len("/**/jQuery123_456(") : -2])["versions"] == ["0.2"]
    bad = server.client.get("/reconcile", params={"callback": "alert(1)//"})
    assert bad.status_code == 400 and "callback" in bad.json()["error"]


@pytest.mark.parametrize("how", ["form", "get", "json"])
def test_queries_answer_as_the_library_does(server: Server, how: str) -> None:
    names = VARIANTS + OUTSIDERS
    answer = _reconcile(server, {f"q{i}": {"query": name} for i, name in enumerate(names)}, how)
    if SCHEMAS is not None:
        validate(answer, "reconciliation-result-batch.json")
    for i, name in enumerate(names):
        result = answer[f"q{i}"]["result"]
        expected = BUILTIN.candidates(name)
        assert [c["id"] for c in result] == [m.entity.id for m in expected], name
        assert [c["score"] for c in result] == [round(100 * m.score, 2) for m in expected], name
        resolved = BUILTIN.resolve(name)
        assert [c["id"] for c in result if c["match"]] == ([] if resolved is None else [resolved.entity.id]), name
        if result:
            top = result[0]
            assert {f["id"] for f in top["features"]} == {"similarity", "false_match", "ambiguous"}
            assert top["type"] == [{"id": expected[0].entity.kind, "name": expected[0].entity.kind.capitalize()}]


def test_a_batch_of_one_and_of_a_thousand(server: Server) -> None:
    one = _reconcile(server, {"only": {"query": "Gadrut", "limit": 1}})
    assert [c["id"] for c in one["only"]["result"]] == ["place:hadrut"] and one["only"]["result"][0]["match"]
    # 1,000 names: the variants, and each spelled again in upper and lower
    # case, without its first or last letter, and doubled in its middle.
    names: list[str] = []
    for v in VARIANTS + OUTSIDERS:
        names += [v, v.upper(), v.lower(), v[1:], v[:-1], v[: len(v) // 2] + v[len(v) // 2 :] * 2]
    names = (names * 8)[:1000]
    batch = _reconcile(server, {str(i): {"query": n, "limit": 3} for i, n in enumerate(names)})
    assert len(batch) == 1000
    for i, n in enumerate(names):
        assert [c["id"] for c in batch[str(i)]["result"]] == [m.entity.id for m in BUILTIN.candidates(n, limit=3)], n


def test_type_limit_and_properties_are_honoured(server: Server) -> None:
    answer = _reconcile(
        server,
        {
            "person": {"query": "Nicole Bashinian", "type": "person", "limit": 2},
            "either": {"query": "Pashinyan", "type": ["place", "org"], "type_strict": "any"},
            "armenian": {"query": "Nicole Bashinian", "properties": [{"pid": "country", "v": "AM"}]},
            "entity_valued": {"query": "Hadrut", "properties": [{"pid": "located_in", "v": {"id": "place:nagorno-karabakh"}}]},
        },
    )
    assert len(answer["person"]["result"]) == 2
    assert all(c["type"][0]["id"] == "person" for c in answer["person"]["result"])
    assert answer["person"]["result"][0]["id"] == "person:nikol-pashinyan"
    assert answer["either"]["result"] and all(c["type"][0]["id"] in ("place", "org") for c in answer["either"]["result"])
    scores = [c["score"] for c in answer["either"]["result"]]
    assert scores == sorted(scores, reverse=True)
    armenian = answer["armenian"]["result"]
    assert armenian and all(BUILTIN.gazetteer[c["id"]].attrs.get("country") == "AM" for c in armenian)
    assert [c["id"] for c in answer["entity_valued"]["result"]] == [
        m.entity.id for m in BUILTIN.candidates("Hadrut", where={"located_in": "place:nagorno-karabakh"})
    ]


# Suggest, preview, view, data extension.


def test_suggest_entities_by_prefix_and_fuzzily(server: Server) -> None:
    for prefix in ("Had", "had", "Гад", "Gadrut"):
        answer = server.client.get("/suggest/entity", params={"prefix": prefix}).json()
        if SCHEMAS is not None:
            validate(answer, "suggest-entities-response.json")
        assert answer["result"][0]["id"] == "place:hadrut", prefix
    people = server.client.get("/suggest/entity", params={"prefix": "Pash", "type": "person"}).json()["result"]
    assert people[0]["id"] == "person:nikol-pashinyan" and all(r["notable"][0]["id"] == "person" for r in people)
    first = server.client.get("/suggest/entity", params={"prefix": "A", "limit": 2}).json()["result"]
    after = server.client.get("/suggest/entity", params={"prefix": "A", "limit": 2, "cursor": 2}).json()["result"]
    assert len(first) == 2 and len(after) == 2 and not {r["id"] for r in first} & {r["id"] for r in after}
    assert server.client.get("/suggest/entity", params={"prefix": "Had", "callback": "cb"}).text.startswith("/**/cb(")


def test_suggest_types_and_properties(server: Server) -> None:
    types = server.client.get("/suggest/type", params={"prefix": "pe"}).json()
    properties = server.client.get("/suggest/property", params={"prefix": "coun"}).json()
    if SCHEMAS is not None:
        validate(types, "suggest-types-response.json")
        validate(properties, "suggest-properties-response.json")
    assert [t["id"] for t in types["result"]] == ["person"]
    assert [p["id"] for p in properties["result"]] == ["country"]


def test_preview_and_view_show_the_names_and_attributes(server: Server) -> None:
    page = server.client.get("/preview", params={"id": "place:hadrut"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for shown in ("Hadrut", "Гадрут", "Հադրութ", "place:hadrut", "country", "AZ"):
        assert shown in page.text
    view = server.client.get("/entity/person:nikol-pashinyan")
    assert view.status_code == 200 and "Никол Пашинян" in view.text
    missing = server.client.get("/preview", params={"id": "<script>"})
    assert missing.status_code == 404 and "<script>" in missing.json()["error"]
    flyout = server.client.get("/flyout/entity", params={"id": "place:hadrut"}).json()
    assert flyout["id"] == "place:hadrut" and "Hadrut" in flyout["html"]


def test_data_extension_and_its_property_proposals(server: Server) -> None:
    proposed = server.client.get("/properties", params={"type": "place"}).json()
    if SCHEMAS is not None:
        validate(proposed, "data-extension-property-proposal.json")
    assert {"country", "located_in", "aliases"} <= {p["id"] for p in proposed["properties"]}
    query = {"ids": ["place:hadrut", "person:nikol-pashinyan", "no:such"], "properties": [{"id": "country"}, {"id": "located_in"}, {"id": "aliases"}]}
    if SCHEMAS is not None:
        validate(query, "data-extension-query.json")
    rows = server.client.post("/reconcile", data={"extend": json.dumps(query)}).json()
    if SCHEMAS is not None:
        validate(rows, "data-extension-response.json")
    assert rows["rows"]["place:hadrut"]["country"] == [{"str": "AZ"}]
    assert rows["rows"]["place:hadrut"]["located_in"] == [{"id": "place:nagorno-karabakh", "name": "Nagorno-Karabakh"}]
    assert {"str": "Гадрут"} in rows["rows"]["place:hadrut"]["aliases"]
    assert rows["rows"]["no:such"] == {"country": [], "located_in": [], "aliases": []}
    assert [m["id"] for m in rows["meta"]] == ["country", "located_in", "aliases"]


def _chromium() -> str | None:
    return next((found for name in ("chromium", "chromium-browser", "google-chrome") if (found := shutil.which(name))), None)


@pytest.mark.skipif(_chromium() is None, reason="headless Chromium is not installed (Debian: apt-get install chromium)")
def test_a_browser_shows_the_preview_page(server: Server, tmp_path: Path) -> None:
    # Headless Chromium opens the preview OpenRefine frames: the DOM it
    # built holds the entity's names and attributes, and its screenshot is
    # kept (in NAMENORM_ARTIFACTS, if set) for a person to look at.
    chromium = _chromium()
    assert chromium is not None
    url = f"{server.url}/preview?id=person:nikol-pashinyan"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=420,180"]
    dom = subprocess.run([chromium, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    for shown in ("Nikol Pashinyan", "Никол Пашинян", "Նիկոլ Փաշինյան", "person:nikol-pashinyan", "country", "AM"):
        assert shown in dom.stdout
    assert re.search(r'<h1 class="name">Nikol Pashinyan</h1>', dom.stdout)
    folder = Path(os.environ.get("NAMENORM_ARTIFACTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    pictures = {}
    for what, page in (("preview", url), ("blank", "about:blank")):
        picture = folder / f"{what}.png"
        shot = subprocess.run(
            [chromium, *flags, f"--screenshot={picture}", page], capture_output=True, text=True, timeout=120
        )
        assert shot.returncode == 0 and picture.is_file(), shot.stderr[-2000:]
        pictures[what] = picture.read_bytes()
    png = pictures["preview"]
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (420, 180)
    assert len(png) > 4 * len(pictures["blank"]), "the screenshot is as empty as a blank page"
    print(f"screenshot of {url}: {folder / 'preview.png'}")


# The JSON API.


def test_match_gives_every_field_of_the_library_answer(server: Server) -> None:
    names = VARIANTS[:20] + OUTSIDERS[:10]
    answer = server.client.post("/match", json={"names": names, "limit": 3}).json()
    for name, result in zip(names, answer["results"]):
        assert result["query"] == name
        assert result["candidates"] == [match_json(m) for m in BUILTIN.candidates(name, limit=3)], name
        resolved = BUILTIN.resolve(name)
        assert result["match"] == (None if resolved is None else match_json(resolved)), name
    strict = server.client.post("/match", json={"names": ["Qadr"], "max_false_match": 0.0, "kind": "place"}).json()
    expected = BUILTIN.resolve("Qadr", kind="place", max_false_match=0.0)
    assert strict["results"][0]["match"] == (None if expected is None else match_json(expected))


def test_healthz_and_openapi(server: Server) -> None:
    health = server.client.get("/healthz").json()
    assert health["status"] == "ok" and health["entities"] == len(BUILTIN.gazetteer) and health["generation"] == 1
    document = server.client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert {"/reconcile", "/match", "/healthz", "/suggest/entity", "/preview", "/entity/{id}"} <= set(document["paths"])
    jsonschema.Draft202012Validator.check_schema(document["components"]["schemas"]["MatchRequest"])
    home = server.client.get("/")
    assert home.status_code == 200 and "/reconcile" in home.text


def test_cors_lets_a_browser_call_from_another_origin(server: Server) -> None:
    origin = {"Origin": "http://127.0.0.1:3333"}
    r = server.client.get("/reconcile", headers=origin)
    assert r.headers["access-control-allow-origin"] in ("*", origin["Origin"])
    preflight = server.client.options(
        "/match", headers={**origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    )
    assert preflight.status_code == 200 and "POST" in preflight.headers["access-control-allow-methods"]


# Bad input: a 4xx that says what is wrong, never a 500.


def _request(body: str) -> dict[str, Any]:
    # The body column of serve_bad_requests.tsv as httpx's arguments.
    if body == "-":
        return {}
    how, _, payload = body.partition(":")
    if how == "json":
        return {"json": json.loads(payload)}
    if how == "form":
        return {"data": json.loads(payload)}
    if how == "params":
        return {"params": json.loads(payload)}
    media = how.removeprefix("raw ")
    return {"content": codecs.escape_decode(payload.encode("utf-8"))[0], "headers": {"content-type": media}}


BAD_REQUESTS = [
    *((m, p, _request(b), int(status), says) for m, p, b, status, says in read_tsv("serve_bad_requests.tsv")),
    # Made to size: past a limit, or a number past what a check converts.
    ("post", "/match", {"json": {"names": ["x" * 201]}}, 422, "at most 200"),
    ("post", "/match", {"json": {"names": ["x"] * 2001}}, 422, "at most 2,000"),
    ("post", "/match", {"json": {"names": ["x"] * 1000, "limit": 100}}, 422, "at most 50,000"),
    ("post", "/match", {"content": b"[" * 900_000 + b"]" * 90_000, "headers": {"content-type": "application/json"}}, 400, "nested too deep"),
    ("post", "/match", {"content": b" " * 1_000_001, "headers": {"content-type": "application/json"}}, 413, "1,000,000 bytes"),
    ("post", "/match", {"content": b'{"names": ["x"], "limit": 1' + b"0" * 5000 + b"}", "headers": {"content-type": "application/json"}}, 400, "JSON"),
    ("post", "/match", {"content": b'{"names": ["x"], "limit": 1' + b"0" * 400 + b"}", "headers": {"content-type": "application/json"}}, 422, "at most 100"),
    ("post", "/reconcile", {"data": {"extend": json.dumps({"ids": ["x"], "properties": [{"id": f"p{i}"} for i in range(51)]})}}, 422, "at most 50"),
    ("get", "/suggest/entity", {"params": {"prefix": "a", "limit": "1" * 5000}}, 422, "limit"),
]


@pytest.mark.parametrize(("method", "path", "kwargs", "status", "says"), BAD_REQUESTS, ids=str)
def test_bad_requests_get_a_clear_4xx(
    server: Server, method: str, path: str, kwargs: dict[str, Any], status: int, says: str
) -> None:
    r = server.client.request(method.upper(), path, **kwargs)
    assert r.status_code == status, r.text
    assert says in r.json()["error"]
    assert server.client.get("/healthz").status_code == 200  # and it goes on


def test_a_media_type_is_read_in_any_case(server: Server) -> None:
    r = server.client.post("/match", json={"names": ["Gadrut"]}, headers={"content-type": "Application/JSON"})
    assert r.status_code == 200 and r.json()["results"][0]["match"]["entity"]["id"] == "place:hadrut"
    origin = server.client.post("/reload", headers={"Origin": "https://example.com"})
    assert origin.status_code == 403 and "not from a web page" in origin.json()["error"]


def _in_process(app: Any, client: tuple[str, int], *requests: tuple[str, str, dict[str, Any]]) -> list[Any]:
    # Requests to the app itself, through httpx's ASGI transport, as if from `client`.
    import asyncio

    async def send() -> list[Any]:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=client)
        async with httpx.AsyncClient(transport=transport, base_url="http://namenorm") as c:
            return [await c.request(method, path, **kwargs) for method, path, kwargs in requests]

    return asyncio.run(send())


def test_a_remote_client_cannot_reload(server: Server) -> None:
    # The server listens on 127.0.0.1 only; a request that comes from
    # elsewhere is what the check is for, so the check itself is tested
    # in process, through the same app.
    from namenorm.serve import create_app

    app = create_app(["builtin"])
    (remote,) = _in_process(app, ("203.0.113.9", 4444), ("POST", "/reload", {}))
    assert remote.status_code == 403 and "SIGHUP" in remote.json()["error"]
    (local,) = _in_process(app, ("127.0.0.1", 4444), ("POST", "/reload", {}))
    assert local.status_code == 200 and local.json()["generation"] == 2


def test_jsonp_and_hosts_follow_the_settings() -> None:
    # JSONP would let any page read what CORS keeps to some origins: off
    # with them; and a service that allows only this machine's host names
    # refuses a request addressed to another (DNS rebinding).
    from namenorm.serve import create_app

    app = create_app(["builtin"], cors_origins=("http://127.0.0.1:3333",), allowed_hosts=("127.0.0.1", "localhost"))
    (jsonp,) = _in_process(app, ("127.0.0.1", 4444), ("GET", "http://127.0.0.1/reconcile", {"params": {"callback": "cb"}}))
    assert jsonp.status_code == 400 and "JSONP is off" in jsonp.json()["error"]
    (plain,) = _in_process(app, ("127.0.0.1", 4444), ("GET", "http://localhost/reconcile", {}))
    assert plain.status_code == 200 and plain.json()["versions"] == ["0.2"]
    (rebound,) = _in_process(app, ("127.0.0.1", 4444), ("GET", "http://attacker.example/reconcile", {}))
    assert rebound.status_code == 400


class PanicException(BaseException):
    """What a panic of the core raises in Python (pyo3's PanicException
    derives from BaseException, not Exception)."""


def test_a_panic_is_a_500_for_that_request_only() -> None:
    # A panic cannot be caused through the real core on purpose: a
    # resolver whose batch entry point panics stands in for it, in process.
    from namenorm._served import Served
    from namenorm.serve import create_app

    class Panicking(Resolver):
        __slots__ = ()

        def _candidates_many(self, *args: Any, **kwargs: Any) -> Any:
            raise PanicException("index out of bounds")

    app = create_app(["builtin"])
    app.state.service.served = Served(Panicking(Gazetteer.builtin()), ["builtin"])
    panicked, health, types = _in_process(
        app,
        ("127.0.0.1", 4444),
        ("POST", "/match", {"json": {"names": ["Gadrut"]}}),
        ("GET", "/healthz", {}),
        ("GET", "/suggest/type", {"params": {"prefix": "p"}}),
    )
    assert panicked.status_code == 500 and "PanicException" in panicked.json()["error"]
    assert health.status_code == 200 and types.status_code == 200


# Reloading, under traffic.


def _toml(entities: list[tuple[str, str, list[str]]]) -> str:
    return "".join(
        f'[[entity]]\nid = "{i}"\nname = "{n}"\nkind = "place"\naliases = {json.dumps(a, ensure_ascii=False)}\n\n'
        for i, n, a in entities
    )


def test_a_reload_under_traffic_fails_no_request(tmp_path: Path) -> None:
    gazetteer = tmp_path / "places.toml"
    places = [("p:hadrut", "Hadrut", ["Гадрут"]), ("p:shusha", "Shusha", ["Şuşa", "Шуша"])]
    gazetteer.write_text(_toml(places), encoding="utf-8")
    s = Server(tmp_path, "--gazetteer", str(gazetteer))
    failures: list[str] = []
    answered = [0]
    stop = threading.Event()

    def traffic() -> None:
        with httpx.Client(base_url=s.url, timeout=60) as client:
            while not stop.is_set():
                for r in (
                    client.post("/match", json={"names": ["Gadrut", "Shusha", "Ereván"]}),
                    client.post("/reconcile", data={"queries": json.dumps({"q": {"query": "Gadrut"}})}),
                ):
                    if r.status_code != 200:
                        failures.append(f"{r.status_code} {r.text}")
                    answered[0] += 1

    def generation() -> int:
        return int(s.client.get("/healthz").json()["generation"])

    def wait_for(n: int) -> None:
        deadline = time.monotonic() + 120
        while generation() < n:
            assert time.monotonic() < deadline, f"no reload to generation {n}"
            time.sleep(0.05)

    threads = [threading.Thread(target=traffic) for _ in range(4)]
    try:
        for t in threads:
            t.start()
        # A new gazetteer, written beside and moved into place, then SIGHUP.
        staged = tmp_path / "places.toml.new"
        staged.write_text(_toml([*places, ("p:yerevan", "Yerevan", ["Ереван"])]), encoding="utf-8")
        os.replace(staged, gazetteer)
        s.process.send_signal(signal.SIGHUP)
        wait_for(2)
        found = s.client.post("/match", json={"names": ["Ereván"]}).json()["results"][0]["match"]
        assert found is not None and found["entity"]["id"] == "p:yerevan"
        # A broken file: the reload fails, the old gazetteer goes on answering.
        gazetteer.write_text('[[entity]]\nid = "p:x"\nname = \n', encoding="utf-8")
        r = s.client.post("/reload")
        assert r.status_code == 409 and "still serving generation 2" in r.json()["error"]
        assert "places.toml" in r.json()["error"]
        s.process.send_signal(signal.SIGHUP)
        time.sleep(1)
        assert generation() == 2 and s.process.poll() is None
        # Mended, reloaded by the endpoint.
        gazetteer.write_text(_toml(places), encoding="utf-8")
        assert s.client.post("/reload").json()["generation"] == 3
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join()
        s.stop()
    assert not failures, failures[:3]
    assert answered[0] > 20


def test_several_workers_answer_and_restart_on_sighup(tmp_path: Path) -> None:
    s = Server(tmp_path, "--workers", "2")
    try:
        deadline = time.monotonic() + 120
        while True:  # the workers load their gazetteers after the port opens
            try:
                if s.client.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert s.client.post("/match", json={"names": ["Gadrut"]}).json()["results"][0]["match"] is not None
        s.process.send_signal(signal.SIGHUP)  # uvicorn replaces each worker, the new one serving first
        for _ in range(50):
            assert s.client.post("/match", json={"names": ["Gadrut"]}).status_code == 200
            time.sleep(0.05)
    finally:
        s.stop()


# The command line.


def test_serve_refuses_a_broken_gazetteer_and_a_taken_port(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('[[entity]]\nid = "x"\n', encoding="utf-8")
    ran = subprocess.run(
        [sys.executable, "-m", "namenorm", "serve", "--port", "0", "--gazetteer", str(broken)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ran.returncode == 2 and "broken.toml" in ran.stderr
    s = Server(tmp_path)
    try:
        port = s.url.rsplit(":", 1)[1]
        taken = subprocess.run(
            [sys.executable, "-m", "namenorm", "serve", "--port", port],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert taken.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in taken.stderr
    finally:
        s.stop()
    assert cli.main(["serve", "--max-names", "0"]) == 2


def test_the_readme_commands(tmp_path: Path) -> None:
    # "As a service": the server as the README starts it (on a free port),
    # and its curl, whose answer is the library's.
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## As a service", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    assert block is not None
    install, start, call = [shlex.split(line) for line in block.group(1).splitlines() if line.strip()]
    assert install == ["pip", "install", "namenorm[serve]"]
    assert start[:2] == ["namenorm", "serve"] and start[2:] == ["--port", "8080"]
    assert "http://127.0.0.1:8080/reconcile" in section
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    s = Server(tmp_path, *start[4:])
    try:
        call = [arg.replace("http://127.0.0.1:8080", s.url) for arg in call]
        ran = subprocess.run(call, capture_output=True, text=True, timeout=120, check=True)
    finally:
        s.stop()
    results = json.loads(ran.stdout)["results"]
    assert [r["match"]["entity"]["id"] for r in results] == ["place:hadrut", "person:nikol-pashinyan"]
    assert results[0]["match"]["score"] == BUILTIN.resolve("Gadrut").score  # type: ignore[union-attr]
    assert '"score": 0.9938' in section and results[0]["match"]["method"] == "transliterated"
