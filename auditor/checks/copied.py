"""meta.copied: narrative paragraphs found in another report of the batch.

The comparison itself needs the whole batch, so it runs once in ``auditor.similarity.find_copies``
and each report's matches reach this rule as ``ctx.config["copies"]`` (a sequence of
``CopyMatch``). A report audited on its own has no ``copies`` and this rule yields nothing.
"""
from __future__ import annotations

from collections.abc import Iterator

from .context import CheckContext
from .finding import Finding, SourceEvidence
from .registry import rule


def _whose(match) -> str:
    if match.same_agency:
        return f"本单位{match.other_year}年度报告" if match.other_year else "本单位往年报告"
    year = f"{match.other_year}年度" if match.other_year else ""
    return f"其他单位（{match.other_agency or '未识别'}）{year}报告"


@rule(code="MT004", check="meta.copied",
      message="该段文字与{whose}高度相似（相似度{stated}），疑似照搬；对方文件：{source}")
def narrative_not_copied(ctx: CheckContext) -> Iterator[Finding]:
    """正文段落与本单位往年报告或其他单位报告高度相似（疑似照搬，仅批量审核时检查）。

    A narrative paragraph nearly repeats last year's report or another agency's report.

    Low when the text is the agency's own earlier report, medium when it is another agency's.
    Only in batch mode (``auditor batch``), where every report of the batch is compared.

    **反例** 2023年报告“（五）健全监督保障机制。成立由主要负责同志任组长……”与2022年报告一字不差
    **正例** 每年据实撰写当年工作情况
    """
    for m in ctx.config.get("copies") or ():
        similarity = round(m.similarity, 2)
        yield ctx.finding("MT004", stated=similarity,
                          evidence=[ctx.text_ev(m.start, m.end), SourceEvidence(m.other_source, m.other_quote)],
                          whose=_whose(m), source=m.other_source,
                          facts={"kind": "own" if m.same_agency else "other", "other_agency": not m.same_agency,
                                 "similarity": m.similarity})
