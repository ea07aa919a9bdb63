"""Small, consistent 2021-format text reports for tests (the layout of a scraped portal page:
one table cell per line). Every table relation holds unless a test breaks it on purpose.

The narrative is drawn from a phrase pool with a seeded RNG, so two reports share no paragraph
unless a test copies one across (``extra_paragraphs``).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from auditor.template import load_template

COLUMNS = ("natural_person", "commercial", "research", "social", "legal", "other_org")
PHRASES = (
    "坚持以人民为中心", "持续深化政务公开", "聚焦重点领域信息公开", "完善政策解读机制", "规范依申请公开办理流程",
    "加强政府网站建设", "推进政务新媒体规范运营", "强化信息发布审核", "优化政务公开专区服务", "开展业务培训",
    "落实保密审查制度", "健全考核评议机制", "推动基层政务公开标准化", "扩大公众参与", "做好舆情回应",
    "及时更新办事指南", "提升政策文件解读质量", "加强主动公开目录管理", "推进决策过程公开", "深化财政预决算公开",
    "完善公开平台功能", "规范政府信息管理", "清理历史文件", "建立动态调整机制", "畅通意见征集渠道",
    "加强与媒体沟通", "推进重大项目信息公开", "做好民生领域信息公开", "严格落实工作责任", "提高答复质量",
    "加强督促检查", "组织专题学习", "完善内部工作规程", "推行首问负责制度", "开展满意度调查",
    "强化数据开放", "落实公共企事业单位公开", "规范行政执法公示", "加强档案管理", "推进网上办事便利化",
    "开展政府开放日活动", "健全信息发布协调机制", "改进公开栏目设置", "加强队伍建设", "巩固整改成果",
)


def paragraph(rng: random.Random, n: int = 10) -> str:
    return "，".join(rng.sample(PHRASES, n)) + "。"


@dataclass
class Spec:
    agency: str
    year: int
    seed: int = 0
    new_received: tuple[int, ...] = (5, 1, 0, 0, 0, 0)
    carried_over: tuple[int, ...] = (0, 0, 0, 0, 0, 0)
    carried_forward: tuple[int, ...] = (0, 0, 0, 0, 0, 0)
    active_rules: tuple[int, int, int] = (0, 0, 0)  # issued, repealed, in_force
    active_normative: tuple[int, int, int] = (2, 1, 10)
    extra_paragraphs: tuple[str, ...] = ()
    paragraphs: list[str] = field(default_factory=list)


def _cells(values) -> list[str]:
    return [str(v) for v in values]


def report_text(spec: Spec) -> str:
    rng = random.Random(f"{spec.agency}/{spec.year}/{spec.seed}")
    spec.paragraphs = [paragraph(rng) for _ in range(4)] + list(spec.extra_paragraphs)
    y = spec.year
    lines = [f"{spec.agency}{y}年政府信息公开工作年度报告", "",
             f"本年度报告中所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。如对报告内容有疑问，请与{spec.agency}联系。",
             "", "一、总体情况", ""]
    for i, p in enumerate(spec.paragraphs):
        lines += [f"（{'一二三四五六七八九十'[i % 10]}）{p}", ""]
    lines += ["二、主动公开政府信息情况", "", "第二十条第（一）项", "", "信息内容", "", "本年制发件数", "", "本年废止件数", "",
              "现行有效件数", ""]
    for label, vals in (("规章", spec.active_rules), ("行政规范性文件", spec.active_normative)):
        lines += [label, ""] + [x for v in vals for x in (str(v), "")]
    lines += ["第二十条第（五）项", "", "信息内容", "", "本年处理决定数量", "", "行政许可", "", "120", "",
              "第二十条第（六）项", "", "信息内容", "", "本年处理决定数量", "", "行政处罚", "", "3", "", "行政强制", "", "0", "",
              "第二十条第（八）项", "", "信息内容", "", "本年收费金额（单位：万元）", "", "行政事业性收费", "", "0", ""]
    lines += _applications(spec)
    lines += ["四、因政府信息公开工作被申请行政复议、提起行政诉讼情况", "", "行政复议", "", "行政诉讼", ""]
    lines += [x for h in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计") for x in (h, "")]
    lines += [x for _ in range(15) for x in ("0", "")]
    lines += ["五、政府信息公开工作存在的主要问题及改进情况", "", paragraph(rng, 8), "",
              "六、其他需要报告的事项", "", f"{y}年，本机关未收取信息处理费。", ""]
    return "\n".join(lines)


def _applications(spec: Spec) -> list[str]:
    t = load_template("2021").tables["applications"]
    new, co, cf = spec.new_received, spec.carried_over, spec.carried_forward
    processed = tuple(n + c - f for n, c, f in zip(new, co, cf))
    if min(processed) < 0:
        raise ValueError("carried_forward larger than what there was to process")
    values = {"new_received": new, "carried_over": co, "granted": processed, "total_processed": processed,
              "carried_forward": cf}
    lines = ["三、收到和处理政府信息公开申请情况", "", "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "",
             "申请人情况", "", "自然人", "", "法人或其他组织", "", "总计", ""]
    lines += [x for c in t.columns[1:6] for x in (c.label, "")]
    group_seen = set()
    for row in t.rows:
        if row.group_label and row.group_label not in group_seen:
            group_seen.add(row.group_label)
            lines += [row.group_label, ""]
        vals = values.get(row.key, (0,) * 6)
        lines += [row.full_label, ""] + [x for v in (*vals, sum(vals)) for x in (str(v), "")]
    return lines


def write_report(folder, name: str, spec: Spec) -> str:
    path = folder / name
    path.write_text(report_text(spec), encoding="utf-8")
    return str(path)


def copies_in(text: str, specs) -> tuple:
    """CopyMatch objects for paragraphs given by a quote of their start: the paragraph is the
    quote's line (what auditor.across.similarity would have matched)."""
    from auditor.across.similarity import CopyMatch

    out = []
    for c in specs:
        start = text.index(c["quote"])
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        out.append(CopyMatch(start, end, c["similarity"], c["other_source"], c.get("other_quote", c["quote"]),
                             c.get("other_agency"), c.get("other_year"), c.get("same_agency", False)))
    return tuple(out)
