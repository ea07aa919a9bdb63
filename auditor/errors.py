"""Typed, coded exceptions (spaCy-style) and the one catalog of every error code.

Every code the auditor shows a user is an entry here: its kind, a one-line summary, its Chinese
message templates (``str.format`` with named fields, one per way the problem shows itself), the
exit status of ``auditor audit`` / ``auditor batch`` and the HTTP status of the service. A raise
site names the entry and fills the fields, never writes a code or a message itself::

    raise errors.E103("file", size=len(data), limit=max_bytes)   # an InputError
    raise errors.E422.api("no_file")                               # an ApiError (HTTP service)
    Failure.of(errors.E901, seconds=timeout)                        # a batch error row

Codes are stable and never reused. ``docs/errors.md`` is generated from this table
(``python -m auditor.docs``). The hierarchy: ``AuditorError`` → ``InputError``, ``ConfigError``,
``ModelError`` (and ``DeadlineExceeded``); ``ApiError`` is the HTTP service's answer.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


class AuditorError(Exception):
    """Base class. ``code`` is stable; ``message`` is shown to inspectors."""

    code = "E000"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


class InputError(AuditorError):
    """The input file cannot be read as a report (empty, binary, malformed, too large)."""

    code = "E100"


class ConfigError(AuditorError):
    code = "E200"


class ModelError(AuditorError):
    code = "E300"


class DeadlineExceeded(AuditorError):
    """An audit ran past the deadline of its thread (``deadline.within``)."""

    code = "E504"


class ApiError(Exception):
    """An HTTP service error: its status, code, Chinese message and extra headers."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


# What ``raised_by`` says about an entry that no module of the auditor raises by name.
RAISED_BY = {
    "auditor": "由 auditor 产生",
    "class": "异常类的默认代码（保留）",
    "framework": "由 Web 框架产生，信息取自本表",
}

KINDS = {
    "input": "输入无法作为报告读取",
    "limit": "超过资源上限",
    "config": "配置错误",
    "model": "模型错误",
    "http": "HTTP 服务请求错误",
    "batch": "批量审核中单个文件的失败",
    "internal": "内部错误",
}


@dataclass(frozen=True)
class Code:
    """One catalogued error code. Calling it builds the exception for one of its messages."""

    code: str
    kind: str
    summary: str
    messages: Mapping[str, str]
    cls: type[AuditorError] | None = None
    exit: int | None = None
    http: int | None = None
    raised_by: str = "auditor"
    variants: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "variants", tuple(self.messages))

    def message(self, variant: str | None = None, /, **fields) -> str:
        """The Chinese message: ``variant`` names the template (optional when there is one)."""
        if variant is None:
            if len(self.messages) != 1:
                raise TypeError(f"{self.code} has several messages: name one of {self.variants}")
            variant = self.variants[0]
        return self.messages[variant].format(**fields)

    def __call__(self, variant: str | None = None, /, **fields) -> AuditorError:
        if self.cls is None:
            raise TypeError(f"{self.code} is not raised as an AuditorError")
        return self.cls(self.message(variant, **fields), code=self.code)

    def api(self, variant: str | None = None, /, headers: dict | None = None, **fields) -> ApiError:
        """The HTTP service's error for this code (its ``http`` status)."""
        if self.http is None:
            raise TypeError(f"{self.code} has no HTTP status")
        return ApiError(self.http, self.code, self.message(variant, **fields), headers)


CATALOG: dict[str, Code] = {}


def _code(code: str, kind: str, summary: str, cls: type[AuditorError] | None = None, *,
          exit: int | None = None, http: int | None = None, raised_by: str = "auditor", **messages: str) -> Code:
    assert code not in CATALOG, code
    assert kind in KINDS and raised_by in RAISED_BY, code
    entry = Code(code, kind, summary, messages, cls, exit, http, raised_by)
    CATALOG[code] = entry
    return entry


# ---- the catalog --------------------------------------------------------------------------
# exit: status of ``auditor audit`` (2: the report could not be audited) or, for the batch rows,
# of ``auditor batch`` (3: a file failed). http: status of the HTTP service's answer.

E000 = _code("E000", "internal", "未分类的错误（AuditorError 的默认代码）", AuditorError, exit=2, http=500,
             raised_by="class")

# -- input: the file cannot be read as a report (HTTP 422, E103 413)
E100 = _code("E100", "input", "输入无法读取（InputError 的默认代码）", InputError, exit=2, http=422,
             raised_by="class")
E101 = _code(
    "E101", "input", "空文件或没有文字内容", InputError, exit=2, http=422,
    empty_bytes="文件是空的（0 字节）。",
    empty_text="文本是空的。",
    blank="文件内容为空（只有空白字符）。",
    docx_empty="DOCX 文档中没有文字内容。",
)
E102 = _code(
    "E102", "input", "二进制或无法识别的文件（图片、压缩包、RTF……）", InputError, exit=2, http=422,
    not_bytes="输入不是字节数据。",
    not_str="输入不是文本字符串。",
    binary_kind="文件是{name}，不是文本、HTML、DOCX 或 PDF，无法审查。",
    zip_not_docx="文件是 zip 压缩包但不是 Word 文档（DOCX），无法审查。",
    binary="文件是二进制数据或无法识别的格式，不是文本、HTML、DOCX 或 PDF。",
    unparsable="文本 文件无法解析（{error}）。",
)
E103 = _code(
    "E103", "limit", "文件过大或过于复杂（超过 max_bytes 等上限）", InputError, exit=2, http=413,
    stdin="标准输入过大（超过 {limit} 字节），拒绝处理。",
    file="文件过大（{size} 字节，上限 {limit} 字节），拒绝处理。",
    text="文本过长（{chars} 个字符，上限 {limit}），拒绝处理。",
    memory="文件过于复杂，处理时内存不足，拒绝处理。",
    html_tags="HTML 含有 {tags} 个标签，超过上限 {limit}（一份报告的网页不过数万个），文件过于复杂，拒绝处理。",
)
E104 = _code(
    "E104", "input", "PDF 损坏或被截断", InputError, exit=2, http=422,
    not_pdf="文件扩展名为 .pdf，但内容不是 PDF（缺少 %PDF 文件头），可能已损坏。",
    unopenable="PDF 文件损坏，无法打开（{error}）。",
    truncated="PDF 文件不完整（缺少文件结束标记 %%EOF，可能下载时被截断）。",
    no_pages="PDF 文件损坏（没有页面）。",
    all_pages_failed="PDF 文件损坏，所有页面都无法读取。",
    unparsable="PDF 文件无法解析（{error}）。",
)
E105 = _code(
    "E105", "input", "DOCX 损坏", InputError, exit=2, http=422,
    encrypted="DOCX 文件已加密（受密码保护）或不是有效的 DOCX，无法读取。",
    not_docx="文件扩展名为 .docx，但内容不是 DOCX（不是 zip 压缩包），可能已损坏。",
    bad_zip="DOCX 文件损坏（不是完整的 zip 压缩包：{error}）。",
    no_document="DOCX 文件损坏（压缩包中缺少 word/document.xml）。",
    no_body="DOCX 文件损坏（word/document.xml 中没有正文）。",
    damaged="DOCX 文件损坏（{error}）。",
    unparsable="DOCX 文件无法解析（{error}）。",
)
E106 = _code(
    "E106", "limit", "DOCX 解压后过大（疑似压缩炸弹）", InputError, exit=2, http=422,
    entries="DOCX 内含 {count} 个文件，疑似压缩炸弹，拒绝处理。",
    ratio="DOCX 内的 {name} 解压后 {size} 字节，压缩比超过 {ratio} 倍，疑似压缩炸弹，拒绝处理。",
    total="DOCX 解压后共 {total} 字节，超过上限 {limit} 字节（疑似压缩炸弹），拒绝处理。",
    member="DOCX 内的 {name} 解压后超过 {limit} 字节（疑似压缩炸弹），拒绝处理。",
    block="DOCX 中一个段落或表格的 XML 超过 {limit} 字节，疑似构造的恶意文件，拒绝处理。",
)
E107 = _code(
    "E107", "input", "HTML 中没有可读正文", InputError, exit=2, http=422,
    no_body="HTML 中没有可读正文（没有 <body>，可能是框架页或空页面）。",
    no_text="HTML 中没有可读正文（去掉脚本、导航和页面框架后没有文字）。",
    unparsable="HTML 文件无法解析（{error}）。",
)
E108 = _code(
    "E108", "input", "无法识别文字编码", InputError, exit=2, http=422,
    encoding="无法识别文件的文字编码（不是 UTF-8、GB18030/GBK 或 UTF-16）。",
)
E109 = _code(
    "E109", "input", "PDF 无文本层（可能为扫描件）", InputError, exit=2, http=422,
    no_text_layer="PDF 无文本层（可能为扫描件），无法读取文字；请提供文字版 PDF 或先进行文字识别（OCR）。",
    page_numbers_only="PDF 无文本层（可能为扫描件），除页码外没有可读文字。",
    no_ocr="PDF 无文本层（可能为扫描件）；读取扫描件需要文字识别组件，请安装：pip install 'auditor[ocr]'。",
    no_ocr_models="文字识别组件不完整：在 {path} 下找不到识别模型，请重新安装 auditor[ocr]。",
    ocr_nothing="PDF 无文本层（可能为扫描件），文字识别（OCR）后仍没有可读文字（除页码外）。",
)
E110 = _code(
    "E110", "input", "PDF 已加密", InputError, exit=2, http=422,
    encrypted="PDF 已加密，需要密码才能打开，无法读取。",
)
E111 = _code(
    "E111", "input", "文件不存在或无法读取", InputError, exit=2, http=422,
    missing="文件不存在：{path}",
    unreadable="无法读取文件：{path}（{reason}）",
    directory="这是一个目录，不是文件：{path}",
    folder_unreadable="无法读取目录：{path}（权限不足），其中的文件均未审核",
    baseline_missing="基线文件不存在：{path}",
    baseline_unreadable="无法读取基线文件：{path}（{reason}）",
)
E112 = _code(
    "E112", "input", "旧版 Word/WPS 二进制格式（.doc/.wps），不支持", InputError, exit=2, http=422,
    legacy_word="这是旧版 Word/WPS 二进制格式（.doc/.wps），暂不支持；请另存为 DOCX 或 PDF 后再提交。",
)
E113 = _code(
    "E113", "input", "PDF 文字无法解码（字体缺少 Unicode 映射）", InputError, exit=2, http=422,
    garbled="PDF 的文字无法解码（字体缺少 Unicode 映射，提取出的是乱码）。",
)
E114 = _code(
    "E114", "limit", "正文超过分析上限（limits.max_text_chars）", InputError, exit=2, http=422,
    reading="正文过长（读取到第 {chars} 个字符时已超过上限 {limit}），不予审核",
    pdf_page="正文过长（读到第 {page} 页时已超过 {limit} 个字符的上限），不予审核",
    analysis="正文过长（{chars}字符，上限{limit}），不予审核",
)
E120 = _code(
    "E120", "input", "基线文件不是 auditor 的 JSON 结果或 SARIF 日志", InputError, exit=2, http=422,
    baseline_json="基线文件不是有效的 JSON：{path}（第{line}行）",
    baseline_kind="基线文件既不是 auditor 的 JSON 结果，也不是 SARIF 日志：{path}",
)

# -- config: the configuration, a template or a request's choice of checks (exit 2)
E200 = _code(
    "E200", "config", "未知的检查（--select、--ignore 或配置中的代码、名称、组或通配符）", ConfigError, exit=2, http=500,
    unknown_check="未知的检查“{pattern}”{hint}",
)
E201 = _code(
    "E201", "config", "报告格式模板无法读取（安装包缺陷）", ConfigError, exit=2, http=500,
    template="模板文件 {name} 无法读取：{error}",
)
E202 = _code(
    "E202", "config", "未知的报告格式", ConfigError, exit=2, http=500,
    format="未知的报告格式：{format}",
)
E203 = _code(
    "E203", "config", "配置文件无法读取（不存在、编码或 TOML 语法错误）", ConfigError, exit=2, http=500,
    unreadable="配置文件 {path} 无法读取：{error}",
)
E204 = _code(
    "E204", "config", "配置中未知的配置节或选项", ConfigError, exit=2, http=500,
    section="配置文件 {path}：未知的配置节 [{section}]",
    option="配置文件 {path}：[{section}] 中未知的选项 {key}",
    outside_section="配置项 {keys} 必须写在配置节内",
)
E205 = _code(
    "E205", "config", "配置选项的类型或取值无效", ConfigError, exit=2, http=500,
    type="配置文件 {path}：[{section}] {key} 应为 {type}，实为 {value!r}",
    choice="配置文件 {path}：[{section}] {key} 只能取 {choices}",
)
E206 = _code(
    "E206", "config", "HTTP 服务配置无效（ServerConfig 或环境变量 AUDITOR_*）", ConfigError, exit=2,
    not_positive="服务配置 {name} 必须为正数，实际为 {value!r}",
    env="环境变量 AUDITOR_{name} 的值无效：{raw!r}",
)

# -- model: the severity model (exit 2)
E300 = _code("E300", "model", "模型错误（ModelError 的默认代码）", ModelError, exit=2, http=500, raised_by="class")
E301 = _code(
    "E301", "model", "严重程度模型无法加载", ModelError, exit=2, http=500,
    unloadable="严重程度模型 {path} 无法加载：{error}",
)
E302 = _code(
    "E302", "model", "严重程度模型内容不符合要求", ModelError, exit=2, http=500,
    invalid="严重程度模型 {path} 内容不符合要求",
)

# -- http: the service's answers ({"error": {"code", "message"}}); ``generic`` is the message
# for the web framework's own errors of that status
E400 = _code(
    "E400", "http", "请求格式错误（空请求体、无效 JSON、multipart 格式错误）", http=400,
    generic="请求格式错误。",
    detail="请求格式错误（{detail}）。",
    empty_body="请求体为空：请提交 JSON {{\"text\": …}} 或上传文件。",
    bad_json="请求体不是有效的 JSON。",
)
E404 = _code("E404", "http", "未找到该路径", http=404, raised_by="framework", generic="未找到该路径。")
E405 = _code("E405", "http", "该路径不支持此请求方法", http=405, raised_by="framework",
             generic="该路径不支持此请求方法。")
E406 = _code("E406", "http", "无法提供所请求的响应格式", http=406, raised_by="framework",
             generic="无法提供所请求的响应格式。")
E413 = _code(
    "E413", "limit", "请求体过大（max_body_bytes）", http=413,
    generic="请求体过大。",
    too_large="请求体过大（上限 {limit} 字节），请压缩或拆分后再提交。",
)
E415 = _code(
    "E415", "http", "不支持的内容类型", http=415,
    generic="不支持的内容类型。",
    content_type="不支持的内容类型“{mime}”：请使用 application/json 或 multipart/form-data。",
)
E422 = _code(
    "E422", "http", "请求参数无效", http=422,
    generic="请求参数无效。",
    invalid="请求参数无效：{detail}",
    unknown_fields="请求参数无效：{fields} 不是可识别的字段（可用字段：{known}）。",
    fail_on="请求参数无效：fail_on 取值无效，可选：high、medium、low、info、none。",
    no_file="请求参数无效：缺少上传文件字段 file。",
    unknown_query="请求参数无效：查询参数 {params} 不可识别（可用：format、include_text）。",
)
E500 = _code(
    "E500", "internal", "服务内部错误", http=500,
    generic="服务内部错误。",
    internal="服务内部错误，请联系管理员。",
)
E503 = _code(
    "E503", "limit", "服务繁忙（同时审核数达到 max_concurrency）", http=503,
    busy="服务繁忙，同时审核的报告已达上限，请稍后重试。",
)
E504 = _code(
    "E504", "limit", "审核超时（超过时限，已停止）", DeadlineExceeded, http=504,
    deadline="审核超过时限，已停止。",
    timeout="审核超时（超过 {seconds:g} 秒），请稍后重试或拆分报告。",
)

# -- batch: one file's failure, a row of reports.csv (``auditor batch`` exits 3)
E900 = _code("E900", "internal", "内部错误（缺陷：请报告）", exit=3, internal="内部错误：{error}")
E901 = _code("E901", "batch", "单个文件处理超时（--timeout）", exit=3,
             timeout="处理超时（超过{seconds:g}秒），已放弃该文件")
E902 = _code("E902", "batch", "工作进程异常退出", exit=3,
             crash="处理该文件时工作进程异常退出（可能是内存耗尽或解析库崩溃）")
E903 = _code("E903", "batch", "处理单个文件时内存不足", exit=3, memory="处理该文件时内存不足，已放弃")
E904 = _code(
    "E904", "input", "不是政府信息公开工作年度报告（audit、HTTP 服务和 batch 拒绝审核）", InputError, exit=2, http=422,
    not_a_report="未识别为政府信息公开工作年度报告（没有报告年度，也没有“政府信息”“信息公开”“依申请”等字样），不予审核",
)


def http_messages() -> dict[int, str]:
    """The message for the web framework's own errors, by status (the entries' ``generic``)."""
    return {c.http: c.messages["generic"] for c in CATALOG.values() if c.http and "generic" in c.messages}
