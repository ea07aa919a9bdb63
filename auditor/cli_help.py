"""Help in Chinese: the words click writes itself (用法, 选项, 默认, 必填, the --help option).

Commands opt in with ``cls=Command`` (the group with ``cls=Group``): their contexts use a help
formatter that puts these words in Chinese and leaves everything else as click lays it out.
"""
from __future__ import annotations

import re

from typer._click.core import Context
from typer._click.formatting import HelpFormatter
from typer.core import TyperCommand, TyperGroup

_SECTIONS = {"Options": "选项", "Arguments": "参数", "Commands": "命令"}
_EXTRAS = ((re.compile(r"\[default: (.*?)\]"), r"（默认：\1）"), (re.compile(r"\[required\]"), "（必填）"),
           (re.compile(r"\[env var: (.*?)\]"), r"（环境变量：\1）"),
           (re.compile(r"^Show this message and exit\.$"), "显示本帮助并退出。"))


_ARG_TYPE = re.compile(r" <[^<>]*>$")  # an argument's type after its (Chinese) metavar: 报告 <path>


def chinese(help_text: str) -> str:
    for pattern, replacement in _EXTRAS:
        help_text = pattern.sub(replacement, help_text)
    return help_text


class ChineseHelpFormatter(HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)

    def section(self, name: str):
        return super().section(_SECTIONS.get(name, name))

    def write_dl(self, rows, *args, **kwargs) -> None:
        super().write_dl([(_ARG_TYPE.sub("", term) if not term.startswith("-") else term, chinese(text))
                          for term, text in rows], *args, **kwargs)


class ChineseContext(Context):
    formatter_class = ChineseHelpFormatter


class Group(TyperGroup):
    context_class = ChineseContext

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.options_metavar, self.subcommand_metavar = "[选项]", "命令 [参数]..."


class Command(TyperCommand):
    context_class = ChineseContext

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.options_metavar = "[选项]"


_USAGE_ERRORS = ((re.compile(r"^No such option: (.*)$"), r"没有这个选项：\1"),
                 (re.compile(r"^No such option: (.*) Did you mean (.*)\?$"), r"没有这个选项：\1；是否想用 \2？"),
                 (re.compile(r"^Missing argument '(.*)'\.$"), r"缺少参数“\1”。"),
                 (re.compile(r"^Missing option '(.*)'\.$"), r"缺少选项 \1。"),
                 (re.compile(r"^Invalid value for '(.*?)': (?:Value error, )?'(.*)' is not one of (.*?)\.?$", re.S),
                  r"\1 的取值“\2”无效，可选：\3"),
                 (re.compile(r"^Invalid value for '(.*?)': .*valid integer.*$", re.S), r"\1 应为整数"),
                 (re.compile(r"^Invalid value for '(.*?)': .*valid number.*$", re.S), r"\1 应为数字"),
                 (re.compile(r"^Invalid value for '(.*?)': .*(?:does not exist|not exist).*$", re.S), r"\1 指向的路径不存在"),
                 (re.compile(r"^Invalid value for '(.*?)': (.*)$", re.S), r"\1 的取值无效：\2"),
                 (re.compile(r"^Got unexpected extra arguments? \((.*)\)$"), r"多余的参数：\1"),
                 (re.compile(r"^Option '(.*)' requires an argument\.$"), r"选项 \1 需要一个取值。"),
                 (re.compile(r"^No such command '(.*)'\.$"), r"没有这个命令：\1"))


def usage_error(exc) -> str:
    """A click usage error as the command line shows it, in Chinese (the usage line stays)."""
    message = exc.format_message()
    for pattern, replacement in _USAGE_ERRORS:
        if pattern.match(message):
            message = pattern.sub(replacement, message).replace("' / '", " / ")
            break
    usage = ""
    if exc.ctx is not None:
        name = exc.ctx.command_path
        usage = f"{exc.ctx.get_usage()}\n查看帮助：{name} --help\n\n"
    return f"{usage}错误：{message}"
