"""The HTTP service's request and response models (its OpenAPI document) and Chinese
validation messages. Responses are built from ``Report.to_dict``; these models describe them."""
from __future__ import annotations

from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


def clean(s: str) -> str:
    """Lone surrogates (possible in a decoded header, not encodable as UTF-8) become U+FFFD."""
    return s.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


class AuditRequest(BaseModel):
    """A report as text or HTML. ``previous`` is last year's report, of the same kind."""

    # a misspelt option must not be a silent no-op: an unknown field is 422
    model_config = ConfigDict(extra="forbid", json_schema_extra={"oneOf": [{"required": ["text"]},
                                                                           {"required": ["html"]}]})
    # Typed ``str`` with a None default: a field may be left out but never sent as null, which
    # keeps the model and its published JSON schema in exact agreement.
    text: str = Field(None, pattern=r"\S", description="报告纯文本")
    html: str = Field(None, pattern=r"\S", description="报告网页（HTML）")
    filename: str = Field(None, max_length=500, description="来源名称，出现在结果的 report.source 中")
    previous: str = Field(None, description="上一年度报告（与本报告同为文本或同为 HTML），用于跨年度核对")
    select: list[str] = Field(None, description="只运行这些检查：代码、名称、组或通配符（如 NT001、TB*、narrative.*）；"
                                                "未知的代码返回 422")
    ignore: list[str] = Field(None, description="不运行这些检查（写法同 select）")
    fail_on: Literal["high", "medium", "low", "info", "none"] = Field(
        None, description="结果中 failed 为 true 的最低严重程度（同命令行 --fail-on）")

    @model_validator(mode="after")
    def _one_input(self):
        if (self.text is None) == (self.html is None):
            raise ValueError("必须且只能提供 text 或 html 其中之一")
        return self


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class EvidenceOut(Open):
    kind: Literal["text", "cell"]
    start: int | None = None
    end: int | None = None
    quote: str | None = None
    table: str | None = None
    row: str | None = None
    column: str | None = None
    value: int | float | None = None


class FindingOut(Open):
    id: str
    code: str
    check: str
    severity: Literal["high", "medium", "low", "info"]
    severity_score: float | None
    message: str
    stated: int | float | str | None
    expected: int | float | str | None
    evidence: list[EvidenceOut]
    fingerprint: str
    offset: int | None = Field(None, description="主要证据在规范化文本中的起始位置（Python 字符索引）")
    length: int | None = None
    replacement: str | None = Field(None, description="建议替换文本")


class ToolOut(Open):
    name: str
    version: str
    model: str | None


class ReportMetaOut(Open):
    source: str
    sha256: str
    title: str | None
    agency: str | None
    year: int | None
    format: str | None
    input_kind: str
    encoding: str | None = None


class AuditResponse(Open):
    """The findings contract (findings-contract.md), version 1."""

    contract: int
    tool: ToolOut
    report: ReportMetaOut
    findings: list[FindingOut]
    claims: list[dict[str, Any]]
    tables: dict[str, int | float | None]
    coverage: dict[str, Any]
    errors: list[dict[str, Any]]
    warnings: list[str]
    timing_ms: float
    fail_on: str | None = Field(None, description="请求中的 fail_on（仅当请求给出时）")
    failed: bool | None = Field(None, description="是否有达到 fail_on 级别的问题（仅当请求给出 fail_on 时）")
    text: str | None = Field(None, description="规范化文本（仅当 include_text=true）；所有偏移量均指向它")


class ErrorBody(Open):
    code: str
    message: str


class ErrorResponse(Open):
    error: ErrorBody


class RuleOut(Open):
    code: str
    check: str
    name: str
    description: str
    default_severity: Literal["high", "medium", "low", "info"]


class Health(Open):
    status: Literal["ok"]
    version: str
    ready: bool


class OutputFormat(str, Enum):
    json = "json"
    html = "html"
    sarif = "sarif"


def request_schema() -> dict:
    schema = AuditRequest.model_json_schema()
    for prop in schema["properties"].values():
        prop.pop("default", None)  # "null" is not a value these string fields accept
    return schema


MULTIPART_SCHEMA = {"type": "object", "required": ["file"], "properties": {
    "file": {"type": "string", "format": "binary", "description": "报告文件（txt、html、docx、pdf）"},
    "previous": {"type": "string", "format": "binary", "description": "上一年度报告文件（可选）"},
    "filename": {"type": "string", "description": "来源名称（默认取上传文件名）"},
    "select": {"type": "string", "description": "只运行这些检查，逗号分隔（同 JSON 的 select）"},
    "ignore": {"type": "string", "description": "不运行这些检查，逗号分隔"},
    "fail_on": {"type": "string", "enum": ["high", "medium", "low", "info", "none"],
                "description": "结果中 failed 为 true 的最低严重程度"}}}
MULTIPART_FIELDS = frozenset(MULTIPART_SCHEMA["properties"])
ERRORS = {status: {"model": ErrorResponse, "description": desc} for status, desc in (
    (400, "请求格式错误（空请求体、无效 JSON、multipart 格式错误）"), (413, "请求体过大"), (415, "不支持的内容类型"),
    (422, "请求参数无效，或文件无法作为报告读取"), (500, "服务内部错误"), (503, "服务繁忙"), (504, "审核超时"))}


PYDANTIC_MESSAGES = {
    "model_type": "应为 JSON 对象", "dict_type": "应为 JSON 对象", "model_attributes_type": "应为 JSON 对象",
    "string_type": "应为字符串", "string_too_long": "过长", "string_pattern_mismatch": "不能为空",
    "string_unicode": "含有无效的 Unicode 字符", "missing": "缺少该字段", "enum": "取值无效",
    "bool_parsing": "应为 true 或 false", "bool_type": "应为 true 或 false", "literal_error": "取值无效",
    "extra_forbidden": "不是可识别的字段（可用字段：text、html、filename、previous、select、ignore、fail_on）",
    "list_type": "应为字符串数组",
}


def describe(err: dict) -> str:
    """A pydantic error in Chinese: the field, then what is wrong with it."""
    where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query"))
    msg = PYDANTIC_MESSAGES.get(err.get("type", ""))
    if msg is None:
        raw = str(err.get("msg", ""))
        msg = raw[len("Value error, "):] if raw.startswith("Value error, ") else f"无效（{raw}）"
    if err.get("type") == "enum":
        msg += f"，可选：{err.get('ctx', {}).get('expected', '')}"
    return f"{where} {msg}" if where else msg
