"""HTTP service: a thin FastAPI shell over ``audit_text`` / ``audit_bytes``.

``POST /v1/audit`` (JSON or multipart upload) returns the findings contract (or HTML / SARIF),
``GET /v1/checks`` lists the rules, ``GET /healthz`` says whether the pipeline is warm.
Limits come from ``ServerConfig`` (environment ``AUDITOR_*`` or ``create_app(config)``):
body size (413), a per-request time limit (504) and a bounded number of audits at once (503).
Every error is ``{"error": {"code", "message"}}`` with a Chinese message. The limits live in
``service.limits``, the request/response models (the OpenAPI document) in ``service.models``.
"""
from __future__ import annotations

import json
import logging
import math
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__, errors
from ..errors import AuditorError, InputError
from .limits import (HTTP_MESSAGES, ApiError, BodyLimit, BodyTooLarge, Runner, ServerConfig, error_response,
                            limit_malloc_arenas, too_large)
from .models import (ERRORS, MULTIPART_FIELDS, MULTIPART_SCHEMA, AuditRequest, AuditResponse, Health,
                            OutputFormat, RuleOut, clean, describe, request_schema)

__all__ = ["create_app", "run_server", "ServerConfig", "AuditResponse"]

log = logging.getLogger("auditor.service")
WARM_UP_TEXT = ("示例单位2023年政府信息公开工作年度报告\n本年度报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止。\n"
                "一、总体情况\n2023年，本机关共收到政府信息公开申请1件，其中予以公开1件。\n")


def _finite(obj):
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_finite(v) for v in obj]
    return obj


@dataclass(frozen=True)
class _Choice:
    """The rules a request chose, and the level at which its report counts as failed."""

    select: list[str] | None = None
    ignore: list[str] | None = None
    fail_on: str | None = None

    def checked(self) -> "_Choice":
        """Every pattern names a rule (fail closed, as on the command line), else 422."""
        from ..checks.registry import patterns
        from ..errors import ConfigError

        try:
            return _Choice(patterns(self.select) or None, patterns(self.ignore) or None, self.fail_on)
        except ConfigError as exc:
            raise errors.E422.api("invalid", detail=exc.message) from None

    def rules(self) -> dict:
        """The audit's options: the chosen rules, and the CLI's and batch's refusal of a text that is no report."""
        return {"select_rules": self.select, "ignore_rules": self.ignore, "require_report": True}

    def failed(self, report) -> bool | None:
        if self.fail_on is None:
            return None
        return self.fail_on != "none" and report.count(self.fail_on) > 0


def _rendered(report, fmt: OutputFormat, include_text: bool, choice: _Choice) -> tuple[str, str, dict]:
    """(body, media type, headers) — computed in the worker thread, under the time limit. With
    ``fail_on``, whether the report failed is the ``X-Auditor-Failed`` header in every format."""
    failed = choice.failed(report)
    headers = {} if failed is None else {"X-Auditor-Failed": "true" if failed else "false"}
    extra = {} if failed is None else {"fail_on": choice.fail_on, "failed": failed}
    return (*_body(report, fmt, include_text, extra), headers)


def _body(report, fmt: OutputFormat, include_text: bool, extra: dict) -> tuple[str, str]:
    if fmt is OutputFormat.html:
        from ..render.html import render_html

        return render_html(report), "text/html; charset=utf-8"
    if fmt is OutputFormat.sarif:
        from ..render.sarif import render_sarif

        return render_sarif(report), "application/sarif+json"
    d = {**report.to_dict(include_text=include_text), **extra}
    try:
        body = json.dumps(d, ensure_ascii=False, allow_nan=False)
    except ValueError:  # a NaN or infinity somewhere: not JSON, send null
        body = json.dumps(_finite(d), ensure_ascii=False, allow_nan=False)
    return body, "application/json"


async def _json_job(request: Request):
    from ..pipeline import audit_bytes, audit_text

    body = await request.body()
    if not body.strip():
        raise errors.E400.api("empty_body")
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        raise errors.E400.api("bad_json") from None
    try:
        req = AuditRequest.model_validate(payload)
    except ValidationError as exc:
        raise errors.E422.api("invalid", detail="；".join(describe(e) for e in exc.errors())) from None
    choice = _Choice(req.select, req.ignore, req.fail_on).checked()
    if req.text is not None:
        return choice, lambda: audit_text(req.text, filename=req.filename, previous=req.previous, **choice.rules())
    data = req.html.encode("utf-8")
    prev = req.previous.encode("utf-8") if req.previous is not None else None
    return choice, lambda: audit_bytes(data, filename=req.filename or "report.html", previous=prev, **choice.rules())


async def _field_bytes(value) -> bytes | None:
    if value is None:
        return None
    if isinstance(value, UploadFile):
        return await value.read()
    return value.encode("utf-8", "replace")


async def _multipart_job(request: Request, config: ServerConfig):
    from ..pipeline import audit_bytes

    form = await request.form(max_files=4, max_fields=16, max_part_size=config.max_body_bytes)
    try:
        unknown = sorted(set(form.keys()) - MULTIPART_FIELDS)
        if unknown:
            raise errors.E422.api("unknown_fields", fields="、".join(unknown), known="、".join(sorted(MULTIPART_FIELDS)))
        fail_on = form.get("fail_on")
        if fail_on is not None and fail_on not in ("high", "medium", "low", "info", "none"):
            raise errors.E422.api("fail_on")
        choice = _Choice(*(form.getlist(k) or None for k in ("select", "ignore")), fail_on).checked()
        upload = form.get("file")
        if upload is None:
            raise errors.E422.api("no_file")
        data = await _field_bytes(upload)
        prev = await _field_bytes(form.get("previous"))
        name = form.get("filename")
        if not isinstance(name, str) or not name:
            name = getattr(upload, "filename", None) or "<upload>"
    finally:
        await form.close()
    name = clean(name)[:500]
    return choice, lambda: audit_bytes(data, filename=name, previous=prev or None, **choice.rules())




# ---- the app ----------------------------------------------------------------------------
def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(_, exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(BodyTooLarge)
    async def _large(request: Request, _):
        err = too_large(request.app.state.config.max_body_bytes)
        return error_response(err.status, err.code, err.message)

    @app.exception_handler(AuditorError)
    async def _auditor(_, exc: AuditorError):
        if isinstance(exc, InputError):
            entry = errors.CATALOG.get(exc.code)
            return error_response(entry.http if entry and entry.http else 422, exc.code, exc.message)
        log.error("configuration or model error: %s", exc)
        return error_response(500, exc.code, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_, exc: StarletteHTTPException):
        message = HTTP_MESSAGES.get(exc.status_code, "请求失败。")
        if exc.status_code == 400 and exc.detail:
            message = errors.E400.message("detail", detail=exc.detail)
        return error_response(exc.status_code, f"E{exc.status_code}", message, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_, exc: RequestValidationError):
        err = errors.E422.api("invalid", detail="；".join(describe(e) for e in exc.errors()))
        return error_response(err.status, err.code, err.message)

    @app.exception_handler(Exception)
    async def _bug(_, exc: Exception):
        log.exception("unhandled error", exc_info=exc)
        err = errors.E500.api("internal")
        return error_response(err.status, err.code, err.message)


def _load_readers() -> None:
    """The PDF, DOCX and HTML readers' libraries, so that no first upload of a kind pays for them."""
    import lxml.etree  # noqa: F401
    import pypdfium2  # noqa: F401
    import selectolax.lexbor  # noqa: F401

    from ..render import html, sarif  # noqa: F401


def create_app(config: ServerConfig | dict | None = None) -> FastAPI:
    if config is None or isinstance(config, dict):
        config = ServerConfig.from_env(**(config or {}))
    runner = Runner(config)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        from ..checks import get_rules

        app.state.rules = [r.to_dict() for r in get_rules()]
        if config.warm_up:  # load the pipeline (jieba, spaCy, model) before the first request
            from ..pipeline import audit_text

            try:
                await runner.run(lambda: (_load_readers(), audit_text(WARM_UP_TEXT, filename="<warm-up>")))
            except Exception:  # still serve: a real request will show the real error
                log.exception("warm-up audit failed")
        app.state.ready = True
        yield
        runner.executor.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(title="auditor", version=__version__, lifespan=lifespan,
                  description="政府信息公开工作年度报告一致性审核服务。错误一律返回 {\"error\": {\"code\", \"message\"}}。")
    app.state.config, app.state.ready, app.state.rules = config, False, []
    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes)
    if config.cors_origins:  # a browser-based review tool on another origin
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=config.origins(), allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type"], expose_headers=["X-Auditor-Failed"])
    _install_handlers(app)

    @app.get("/healthz", response_model=Health, summary="健康检查")
    async def healthz(request: Request):
        return {"status": "ok", "version": __version__, "ready": request.app.state.ready}

    @app.get("/v1/checks", response_model=list[RuleOut], summary="列出全部检查规则")
    async def checks(request: Request):
        if not request.app.state.rules:
            from ..checks import get_rules

            request.app.state.rules = [r.to_dict() for r in get_rules()]
        return request.app.state.rules

    @app.post(
        "/v1/audit", summary="审核一份报告", response_class=JSONResponse,
        responses={200: {"model": AuditResponse, "description": "审核结果",
                         "content": {"text/html": {"schema": {"type": "string"}},
                                     "application/sarif+json": {"schema": {"type": "object"}}}}, **ERRORS},
        openapi_extra={"requestBody": {"required": True, "content": {
            "application/json": {"schema": request_schema()},
            "multipart/form-data": {"schema": MULTIPART_SCHEMA}}}},
    )
    async def audit(request: Request,
                    format: OutputFormat = Query(OutputFormat.json, description="json、html 或 sarif"),
                    include_text: bool = Query(False, description="在 JSON 结果中附上规范化文本")):
        unknown = sorted(set(request.query_params) - {"format", "include_text"})
        if unknown:
            raise errors.E422.api("unknown_query", params="、".join(unknown))
        mime = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if mime == "application/json" or mime.endswith("+json"):
            choice, job = await _json_job(request)
        elif mime == "multipart/form-data":
            choice, job = await _multipart_job(request, config)
        elif not mime and not (await request.body()).strip():
            raise errors.E400.api("empty_body")
        else:
            raise errors.E415.api("content_type", mime=mime or "未指定")

        def work():
            return _rendered(job(), format, include_text, choice)

        body, media_type, headers = await runner.run(work)
        return (HTMLResponse if media_type.startswith("text/html") else Response)(body, media_type=media_type,
                                                                                   headers=headers)

    return app


def run_server(host: str = "127.0.0.1", port: int = 8000) -> None:
    import uvicorn

    limit_malloc_arenas()
    uvicorn.run(create_app(), host=host, port=port, log_level="info")
