"""The HTTP service over loopback: a real uvicorn in a background thread, a real httpx client."""
from __future__ import annotations

import json
import random
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")
uvicorn = pytest.importorskip("uvicorn")
pytest.importorskip("fastapi")

from auditor.service.app import AuditResponse, ServerConfig, create_app  # noqa: E402

MINI = Path(__file__).parent / "render" / "data" / "mini_2021.txt"
REAL = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "real" / "000_02434a0845e90c92.txt"
LIMIT = 256 * 1024


def _real_report() -> tuple[str, str]:
    """(name, text) of a real report, else a generated one, else skip."""
    if REAL.exists():
        return str(REAL), REAL.read_text(encoding="utf-8")
    try:
        from auditor.synth import generate_report
    except ImportError:
        pytest.skip(f"neither the real corpus ({REAL}) nor auditor.synth.generate_report is available")
    text, _gold = generate_report(1, errors=3)
    return "synth-1.txt", text


class LiveServer:
    """uvicorn serving an app on a free loopback port, in a daemon thread."""

    def __init__(self, app) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.sock.close()


@pytest.fixture(scope="module")
def live():
    config = ServerConfig(max_body_bytes=LIMIT, timeout_s=60, max_concurrency=2, queue_wait_s=60)
    with LiveServer(create_app(config)) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        yield client


def _cli_json(path: Path) -> dict:
    out = subprocess.run([sys.executable, "-m", "auditor.cli", "audit", str(path), "--format", "json",
                          "--fail-on", "none"], capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout)


@pytest.mark.parametrize("which", ["real", "mini"])
def test_service_gives_the_cli_findings(live, which, tmp_path):
    if which == "real":
        name, text = _real_report()
        path = Path(name) if Path(name).exists() else tmp_path / name
        if not path.exists():
            path.write_text(text, encoding="utf-8")
    else:
        path, text = MINI, MINI.read_text(encoding="utf-8")
    cli = _cli_json(path)

    by_json = live.post("/v1/audit", json={"text": text, "filename": str(path)})
    by_upload = live.post("/v1/audit", files={"file": (path.name, path.read_bytes())})
    assert by_json.status_code == by_upload.status_code == 200
    for served in (by_json.json(), by_upload.json()):
        assert served["findings"] == cli["findings"]
        assert served["tables"] == cli["tables"]
        assert served["report"]["sha256"] == cli["report"]["sha256"]
    assert cli["findings"], "the sample reports all have defects; an empty list means nothing was compared"


def test_offsets_index_the_returned_text(live):
    body = live.post("/v1/audit?include_text=true", json={"text": MINI.read_text(encoding="utf-8")}).json()
    AuditResponse.model_validate(body)
    text = body["text"]
    assert body["findings"]
    for f in body["findings"]:
        for ev in f["evidence"]:
            if ev["kind"] == "text":
                assert text[ev["start"]:ev["end"]] == ev["quote"]
        spans = [ev for ev in f["evidence"] if ev["kind"] == "text"] or [ev for ev in f["evidence"] if "start" in ev]
        if spans:  # the editor span is the first text evidence, else the first located cell
            assert (f["offset"], f["length"]) == (spans[0]["start"], spans[0]["end"] - spans[0]["start"])
        else:
            assert "offset" not in f
    assert "text" not in live.post("/v1/audit", json={"text": text}).json()


def test_other_formats_and_listings(live):
    text = MINI.read_text(encoding="utf-8")
    html = live.post("/v1/audit?format=html", json={"text": text})
    assert html.headers["content-type"].startswith("text/html") and "<mark" in html.text
    sarif = live.post("/v1/audit?format=sarif", json={"text": text})
    assert sarif.headers["content-type"].startswith("application/sarif+json")
    assert sarif.json()["version"] == "2.1.0"
    with_previous = live.post("/v1/audit", json={"text": text, "previous": text})
    assert with_previous.status_code == 200 and with_previous.json()["findings"]
    from auditor.checks import get_rules

    assert [r["code"] for r in live.get("/v1/checks").json()] == [r.code for r in get_rules()]
    assert live.get("/healthz").json() == {"status": "ok", "version": live.get("/healthz").json()["version"],
                                           "ready": True}


def _error(resp) -> dict:
    err = resp.json()["error"]
    assert err["code"] and any("\u4e00" <= ch <= "\u9fff" for ch in err["message"]), err
    return err


def test_body_limit_by_header_and_while_streaming(live):
    big = b'{"text": "' + b"x" * (LIMIT + 10) + b'"}'
    declared = live.post("/v1/audit", content=big, headers={"content-type": "application/json"})
    assert declared.status_code == 413 and _error(declared)["code"] == "E413"

    def chunks():  # no Content-Length: the limit must hold while the body streams in
        for _ in range(LIMIT // 4096 + 8):
            yield b"y" * 4096

    streamed = live.post("/v1/audit", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413 and _error(streamed)["code"] == "E413"


def _mixed_requests(n: int, seed: int = 7):
    """(kind, request kwargs, expected status) for a reproducible mix of good and bad requests."""
    rng = random.Random(seed)
    report = MINI.read_text(encoding="utf-8")
    kinds = [
        ("valid-json", lambda: dict(json={"text": report, "filename": "mini.txt"}), 200),
        ("valid-upload", lambda: dict(files={"file": ("mini.txt", report.encode("utf-8"))}), 200),
        ("valid-sarif", lambda: dict(json={"text": report}, params={"format": "sarif"}), 200),
        ("malformed-json", lambda: dict(content=b'{"text": "abc', headers={"content-type": "application/json"}), 400),
        ("not-an-object", lambda: dict(json=["text"]), 422),
        ("wrong-content-type", lambda: dict(content=report.encode("utf-8"), headers={"content-type": "text/plain"}), 415),
        ("xml-content-type", lambda: dict(content=b"<a/>", headers={"content-type": "application/xml"}), 415),
        ("oversized", lambda: dict(content=b"z" * (LIMIT + 1), headers={"content-type": "application/json"}), 413),
        ("oversized-stream", lambda: dict(content=(b"z" * 8192 for _ in range(LIMIT // 8192 + 2)),
                                          headers={"content-type": "application/json"}), 413),
        ("binary-upload", lambda: dict(files={"file": ("x.bin", rng.randbytes(2048))}), 422),
        ("png-upload", lambda: dict(files={"file": ("x.png", b"\x89PNG\r\n\x1a\n" + rng.randbytes(512))}), 422),
        ("fake-pdf", lambda: dict(files={"file": ("x.pdf", b"%PDF-1.7\n" + rng.randbytes(512))}), 422),
        ("empty-json", lambda: dict(content=b"", headers={"content-type": "application/json"}), 400),
        ("empty-no-type", lambda: dict(content=b""), 400),
        ("empty-upload", lambda: dict(files={"file": ("empty.txt", b"")}), 422),
        ("no-boundary", lambda: dict(content=b"--x\r\n", headers={"content-type": "multipart/form-data"}), 400),
        ("bad-format", lambda: dict(json={"text": report}, params={"format": "docx"}), 422),
    ]
    for i in range(n):
        kind, make, status = kinds[i % len(kinds)] if i < len(kinds) else rng.choice(kinds)
        yield kind, make(), status


def test_mixed_load_never_fails_the_server(live):
    requests = list(_mixed_requests(200))

    def send(item):
        kind, kwargs, expected = item
        resp = live.post("/v1/audit", **kwargs)
        return kind, expected, resp.status_code, resp

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(send, requests))
    assert len(answers) == 200
    server_errors = [(k, s) for k, _, s, _ in answers if s >= 500]
    assert not server_errors
    for kind, expected, status, resp in answers:
        assert status == expected, (kind, status, resp.text[:300])
        if status != 200:
            _error(resp)


def test_concurrent_pdf_uploads_keep_the_server_up(live):
    """Sixteen PDF uploads at once: PDFium is not thread-safe and used to crash the process
    (issue 17, point 1); now every answer is the same 200 and the server still answers."""
    sys.path.insert(0, str(Path(__file__).parent / "ingest"))
    try:
        from test_ingest_pdf import synthetic_report
    finally:
        sys.path.pop(0)
    data = synthetic_report()

    def send(i):
        return live.post("/v1/audit", files={"file": (f"r{i}.pdf", data, "application/pdf")})

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(send, range(32)))
    assert {r.status_code for r in answers} <= {200, 503}
    ok = [r.json() for r in answers if r.status_code == 200]
    assert ok and len({json.dumps(a["findings"], sort_keys=True) for a in ok}) == 1
    assert live.get("/healthz").status_code == 200


def test_timeout_and_saturation(monkeypatch):
    import auditor.pipeline

    release = threading.Event()

    def stuck(text, **_):
        release.wait(30)
        raise RuntimeError("released")

    monkeypatch.setattr(auditor.pipeline, "audit_text", stuck)
    config = ServerConfig(max_concurrency=1, timeout_s=0.3, queue_wait_s=0.1, warm_up=False)
    with LiveServer(create_app(config)) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        try:
            first = client.post("/v1/audit", json={"text": "报告"})
            assert first.status_code == 504 and _error(first)["code"] == "E504"
            busy = client.post("/v1/audit", json={"text": "报告"})  # the timed-out audit still holds the slot
            assert busy.status_code == 503 and _error(busy)["code"] == "E503"
            assert busy.headers["retry-after"]
        finally:
            release.set()


def test_config_from_environment():
    config = ServerConfig.from_env({"AUDITOR_MAX_BODY_BYTES": "1000", "AUDITOR_WARM_UP": "no"}, timeout_s=5)
    assert (config.max_body_bytes, config.warm_up, config.timeout_s) == (1000, False, 5)
    from auditor.errors import ConfigError

    with pytest.raises(ConfigError):
        ServerConfig.from_env({"AUDITOR_TIMEOUT_S": "soon"})
    with pytest.raises(ConfigError):
        ServerConfig(max_concurrency=0)


def test_openapi_with_schemathesis(live):
    """Property-based requests generated from /openapi.json: no 5xx, and every response matches
    the documented status codes, content types and schemas."""
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import (content_type_conformance, not_a_server_error,
                                     response_schema_conformance, status_code_conformance)

    schema = schemathesis.openapi.from_url(f"{live.base_url}/openapi.json")
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/v1/audit", "/v1/checks", "/healthz"}
    seen: set[tuple] = set()
    for op, mode in [(op, mode) for op in operations for mode in schemathesis.GenerationMode]:
        if mode is schemathesis.GenerationMode.NEGATIVE and op.method.upper() != "POST":
            continue  # GETs without parameters have no invalid inputs to make

        @given(case=op.as_strategy(generation_mode=mode))
        @settings(max_examples=15, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def exercise(case):
            response = case.call_and_validate(checks=checks)
            seen.add((op.path, mode.value, case.media_type, response.status_code))

        exercise()
    statuses = {status for path, _, _, status in seen if path == "/v1/audit"}
    # generated texts are no reports (422, E904, as on the command line); real ones are 200 elsewhere
    assert statuses & {400, 415, 422} and statuses <= {200, 400, 413, 415, 422, 503, 504}, seen


def test_an_audit_past_its_deadline_frees_its_slot(monkeypatch):
    """Issue 17: two slow requests held both worker slots for minutes after their 504s and every
    other client got 503. The audit now stops at its deadline: the next request is served."""
    import auditor.pipeline
    from auditor import deadline

    real = auditor.pipeline.audit_text
    started = threading.Event()

    def slow_then_real(text, **kw):
        if text != "慢":
            return real(text, **kw)
        started.set()
        for _ in range(3000):  # 60 s of work that checks its deadline, as every stage does
            deadline.check()
            time.sleep(0.02)
        raise AssertionError("the deadline never stopped the audit")

    monkeypatch.setattr(auditor.pipeline, "audit_text", slow_then_real)
    config = ServerConfig(max_concurrency=1, timeout_s=0.5, queue_wait_s=5.0, warm_up=False)
    with LiveServer(create_app(config)) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        first = client.post("/v1/audit", json={"text": "慢"})
        assert started.is_set() and first.status_code == 504 and _error(first)["code"] == "E504"
        after = client.post("/v1/audit", json={"text": "本年度共收到政府信息公开申请3件。"})
        assert after.status_code == 200, after.text


def test_a_deadline_stops_a_real_audit_between_its_stages():
    from auditor import deadline
    from auditor.pipeline import audit_text

    with deadline.within(0.0), pytest.raises(deadline.DeadlineExceeded):
        audit_text("本年度共收到政府信息公开申请3件。" * 50)
    assert audit_text("本年度共收到政府信息公开申请3件。").findings is not None  # the deadline ended with its block


# ---- per-request rule choice, unknown fields, CORS (issue 18, point 7) ----------------------

def test_a_request_chooses_its_rules_as_the_command_line_does(live):
    text = MINI.read_text(encoding="utf-8")
    every = {f["code"] for f in live.post("/v1/audit", json={"text": text}).json()["findings"]}
    assert {"TB003", "TB004"} <= every
    only = live.post("/v1/audit", json={"text": text, "select": ["TB003"]}).json()
    assert {f["code"] for f in only["findings"]} == {"TB003"} and "failed" not in only
    rest = live.post("/v1/audit", json={"text": text, "ignore": ["TB*"]}).json()
    assert not {f["code"] for f in rest["findings"]} & {"TB003", "TB004"}
    upload = live.post("/v1/audit", files={"file": ("r.txt", text.encode())}, data={"select": "TB004,TB003"}).json()
    assert {f["code"] for f in upload["findings"]} == {"TB003", "TB004"}


def test_fail_on_says_whether_the_report_failed_in_every_format(live):
    text = MINI.read_text(encoding="utf-8")
    high = live.post("/v1/audit", json={"text": text, "fail_on": "high"})
    assert high.json()["failed"] is True and high.headers["x-auditor-failed"] == "true"
    only_low = live.post("/v1/audit", json={"text": text, "fail_on": "high", "select": ["TB004"]})
    assert only_low.json()["failed"] is False
    sarif = live.post("/v1/audit?format=sarif", files={"file": ("r.txt", text.encode())}, data={"fail_on": "low"})
    assert sarif.status_code == 200 and sarif.headers["x-auditor-failed"] == "true"


@pytest.mark.parametrize("request_kw, says", [
    ({"json": {"text": "报告", "selct": ["TB003"]}}, "selct"),
    ({"json": {"text": "报告", "select": ["XX999"]}}, "XX999"),
    ({"json": {"text": "报告", "select": "TB003"}}, "select"),
    ({"json": {"text": "报告", "fail_on": "severe"}}, "fail_on"),
    ({"files": {"file": ("r.txt", "报告".encode())}, "data": {"selct": "TB003"}}, "selct"),
    ({"files": {"file": ("r.txt", "报告".encode())}, "data": {"ignore": "NT00"}}, "NT00"),
    ({"files": {"file": ("r.txt", "报告".encode())}, "data": {"fail_on": "severe"}}, "fail_on"),
])
def test_a_misspelt_option_is_422_never_a_silent_no_op(live, request_kw, says):
    resp = live.post("/v1/audit", **request_kw)
    assert resp.status_code == 422 and _error(resp)["code"] == "E422"
    assert says in _error(resp)["message"]


def test_an_unknown_query_parameter_is_422(live):
    resp = live.post("/v1/audit?formt=html", json={"text": MINI.read_text(encoding="utf-8")})
    assert resp.status_code == 422 and "formt" in _error(resp)["message"]


def test_cors_is_off_by_default_and_on_for_the_configured_origins():
    origin = "https://review.example.gov.cn"
    for config, allowed in ((ServerConfig(warm_up=False), False),
                            (ServerConfig(warm_up=False, cors_origins=origin), True),
                            (ServerConfig.from_env({"AUDITOR_CORS_ORIGINS": origin}, warm_up=False), True)):
        with LiveServer(create_app(config)) as server, httpx.Client(base_url=server.url, timeout=60) as client:
            pre = client.options("/v1/audit", headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                                       "Access-Control-Request-Headers": "content-type"})
            got = client.post("/v1/audit", json={"text": MINI.read_text(encoding="utf-8"), "fail_on": "high"},
                              headers={"Origin": origin})
        assert (pre.headers.get("access-control-allow-origin") == origin) is allowed
        assert (got.headers.get("access-control-allow-origin") == origin) is allowed
        if allowed:
            assert "x-auditor-failed" in got.headers.get("access-control-expose-headers", "").lower()


def test_the_readmes_request_examples_work(live):
    """The README's HTTP examples are requests this service accepts, as written."""
    import re

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    bodies = re.findall(r"<!-- example: POST /v1/audit -->\s*```json\n(.*?)```", readme, re.S)
    assert bodies
    for body in bodies:
        resp = live.post("/v1/audit", content=body.encode(), headers={"Content-Type": "application/json"})
        assert resp.status_code == 200, resp.text
        answer = resp.json()
        assert answer["failed"] is True and resp.headers["x-auditor-failed"] == "true"
        codes = {f["code"] for f in answer["findings"]}
        assert "NT002" in codes and all(c.startswith(("NT", "MT")) for c in codes) and "NT004" not in codes
