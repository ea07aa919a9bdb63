"""Command line: a thin shell over the public API. Exit codes: 0 clean, 1 findings at or above
--fail-on, 2 usage error or unreadable input."""
from __future__ import annotations

import gc
import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from .cli_help import Command, Group

# plain click help: wrapped to the terminal, never cut; metavars in Chinese, flags without one
app = typer.Typer(cls=Group, add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="政府信息公开工作年度报告一致性审核工具")


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"auditor {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="显示版本号并退出")) -> None:
    """政府信息公开工作年度报告一致性审核工具"""


class Fmt(str, Enum):
    text = "text"
    json = "json"
    text_dump = "text-dump"
    html = "html"
    sarif = "sarif"
    csv = "csv"
    jsonl = "jsonl"


class FailOn(str, Enum):
    high = "high"
    medium = "medium"
    low = "low"
    info = "info"
    none = "none"


@contextmanager
def _one_shot():
    """No cyclic garbage collection while one report is audited: the process ends right after, and
    the collections that importing scikit-learn triggers cost ~0.2 s of the cold start."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _audit_stdin(previous: Optional[Path], settings: dict, chosen: dict):
    from . import errors
    from .ingest import document_from_bytes, read_document
    from .pipeline import audit_document, read_limits

    limits = read_limits(settings)
    data = sys.stdin.buffer.read(limits["max_bytes"] + 1)
    if len(data) > limits["max_bytes"]:
        raise errors.E103("stdin", limit=limits["max_bytes"])
    doc = document_from_bytes(data, filename="<stdin>", **limits)
    prev = read_document(previous, **limits) if previous else None
    return audit_document(doc, previous=prev, **chosen)


def _settings(path: Optional[Path], no_config: bool) -> dict:
    """The configuration: ``--config``, else the one discovered from the current directory."""
    from .config import discover, load_config

    return load_config(path if path is not None else (None if no_config else discover()))


def _exit_code(report, fail_on: str) -> int:
    if fail_on == "none":
        return 0
    return 1 if report.count(fail_on) else 0


def _emit(report, fmt: str, output: Optional[Path], baseline: Optional[Path] = None, timing: bool = False) -> None:
    from .render import render

    opts = {"timing": timing} if fmt in ("json", "jsonl") else {}
    if fmt == "text":
        opts["color"] = output is None and sys.stdout.isatty()
    if baseline is not None:
        opts["baseline"] = baseline
    out = render(report, fmt, **opts)
    if output:
        if output.is_dir():
            typer.echo(f"错误：输出路径 {output} 是一个目录，请给出文件名", err=True)
            raise typer.Exit(2)
        try:
            output.parent.mkdir(parents=True, exist_ok=True)  # -o results/2024/a.json: the folders are made
            output.write_text(out, encoding="utf-8")
        except OSError as exc:
            typer.echo(f"错误：无法写入 {output}：{exc.strerror or exc}", err=True)
            raise typer.Exit(2)
    else:
        sys.stdout.write(out if out.endswith("\n") else out + "\n")


@app.command(cls=Command)
def audit(
    report: Path = typer.Argument(..., metavar="报告", help="报告文件（txt、html、docx、pdf）；- 表示从标准输入读取"),
    format: Fmt = typer.Option(Fmt.text, "--format", "-f", help="输出格式"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="文件", help="输出文件（默认标准输出）"),
    previous: Optional[Path] = typer.Option(None, "--previous", metavar="文件", help="上一年度报告，用于跨年度核对"),
    fail_on: Optional[FailOn] = typer.Option(None, "--fail-on", help="达到该级别的问题时退出码为1（默认 high）"),
    select: Optional[list[str]] = typer.Option(None, "--select", metavar="代码[,代码…]", help="只运行这些检查（代码、名称、组或通配符）"),
    ignore: Optional[list[str]] = typer.Option(None, "--ignore", metavar="代码[,代码…]", help="不运行这些检查"),
    baseline: Optional[Path] = typer.Option(None, "--baseline", metavar="文件", help="上一稿的 JSON 结果：已接受的问题不再报告"),
    config: Optional[Path] = typer.Option(None, "--config", metavar="文件", help="配置文件（TOML，选项见 auditor/defaults.toml）；"
                                          "默认取当前目录或上级目录中的 auditor.toml 或 pyproject.toml 的 [tool.auditor]"),
    no_config: bool = typer.Option(False, "--no-config", help="不读取任何配置文件"),
    timing: bool = typer.Option(False, "--timing", help="在 JSON 结果中给出审核用时 timing_ms（默认不给出，同一文件两次输出逐字节相同）"),
) -> None:
    """审核一份报告。"""
    from .errors import AuditorError
    from .pipeline import audit_path

    with _one_shot():
        try:
            settings = _settings(config, no_config)
            rules = settings["rules"]
            fail_level = fail_on.value if fail_on is not None else (rules["fail_on"] or "high")
            chosen = {"select_rules": select or rules["select"] or None, "ignore_rules": ignore or rules["ignore"] or None,
                      "config": settings, "require_report": True}
            if str(report) == "-":  # a pipe: the bytes as they come, their kind sniffed as for a file
                rep = _audit_stdin(previous, settings, chosen)
            else:
                rep = audit_path(report, previous=previous, **chosen)
        except AuditorError as exc:
            typer.echo(f"错误：{report}：{exc}", err=True)
            raise typer.Exit(2)
        except OSError as exc:
            typer.echo(f"错误：无法读取 {report}：{exc.strerror or exc}", err=True)
            raise typer.Exit(2)
        if baseline is not None:
            from .render.baseline import apply_baseline

            try:
                rep = apply_baseline(rep, baseline)
            except AuditorError as exc:
                typer.echo(f"错误：{baseline}：{exc}", err=True)
                raise typer.Exit(2)
        _emit(rep, format.value, output, timing=timing)
    # the normalized text is not an audit verdict: printing it succeeds whatever the findings
    raise typer.Exit(0 if format.value == "text-dump" else _exit_code(rep, fail_level))


@app.command(cls=Command)
def demo(format: Fmt = typer.Option(Fmt.text, "--format", "-f", help="输出格式")) -> None:
    """审核内置的示例报告（项目自行生成，含若干预置错误）。"""
    from importlib import resources

    from .pipeline import audit_text

    text = resources.files("auditor").joinpath("data/sample_report.txt").read_text(encoding="utf-8")
    with _one_shot():
        rep = audit_text(text, filename="sample_report.txt")
        _emit(rep, format.value, None)


@app.command(cls=Command)
def checks(format: str = typer.Option("text", "--format", "-f", metavar="text|json", help="text 或 json")) -> None:
    """列出全部检查规则。"""
    import json

    from .checks import get_rules

    rules = get_rules()
    if format == "json":
        typer.echo(json.dumps([r.to_dict() for r in rules], ensure_ascii=False, indent=2))
        return
    for r in rules:
        typer.echo(f"{r.code}  {r.check:<28} {r.default:<7} {r.description}")


@app.command(cls=Command)
def batch(
    inputs: list[Path] = typer.Argument(..., metavar="报告或目录…", help="报告文件或目录"),
    out: Path = typer.Option(..., "--out", metavar="目录", help="结果目录"),
    jobs: int = typer.Option(1, "--jobs", "-j", metavar="N", help="并行进程数"),
    resume: bool = typer.Option(False, "--resume", help="跳过已有结果（sha256 与工具版本相同）的报告"),
    engine: str = typer.Option("local", "--engine", metavar="local|dask", help="local 或 dask"),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", metavar="地址", help="dask 调度器地址"),
    shared_storage: bool = typer.Option(False, "--shared-storage",
                                        help="dask 工作进程与本机共享结果目录（共享存储）：由工作进程直接写出每份报告的结果"),
    fail_on: Optional[FailOn] = typer.Option(None, "--fail-on", help="任一报告达到该级别时退出码为1（默认 none）"),
    timeout: float = typer.Option(120.0, "--timeout", metavar="秒", help="单个文件的处理时限（秒），超时记为失败"),
    no_config: bool = typer.Option(False, "--no-config", help="不读取 auditor.toml / pyproject.toml 中的 fail_on"),
    estimate: bool = typer.Option(False, "--estimate", help="只统计将审核的文件并估算所需内存、磁盘和时间，不审核"),
) -> None:
    """批量审核：每份报告一个 JSON，另出 findings.csv、reports.csv 和汇总（见 docs/batch.md）。

    退出码：0 全部审核完成且没有达到 --fail-on 级别的问题；1 有达到 --fail-on 级别的问题；
    2 用法错误或没有可审核的文件；3 有文件处理失败（优先于 1）。
    """
    from .batch import run_batch
    from .errors import AuditorError

    if estimate:
        raise typer.Exit(_estimate(inputs, out, jobs))
    try:
        level = fail_on.value if fail_on is not None else (_settings(None, no_config)["rules"]["fail_on"] or "none")
    except AuditorError as exc:
        typer.echo(f"错误：{exc}", err=True)
        raise typer.Exit(2)
    raise typer.Exit(run_batch(inputs, out, jobs=jobs, resume=resume, engine=engine, scheduler=scheduler,
                               shared_storage=shared_storage,
                               fail_on=level, timeout=timeout))


def _estimate(inputs: list[Path], out: Path, jobs: int) -> int:
    from .batch import EXIT_OK, EXIT_USAGE
    from .batch.estimate import describe, estimate, free_mb
    from .batch.inputs import InputsError, check_inputs

    try:
        check_inputs(inputs)
    except InputsError as exc:
        typer.echo(f"错误：{exc}", err=True)
        return EXIT_USAGE
    est = estimate(inputs, max(1, jobs), exclude=out)
    if not est.files:
        typer.echo("错误：没有找到可审核的报告文件", err=True)
        return EXIT_USAGE
    typer.echo("\n".join(describe(est, free_mb(out))))
    return EXIT_OK


@app.command(cls=Command)
def serve(
    host: str = typer.Option("127.0.0.1", "--host", metavar="地址", help="监听地址"),
    port: int = typer.Option(8000, "--port", metavar="端口", help="监听端口"),
) -> None:
    """启动 HTTP 服务（POST /v1/audit）。需要 serve 附加依赖：pip install 'auditor[serve]'。"""
    missing = _missing("fastapi", "uvicorn", "python_multipart|multipart")
    if missing:
        typer.echo(f"错误：HTTP 服务需要附加依赖（缺少 {'、'.join(missing)}）。请安装：pip install 'auditor[serve]'"
                   "（在源码目录中：pip install -e '.[serve]'）", err=True)
        raise typer.Exit(2)
    from .service.app import run_server

    run_server(host=host, port=port)


def _missing(*modules: str) -> list[str]:
    """The modules (``a|b``: either) that cannot be imported."""
    import importlib

    out = []
    for alternatives in modules:
        for name in alternatives.split("|"):
            try:
                importlib.import_module(name)
                break
            except ImportError:
                continue
        else:
            out.append(alternatives.split("|")[0])
    return out


LAB_MISSING = "错误：此命令需要开发工具包 auditor-lab（源码仓库中：pip install -e ./lab）"


def _lab(module: str):
    """A module of the development tools (``auditor_lab``), imported only by the command that needs
    it; the runtime package imports nothing else from there. Missing: a Chinese message, exit 2."""
    import importlib

    try:
        return importlib.import_module(f"auditor_lab.{module}")
    except ImportError as exc:
        if exc.name not in ("auditor_lab", f"auditor_lab.{module}"):
            raise  # auditor_lab is there and something it needs is not: that error says what
        typer.echo(LAB_MISSING, err=True)
        raise typer.Exit(2) from None


@app.command(cls=Command)
def train(
    out: Optional[Path] = typer.Option(None, "--out", metavar="文件", help="模型文件（默认 models/severity-v2.skops）"),
    seed: int = typer.Option(20211, "--seed", metavar="N", help="随机种子"),
    n: int = typer.Option(300, "--n", metavar="N", help="训练用生成报告数（按固定权重计入）"),
) -> None:
    """用真实报告（及其标注）上的问题重新训练严重程度模型，按机构分组交叉验证（确定性）。"""
    train_model = _lab("training").train_model
    try:
        train_model(out=out, seed=seed, n=n)
    except FileNotFoundError as exc:
        typer.echo(f"错误：{exc}", err=True)
        raise typer.Exit(2)


@app.command("eval", cls=Command)
def eval_(
    corpus: Path = typer.Argument(..., metavar="目录", help="带 *.gold.json 的目录"),
    out: Path = typer.Option(Path("auditor-eval"), "--out", metavar="目录", help="结果目录（默认当前目录下的 auditor-eval/）"),
    name: Optional[str] = typer.Option(None, "--name", metavar="前缀", help="结果文件名前缀"),
    gold: Optional[Path] = typer.Option(None, "--gold", metavar="目录", help="标注文件所在目录（默认与报告同目录）"),
    mutate: bool = typer.Option(False, "--mutate", help="在报告中逐一植入错误，评估检出率与误伤率（无需标注）"),
    per_report: int = typer.Option(16, "--per-report", metavar="N", help="--mutate：每份报告每类错误的植入次数"),
    seed: int = typer.Option(0, "--seed", metavar="N", help="--mutate：随机种子"),
) -> None:
    """在标注语料上评估：各检查的精确率、召回率、F1，严重程度混淆矩阵，覆盖率。"""
    if mutate:
        run_mutation_eval = _lab("mutation").run_mutation_eval
        raise typer.Exit(run_mutation_eval(corpus, out, name=name, per_class=per_report, seed=seed))
    run_eval = _lab("evaluation").run_eval
    raise typer.Exit(run_eval(corpus, out, name=name, gold_dir=gold))


@app.command(cls=Command)
def completion(shell: str = typer.Argument(..., metavar="bash|zsh|fish", help="命令行外壳")) -> None:
    """打印命令补全脚本，例如：eval "$(auditor completion bash)"（写入 ~/.bashrc 即长期生效）。"""
    from typer._click.shell_completion import get_completion_class  # the click Typer runs on
    from typer.completion import completion_init

    completion_init()  # Typer's completion classes: the script's protocol is the one Typer's main answers
    cls = get_completion_class(shell)
    if cls is None:
        typer.echo(f"错误：不支持的外壳“{shell}”，可选：bash、zsh、fish", err=True)
        raise typer.Exit(2)
    command = typer.main.get_command(app)
    typer.echo(cls(command, {}, "auditor", "_AUDITOR_COMPLETE").source())


def main() -> None:  # console script
    import os

    if os.environ.get("_AUDITOR_COMPLETE"):  # a shell asking for completions (``auditor completion``)
        from typer.completion import completion_init

        completion_init()
    from typer._click.exceptions import UsageError

    try:
        code = app(standalone_mode=False)
    except UsageError as exc:  # click's own words are English: say it in Chinese, exit 2 as click does
        from .cli_help import usage_error

        typer.echo(usage_error(exc), err=True)
        raise SystemExit(2) from None
    raise SystemExit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
