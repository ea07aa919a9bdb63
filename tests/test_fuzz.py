"""The fuzz campaign's inputs (tests/fuzzkit.py) at a size CI can afford: every input is a report
or a clean input error in every output format, in process and through the service. The full
campaign (10,000 inputs, one fork each, time and memory per input) is ``eval/fuzz.py``."""
from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import pytest

from auditor.errors import AuditorError
from auditor.pipeline import audit_bytes
from auditor.render import render

from fuzzkit import fuzz_inputs

FORMATS = ("json", "text", "csv", "html", "sarif")


@pytest.mark.parametrize("seed", [11, 12])
def test_every_fuzzed_input_is_a_report_or_a_clean_input_error(seed):
    kinds = set()
    for kind, name, data in fuzz_inputs(seed, 60, max_size=8_000):
        kinds.add(kind.split(":")[0])
        try:
            report = audit_bytes(data, filename=name)
        except AuditorError as exc:
            assert exc.code.startswith("E1") and exc.message, (kind, name)
            continue
        for fmt in FORMATS:
            render(report, fmt).encode("utf-8")
    assert kinds >= {"text", "mutated", "docx", "html", "random"}  # every family of input was tried


def test_the_service_answers_fuzzed_uploads_without_a_server_error():
    httpx = pytest.importorskip("httpx")
    pytest.importorskip("uvicorn")
    from auditor.service.app import ServerConfig, create_app
    from test_server import LiveServer

    inputs = list(fuzz_inputs(13, 48, max_size=6_000))
    rng = random.Random(13)
    config = ServerConfig(timeout_s=60, max_concurrency=2, queue_wait_s=60, warm_up=False)
    with LiveServer(create_app(config)) as server, httpx.Client(base_url=server.url, timeout=120) as client:
        def send(item):
            _, name, data = item
            fmt = rng.choice(("json", "html", "sarif"))
            return client.post(f"/v1/audit?format={fmt}", files={"file": (name, data)}).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = list(pool.map(send, inputs))
        assert client.get("/healthz").status_code == 200
    assert all(c < 500 for c in codes), sorted(codes)
    assert 200 in codes and any(400 <= c < 500 for c in codes)
