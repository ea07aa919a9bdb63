"""Plan the narrative of a report: sections, sentences and the figures they state.

Every stated figure is a ``Slot`` linked to the table cells it describes (all plausible
readings, per format-2021.md rule 7); every 共…其中…, 占…% and repeated figure is a
relation. Claims touching cells in ``avoid`` (cells an injected table error will change)
are not written, so that an injected table error never also creates an unlisted narrative one.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from . import phrases as P
from .model import Part, Plan, RatioRel, Ref, SameRel, Slot, SumRel
from .requests import A, RequestsSection, Skip, group_rows
from .tables import Cells

SUBSECTIONS = {
    "active": ("主动公开情况", "主动公开政府信息情况", "主动公开方面", "持续深化主动公开", "主动公开"),
    "requests": ("依申请公开情况", "依申请公开政府信息情况", "依申请公开方面", "依法做好依申请公开", "依申请公开"),
    "management": ("政府信息管理情况", "政府信息管理", "规范政府信息管理", "政府信息管理方面"),
    "platform": ("政府信息公开平台建设情况", "平台建设", "强化信息公开平台建设", "平台载体建设方面"),
    "oversight": ("监督保障情况", "监督保障", "健全监督保障机制", "监督保障方面", "政府信息公开监督保障情况"),
}
NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Context:
    year: int
    agency: str
    we: str  # 我局 / 区政府
    scope: str  # 全区 / 我局
    fmt: str
    cells: Cells
    avoid: frozenset[str] = frozenset()
    previous_received: int | None = None  # last year's 一、本年新收 总计, when the report has a predecessor
    paired: bool = False  # the previous report is in the corpus (delta claims are checkable)


class Builder(RequestsSection):
    def __init__(self, rng: random.Random, ctx: Context) -> None:
        self.rng = rng
        self.ctx = ctx
        self.plan = Plan()
        self._n = 0

    # ------------------------------------------------------------------ helpers
    def cell(self, key: str) -> int:
        return int(self.ctx.cells[A + key] if not key.startswith(("active.", "appeals.")) else self.ctx.cells[key])

    def group_keys(self, group: str, column: str = "total") -> tuple[str, ...]:
        return tuple(f"{A}{r}.{column}" for r in group_rows(self.ctx.cells, group))

    def value(self, keys) -> int:
        return int(sum(self.ctx.cells[k] for k in keys))

    def uses(self, keys) -> None:
        if set(keys) & self.ctx.avoid:
            raise Skip

    def slot(self, name: str, fmt: str, value, *, links=(), headline=True, kind="count", decimals=0,
             approx=None, note="") -> Ref:
        self.uses(k for reading in links for k in reading)
        self._n += 1
        return self.plan.add(Slot(f"{name}", fmt, value, kind, decimals, tuple(tuple(r) for r in links),
                                  headline, approx, note))

    def pick(self, options):
        return self.rng.choice(options)

    def para(self, parts: list[Part]) -> None:
        self.plan.blocks.append(("para", parts))

    def attempt(self, parts: list[Part], *shapes, fallback=None) -> None:
        """Run the first shape (in random order, ``fallback`` last) that does not touch a reserved
        cell; a shape extends ``parts`` and is undone entirely when it cannot be written."""
        shapes = list(shapes)
        self.rng.shuffle(shapes)
        for shape in shapes + ([fallback] if fallback else []):
            snapshot = (len(self.plan.blocks), dict(self.plan.slots), len(self.plan.relations),
                        len(self.plan.may_flag), len(self.plan.consistent), len(parts))
            try:
                shape()
                return
            except Skip:
                del parts[snapshot[5]:]
                del self.plan.blocks[snapshot[0]:]
                self.plan.slots = snapshot[1]
                del self.plan.relations[snapshot[2]:]
                del self.plan.may_flag[snapshot[3]:]
                del self.plan.consistent[snapshot[4]:]

    def year_slot(self, tail: str) -> Ref:
        return self.slot("year", "{v}年，" + tail, self.ctx.year, kind="year")

    def percent(self, name: str, fmt: str, num: int, den: int) -> Ref | None:
        """A percentage of two stated figures, rounded half-up to a precision with no tie."""
        if den <= 0:
            return None
        exact = num * 100 / den
        for decimals in self.rng.sample([1, 1, 1, 0, 2], 5):
            scaled = exact * 10 ** decimals
            if abs(scaled - int(scaled) - 0.5) > 1e-6:
                value = int(scaled + 0.5) / 10 ** decimals
                return self.slot(name, fmt, value, kind="percent", decimals=decimals)
        return None

    def join(self, refs: list[Part], sep: str = "，") -> list[Part]:
        out: list[Part] = []
        for i, r in enumerate(refs):
            if i:
                out.append(sep)
            out.append(r)
        return out

    # ------------------------------------------------------------------ report skeleton
    def build(self) -> Plan:
        c = self.ctx
        self.plan.blocks.append(("title", [f"{c.agency}{c.year}年政府信息公开工作年度报告"]))
        self.intro()
        self.heading("overview")
        congress = "二十大" if c.year >= 2023 else "十九大和十九届历次全会"
        self.para([self.pick(P.OVERVIEW).format(y=c.year, agency=c.agency, congress=congress)])
        for i, (sub, fn) in enumerate((("active", self.active_section), ("requests", self.requests_section),
                                       ("management", self.management_section), ("platform", self.platform_section),
                                       ("oversight", self.oversight_section))):
            self.subsection(i, sub, fn)
        for key in ("active", "applications", "appeals"):
            self.heading(key)
            self.plan.blocks.append(("table", [key]))
        self.heading("problems")
        problems, improve = self.pick(P.PROBLEMS)
        self.para([problems.format(y=c.year)])
        self.para([improve])
        self.heading("other_matters")
        self.other_matters()
        self.prune()
        return self.plan

    def prune(self) -> None:
        """Drop slots that were planned but not written, and relations over them."""
        written = {p.id for _, parts in self.plan.blocks for p in parts if isinstance(p, Ref)}
        self.plan.slots = {k: v for k, v in self.plan.slots.items() if k in written}
        self.plan.relations = [r for r in self.plan.relations
                               if all(getattr(r, a) in written for a in ("total", "percent", "numerator", "denominator",
                                                                          "first", "second", "slot") if hasattr(r, a))
                               and all(p in written for p in getattr(r, "parts", ()))]

    def heading(self, key: str) -> None:
        self.plan.blocks.append(("heading", [key]))

    def subsection(self, i: int, sub: str, fn) -> None:
        label = f"（{NUMERALS[i]}）{self.pick(SUBSECTIONS[sub])}"
        if self.rng.random() < 0.5:
            self.plan.blocks.append(("subheading", [label]))
            fn([])
        else:
            fn([label + "。"])

    def intro(self) -> None:
        c = self.ctx
        first = self.pick((
            f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求，现公布{c.agency}{c.year}年政府信息公开工作年度报告。",
            "本年度报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和上级有关通知要求编制，全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议及行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。",
            "依据《中华人民共和国政府信息公开条例》第五十条规定，编制本年度报告。",
            f"根据《中华人民共和国政府信息公开条例》和《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（国办公开办函〔2021〕30号）要求，{c.we}编制本报告。",
        ))
        a = f"{c.year}年1月1日"
        b = self.pick((f"{c.year}年12月31日", "12月31日")) if self.rng.random() < 0.35 else f"{c.year}年12月31日"
        period = self.slot("period", self.pick(P.PERIOD).format(a=a, b=b), c.year, kind="text")
        tail = []
        if self.rng.random() < 0.6:
            code = self.rng.randint(100000, 899999)
            tail.append(f"如对本报告有疑问，请与{c.agency}办公室联系（地址：{self.rng.randint(1, 300)}号；邮编：{code}；"
                        f"联系电话：0{self.rng.randint(510, 999)}-{self.rng.randint(2000000, 8999999)}）。")
        if self.rng.random() < 0.4:
            tail.append("本报告电子版可在本机关门户网站“政府信息公开”专栏下载。")
        self.para([first, period, "。", *tail])

    # ------------------------------------------------------------------ 一（一）主动公开
    def active_section(self, lead: list[Part]) -> None:
        parts: list[Part] = list(lead)
        self.proactive(parts)
        self.attempt(parts, lambda: self.active_claims(parts))
        if self.rng.random() < 0.5:
            self.interpretation(parts)
        if self.rng.random() < 0.4:
            fmt = self.pick(P.HOTLINE_APPROX)
            parts += [self.slot("approx", fmt.replace("{a}", self.pick(P.APPROX)), 0, kind="approx"), "。"]
        self.para(parts)

    def proactive(self, parts: list[Part]) -> None:
        c = self.ctx
        cats = self.rng.sample(P.PROACTIVE_CATS, self.rng.randint(2, 5))
        values = [self.rng.randint(1, 600) for _ in cats]
        total = sum(values)
        lead_text = self.pick((f"{c.we}通过政府门户网站", f"{c.we}", "", f"{c.scope}"))
        lead = self.year_slot(lead_text)
        t = self.slot("proactive", self.pick(P.PROACTIVE_TOTAL), total)
        self.plan.marks["proactive"] = t.id
        if "网站" in lead_text:
            self.plan.marks["proactive_via_site"] = t.id
        items = [self.slot("proactive_part", f"{cat}{{v}}条", v) for cat, v in zip(cats, values)]
        parts += [lead, t, self.pick(("，其中", "，其中：", "，包括", "。其中，")), *self.join(items, self.pick(("、", "，"))), "。"]
        self.plan.relations.append(SumRel(t.id, tuple(r.id for r in items)))
        if self.rng.random() < 0.3:  # channel shares with percentages (s04)
            web = self.rng.randint(1, total)
            w = self.slot("channel", P.CHANNEL_PARTS[0], web)
            p1 = self.percent("channel_pct", self.pick(P.SHARE), web, total)
            if p1:
                parts += [w, "，", p1]
                self.plan.relations.append(RatioRel(p1.id, w.id, t.id))
                rest = total - web
                if rest:
                    r = self.slot("channel", self.pick(P.CHANNEL_PARTS[1:]), rest)
                    p2 = self.percent("channel_pct", self.pick(P.SHARE), rest, total)
                    if p2:
                        parts += ["；", r, "，", p2]
                        self.plan.relations.append(RatioRel(p2.id, r.id, t.id))
                parts.append("。")

    def active_claims(self, parts: list[Part]) -> None:
        table = P.ACTIVE if self.ctx.fmt == "2021" else P.ACTIVE_2019
        keys = [k for k in table if self.ctx.cells.get(k)]
        for key in self.rng.sample(keys, min(len(keys), self.rng.randint(0, 3))):
            v = int(self.ctx.cells[key])
            if v >= 2000 and self.rng.random() < 0.3:
                parts += [self.approx_claim(key, table[key], v), "。"]
            else:
                phrase = self.pick(table[key])
                lead = "" if phrase.startswith(("全年", "本年")) else self.pick(("", "", "全年", "本年度", f"{self.ctx.year}年共"))
                parts += [lead, self.slot("active", phrase, v, links=((key,),), note="表二"), "。"]

    def approx_claim(self, key: str, phrases, v: int) -> Ref:
        """4119 -> 4000余件: holds for 4001..4999 (approximate claims that hold never fire)."""
        digits = len(str(v))
        unit = 10 ** (digits - 1)
        base = v // unit * unit
        if base == v:
            raise Skip
        text = f"{base // 10000}万余" if base >= 10000 and base % 10000 == 0 else f"{base}余"
        fmt = self.pick(phrases).replace("{v}", text)
        return self.slot("active_approx", fmt, v, links=((key,),), kind="approx", approx=(base + 1, base + unit - 1))

    def interpretation(self, parts: list[Part]) -> None:
        names = self.pick(P.INTERPRET_PARTS)
        values = [self.rng.randint(0, 40) for _ in names]
        t = self.slot("interpret", self.pick(P.INTERPRET_TOTAL), sum(values))
        items = [self.slot("interpret_part", n, v) for n, v in zip(names, values)]
        parts += [self.pick(("重要文件都配发解读，", "", "文件和解读材料一起起草、一起审核、一起发布，")),
                  t, "，其中", *self.join(items, "，"), "。"]
        self.plan.relations.append(SumRel(t.id, tuple(r.id for r in items)))

    # ------------------------------------------------------------------ 一（三）（四）（五）
    def management_section(self, lead: list[Part]) -> None:
        parts: list[Part] = list(lead) + self.rng.sample(P.MANAGEMENT, 2)
        y = self.ctx.year
        parts.append(f"印发《{self.ctx.agency}{y}年政务公开工作要点》（{self.pick(P.DOC_PREFIX)}〔{y}〕{self.rng.randint(1, 60)}号），"
                     "明确年度重点任务和责任分工。")
        if self.ctx.fmt == "2021" and self.rng.random() < 0.4:
            self.attempt(parts, lambda: parts.extend([
                "开展行政规范性文件专项清理，",
                self.slot("in_force", self.pick(P.ACTIVE["active.normative_docs.in_force"]),
                          int(self.ctx.cells["active.normative_docs.in_force"]),
                          links=(("active.normative_docs.in_force",),), note="表二现行有效件数"), "。"]))
        self.para(parts)

    def platform_section(self, lead: list[Part]) -> None:
        parts: list[Part] = list(lead) + [self.pick(P.PLATFORM)]
        n = self.rng.randint(2, 40)
        media = self.slot("new_media", self.pick(P.NEW_MEDIA), n)
        parts += [self.pick(("截至年底，", "目前，", "")), self.ctx.scope, media, "。"]
        self.plan.marks["new_media"] = media.id
        total = self.plan.marks.get("proactive")
        if total is not None and self.rng.random() < 0.5:
            fmt = self.pick(P.PROACTIVE_REPEAT)
            again = self.slot("proactive_again", fmt, self.plan.slots[total].value)
            parts += [again, "。"]
            # the website's total given twice (通过门户网站主动公开…1729条 … 在政府网站累计发布信息1734条)
            # may count other posts too: only a plain channel of the stated whole proves a conflict
            twice = "proactive_via_site" in self.plan.marks and P.TOTAL_WORD.search(fmt)
            self.plan.relations.append(SameRel(total, again.id, provable="none" if twice else "larger"))
        if self.rng.random() < 0.5:
            t = self.rng.randint(5, 400)
            d = t if self.rng.random() < 0.6 else self.rng.randint(max(1, t * 4 // 5), t)
            total_fmt, done_fmt, pct_fmt = self.pick(P.MESSAGES)
            ts = self.slot("messages", total_fmt, t)
            ds = self.slot("messages_done", done_fmt, d)
            ps = self.percent("messages_rate", pct_fmt, d, t)
            if ps is not None:
                parts += [ts, "，", ds, "，", ps, "。"]
                self.plan.relations.append(RatioRel(ps.id, ds.id, ts.id))
        self.para(parts)

    def oversight_section(self, lead: list[Part]) -> None:
        parts: list[Part] = list(lead) + [self.pick(P.OVERSIGHT)]
        if self.rng.random() < 0.5:  # a date among the figures (not a claim)
            parts.append(f"{self.ctx.year}年{self.rng.randint(3, 11)}月{self.rng.randint(1, 28)}日，"
                         f"{self.pick(('召开政务公开工作推进会', '组织开展政务公开专项督查', '开展政务公开工作年中检查'))}。")
        k = self.rng.randint(1, 12)
        parts += [self.slot("training", self.pick(P.TRAINING), k), "，", self.slot("inspection", self.pick(P.INSPECTION),
                                                                                   self.rng.randint(1, 6)), "。"]
        media = self.plan.marks.get("new_media")
        if media is not None and self.rng.random() < 0.5:
            exhaustive = self.rng.random() < 0.5
            again = self.slot("new_media_again", self.pick(P.NEW_MEDIA_ALL if exhaustive else P.NEW_MEDIA_SOME),
                              self.plan.slots[media].value)
            parts += [again, "。"]
            self.plan.relations.append(SameRel(media, again.id, provable="any" if exhaustive else "none"))
        self.para(parts)

    # ------------------------------------------------------------------ 六
    def other_matters(self) -> None:
        c = self.ctx
        fee_parts: list[Part] = ["（一）依据《政府信息公开信息处理费管理办法》收取信息处理费的情况。"]
        if self.rng.random() < 0.75:
            fee_parts.append(self.slot("year", "{v}年，本机关未收取信息处理费", c.year, kind="year"))
            fee_parts.append("。")
        else:
            fee = self.rng.choice((40, 120, 400, 3940, 860))
            fee_parts.append(self.pick(P.FEE_SOME).format(y=c.year, we=c.we, fee=fee))
        self.para(fee_parts)
        self.proposals()
        brand = self.pick(P.BRANDS)
        self.para(["（三）本单位在政务公开制度、内容、形式和平台建设方面的创新实践情况。", self.pick(P.INNOVATION).format(brand=brand),
                   self.slot("approx", f"收集企业诉求和建议{self.rng.choice((20, 30, 50))}余条", 0, kind="approx"), "，督促整改落实。"])
        closing = [f"（四）《{c.year}年政务公开工作要点》落实情况。{c.we}逐项对照年度工作要点，明确责任分工，各项任务均已按期完成。"]
        if self.rng.random() < 0.15:
            closing.append(f"按要求公开了{c.agency}{c.year}年度部门预算和{c.year - 1}年度部门决算。")
            self.plan.consistent.append(f"{c.year - 1}年度部门决算在{c.year}年公开属正常，非陈旧年份")
        self.para(closing)

    def proposals(self) -> None:
        c = self.ctx
        parts: list[Part] = ["（二）本年度人大代表建议和政协提案办理情况。"]
        if self.rng.random() < 0.25:
            parts.append("本年度未承办人大代表建议和政协提案。")
            self.para(parts)
            return
        parts.append(self.year_slot(self.pick((f"{c.we}", ""))))
        for kind in ("suggestion", "proposal"):
            results = [self.rng.randint(0, 6) for _ in P.PROPOSAL_RESULTS]
            if not sum(results):
                results[0] = 1
            total = sum(results)
            t = self.slot(kind, self.pick(P.PROPOSALS[kind]), total)
            parts.append(t)
            if self.rng.random() < 0.5:
                lead = self.rng.randint(0, total)
                host = self.slot("host", f"{c.we}主办{{v}}件", lead)
                if total - lead:
                    co = self.slot("cohost", "协办{v}件", total - lead)
                    parts += ["（", host, "，", co, "）"]
                    self.plan.relations.append(SumRel(t.id, (host.id, co.id)))
                elif lead:
                    parts += ["（", host, "）"]
                    self.plan.relations.append(SumRel(t.id, (host.id,)))
            items = [self.slot("proposal_result", fmt, v) for fmt, v in zip(P.PROPOSAL_RESULTS, results)]
            parts += ["，办理结果为：", *self.join(items, self.pick(("、", "，"))), "。"]
            self.plan.relations.append(SumRel(t.id, tuple(i.id for i in items), exhaustive=True))
        parts.append(self.pick(("建议提案已全部办理完毕，代表委员对答复的满意率为100%。", "办理情况已在门户网站公开。", "")))
        self.para(parts)


def build_plan(rng: random.Random, ctx: Context) -> Plan:
    return Builder(rng, ctx).build()
