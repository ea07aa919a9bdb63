"""一（二）依申请公开: the sentences about applications and appeals, in the shapes real reports use.

Each shape states figures of 表三/表四 in one of the ways reports commonly arrange them (received,
processed and carried over in one sentence; the outcomes of the closed requests; the applicants;
the channels with their shares; …), in the project's own words; a shape that would state a reserved
cell raises ``Skip`` and another is tried. Mixed into ``narrative.Builder``.
"""
from __future__ import annotations

from . import phrases as P
from .model import DeltaRel, Part, RatioRel, Ref, SumRel
from .tables import APPEAL_PARTS, ORGS, Cells

A = "applications."
GROUPS = ("granted", "partially_granted", "denied", "unable", "not_processed", "other")


class Skip(Exception):
    """A shape cannot be written without touching a reserved cell."""


def group_rows(cells: Cells, group: str) -> list[str]:
    if group in ("granted", "partially_granted"):
        return [group]
    return sorted({k[len(A):].rsplit(".", 1)[0] for k in cells if k.startswith(f"{A}{group}.")},
                  key=lambda r: list(cells).index(f"{A}{r}.total"))


class RequestsSection:
    """The 依申请公开 paragraph (needs ``Builder``'s slot, pick, cell, … helpers)."""

    def partial(self, total: Ref) -> None:
        """“N件，其中X件” naming one part is a subset, not a breakdown; like the seed gold, a
        narrative.sum report on it is tolerated (may_flag), not expected."""
        self.plan.may_flag.append({"check": "narrative.sum", "quotes": [f"@{total.id}"],
                                   "why": "“其中”只列一项，属部分列举，不构成分项合计"})

    # ------------------------------------------------------------------ 一（二）依申请公开
    def requests_section(self, lead: list[Part]) -> None:
        self.para(list(lead))
        parts = self.plan.blocks[-1][1]
        intro = self.pick(("", "持续强化服务理念，规范受理、办理、答复各环节。", "按照答复及时、内容完整、格式统一的要求，保持依申请公开受理渠道畅通。"))
        if intro:
            parts.append(intro)
        new, co = self.cell("new_received.total"), self.cell("carried_over.total")
        if new == 0 and co == 0:
            self.attempt(parts, lambda: self.shape_zero(parts), fallback=lambda: self.shape_plain(parts))
        else:
            shapes = [self.shape_standard, self.shape_answered_in_time, self.shape_closed_outcomes, self.shape_processed_only,
                      self.shape_applicants, self.shape_shares, self.shape_scope_count]
            if co == 0 and self.cell("carried_forward.total") == 0:
                shapes.append(self.shape_items)
            if co:
                shapes.append(self.shape_including)
            self.attempt(parts, *[(lambda s=s: s(parts)) for s in shapes], fallback=lambda: self.shape_plain(parts))
            if self.rng.random() < 0.4:
                self.attempt(parts, lambda: self.detail(parts))
        self.attempt(parts, lambda: self.appeals_sentence(parts))

    def received(self, fmt_pool=P.RECEIVED) -> Ref:
        v = self.cell("new_received.total")
        links = ((A + "new_received.total",), (A + "new_received.total", A + "carried_over.total"))
        return self.slot("received", self.pick(fmt_pool), v, links=links, note="表三“一、本年新收”总计")

    def processed(self, pool=P.PROCESSED) -> Ref:
        links = ((A + "total_processed.total",), (A + "new_received.total", A + "carried_over.total"),
                 (A + "new_received.total",))
        return self.slot("processed", self.pick(pool), self.cell("total_processed.total"), links=links,
                         note="表三“（七）总计”总计")

    def carried_over(self, pool=P.CARRIED_OVER) -> Ref:
        return self.slot("carried_over", self.pick(pool), self.cell("carried_over.total"),
                         links=((A + "carried_over.total",),), note="表三“二、上年结转”总计")

    def carried_forward(self, pool=P.CARRIED_FORWARD) -> Ref:
        return self.slot("carried_forward", self.pick(pool), self.cell("carried_forward.total"),
                         links=((A + "carried_forward.total",),), note="表三“四、结转下年度继续办理”总计")

    def outcomes(self, *, items: bool = False, always: bool = False, pool=None) -> list[Ref]:
        refs = []
        for g in GROUPS:
            keys = self.group_keys(g)
            if not keys:
                continue
            v = self.value(keys)
            if not v and not (always or self.rng.random() < 0.25):
                continue
            rows = group_rows(self.ctx.cells, g)
            named = [r for r in rows if r in P.OUTCOME_ITEM and self.cell(f"{r}.total")]
            if items and named and g not in ("granted", "partially_granted") and len(rows) > 1:
                for r in rows:
                    rv = self.cell(f"{r}.total")
                    if not rv:
                        continue
                    if r in P.OUTCOME_ITEM:
                        refs.append(self.slot("item", self.pick(P.OUTCOME_ITEM[r]), rv,
                                              links=((f"{A}{r}.total",),), headline=False, note="表三分项"))
                    else:
                        raise Skip
                continue
            phrase = (pool or {}).get(g) or self.pick(P.OUTCOME[g])
            refs.append(self.slot(g, phrase, v, links=(keys,), note=f"表三{g}合计"))
        return refs

    def detail(self, parts: list[Part]) -> None:
        """A sub-item or one applicant column stated on its own (a non-headline claim)."""
        stated = {sl.links for sl in self.plan.slots.values()}
        named = [r for r in P.OUTCOME_ITEM if f"{A}{r}.total" in self.ctx.cells and self.cell(f"{r}.total")
                 and ((f"{A}{r}.total",),) not in stated]
        np = self.cell("new_received.natural_person")
        if any(f"{A}new_received.natural_person" in k for links in stated for k in links):
            np = 0
        if named and self.rng.random() < 0.5:
            r = self.rng.choice(named)
            ref = self.slot("item", self.pick(P.OUTCOME_ITEM[r]), self.cell(f"{r}.total"),
                            links=((f"{A}{r}.total",),), headline=False, note="表三分项")
            parts += [self.pick(("从办理结果看，", "办理结果中，", "")), ref, "。"]
        elif np and self.rng.random() < 0.5:
            npl = ((f"{A}new_received.natural_person",), (f"{A}new_received.natural_person", f"{A}carried_over.natural_person"),
                   (f"{A}total_processed.natural_person",))
            phrase = self.pick(P.NATURAL_PERSON)
            ref = self.slot("natural_person", phrase, np, links=npl, headline=False, note="表三自然人列")
            parts += ["" if phrase.startswith("其中") else self.pick(("从申请人看，", "申请人中，")), ref, "。"]

    def delta(self, parts: list[Part], received: Ref) -> None:
        prev = self.ctx.previous_received
        if prev is None or self.rng.random() < (0.15 if self.ctx.paired else 0.6):
            return
        d = self.plan.slots[received.id].value - prev
        if d == 0:
            return
        fmt = self.pick(P.DELTA_UP if d > 0 else P.DELTA_DOWN)
        s = self.slot("delta", fmt, abs(d))
        parts += ["，", s]
        self.plan.relations.append(DeltaRel(s.id, (A + "new_received.total",), 1 if d > 0 else -1))
        if not self.ctx.paired:
            self.plan.may_flag.append({"check": "cross_year.delta", "quotes": [f"@{s.id}"],
                                       "why": "较上年增减无上年报告可核（info）"})

    def shape_zero(self, parts: list[Part]) -> None:
        self.uses([A + "new_received.total", A + "carried_over.total"])
        if self.rng.random() < 0.5:
            parts += [self.year_slot(self.ctx.we), self.pick(("未收到政府信息公开申请", "未收到依申请公开事项",
                                                              "未收到公民、法人或其他组织的政府信息公开申请")), "。"]
        else:
            parts += [self.received(("全年新收的政府信息公开申请数量为{v}件", "新收政府信息公开申请{v}件")), "，",
                      self.carried_over(), "。"]

    def shape_standard(self, parts: list[Part]) -> None:
        r = self.received()
        parts += [self.year_slot(self.ctx.we), r]
        self.delta(parts, r)
        if self.cell("carried_over.total") or self.rng.random() < 0.5:
            parts += ["，", self.carried_over()]
        p = self.processed()
        parts += ["，", p]
        if self.cell("carried_forward.total"):
            parts += ["，", self.carried_forward()]
        elif self.rng.random() < 0.4:
            self.uses([A + "carried_forward.total"])
            parts += ["，", self.pick(("办结率100%", "全部按期办结", "无结转下年度申请"))]
        parts.append("。")
        if self.rng.random() < 0.7:
            outs = self.outcomes()
            parts += [self.pick(("其中，", "其中", "办理结果中，")), *self.join(outs), "。"]
            self.plan.relations.append(SumRel(p.id, tuple(o.id for o in outs)))

    def shape_including(self, parts: list[Part]) -> None:
        v = self.cell("new_received.total") + self.cell("carried_over.total")
        links = ((A + "new_received.total", A + "carried_over.total"), (A + "new_received.total",),
                 (A + "total_processed.total",))
        r = self.slot("received", self.pick(P.RECEIVED_INCL), v, links=links, note="表三“一、本年新收”+“二、上年结转”")
        parts += [self.year_slot(self.ctx.we), r, "（", self.carried_over(P.CARRIED_OVER_INCLUDED), "）"]
        if self.cell("carried_forward.total"):
            parts += ["，", self.processed(), "，", self.carried_forward()]
        else:
            self.uses([A + "carried_forward.total"])
            parts.append("，已全部办结")
        parts.append("。")

    def shape_answered_in_time(self, parts: list[Part]) -> None:
        r = self.received()
        parts += [self.year_slot(self.pick((f"{self.ctx.scope}", self.ctx.we))), r]
        self.delta(parts, r)
        parts += ["，", self.processed()]
        inner = [self.carried_over(P.CARRIED_OVER_INCLUDED[:1])] if self.cell("carried_over.total") else []
        if self.cell("carried_forward.total"):
            inner.append(self.carried_forward(P.CARRIED_FORWARD[3:4]))
        if inner:
            parts += ["（", *self.join(inner), "）"]
        else:
            self.uses([A + "carried_forward.total", A + "carried_over.total"])
        parts.append("，都在法定时限内作了答复。")

    def shape_closed_outcomes(self, parts: list[Part]) -> None:
        parts += [self.received(("全年接收政府信息公开申请{v}件", "全年接收政府信息公开申请 {v} 件")), "，",
                  self.carried_over()]
        if not self.cell("carried_forward.total"):
            self.uses([A + "carried_forward.total"])
            parts.append("，申请已全部办结")
        pool = {"granted": "同意公开答复{v}件", "partially_granted": "部分公开答复{v}件", "denied": "不予公开答复{v}件",
                "unable": "无法提供的{v}件", "not_processed": "不予处理{v}件", "other": "其他处理{v}件"}
        parts += ["。办结的全部信息公开申请中", *self.join(self.outcomes(always=True, pool=pool))]
        if self.cell("carried_forward.total"):
            parts += ["，", self.carried_forward(P.CARRIED_FORWARD[4:5])]
        parts.append("。")

    def shape_processed_only(self, parts: list[Part]) -> None:
        p = self.processed()
        parts += [self.year_slot(self.ctx.we), self.pick(("", "共")), p, "，其中"]
        outs = self.outcomes()
        parts += [*self.join(outs), "。"]
        self.plan.relations.append(SumRel(p.id, tuple(o.id for o in outs)))

    def shape_applicants(self, parts: list[Part]) -> None:
        r = self.received()
        np = self.cell("new_received.natural_person")
        orgs = self.value(tuple(f"{A}new_received.{c}" for c in ORGS))
        parts += [self.year_slot(self.ctx.we), r]
        self.delta(parts, r)
        if not orgs:
            self.uses([f"{A}new_received.{c}" for c in ("natural_person", *ORGS)])
            parts += ["，", self.pick(P.ALL_NATURAL), "。"]
            return
        npl = ((f"{A}new_received.natural_person",), (f"{A}new_received.natural_person", f"{A}carried_over.natural_person"),
               (f"{A}total_processed.natural_person",))
        okeys = lambda row: tuple(f"{A}{row}.{c}" for c in ORGS)  # noqa: E731
        n = self.slot("natural_person", self.pick(P.NATURAL_PERSON), np, links=npl, headline=False, note="表三自然人列")
        if self.rng.random() < 0.4:  # a partial breakdown: no sum to check
            parts += ["，", n, "。"]
            self.partial(r)
            return
        o = self.slot("orgs", self.pick(P.ORGS), orgs, links=(okeys("new_received"), okeys("new_received") + okeys("carried_over"),
                                                               okeys("total_processed")), headline=False, note="表三法人或其他组织各列")
        parts += ["，其中", n, "，", o, "。"]
        self.plan.relations.append(SumRel(r.id, (n.id, o.id)))

    def shape_shares(self, parts: list[Part]) -> None:
        """s23: channels and applicant shares, each with a percentage of the stated total."""
        r = self.received()
        total = self.cell("new_received.total")
        parts += [self.year_slot(self.ctx.we), r, "。"]
        np = self.cell("new_received.natural_person")
        if np and np != total:
            npl = ((f"{A}new_received.natural_person",), (f"{A}total_processed.natural_person",))
            n = self.slot("natural_person", self.pick(P.NATURAL_PERSON[2:3] + P.NATURAL_PERSON[0:1]), np, links=npl,
                          headline=False, note="表三自然人列")
            pct = self.percent("share", self.pick(P.SHARE), np, total)
            if pct is None:
                raise Skip
            parts += [n, "，", pct, "。"]
            self.plan.relations.append(RatioRel(pct.id, n.id, r.id))
        web = self.rng.randint(0, total)
        if total >= 5:
            w = self.slot("channel", "通过网站在线提交申请的{v}件", web)
            rest = self.slot("channel", "通过信函、当面等方式提交{v}件", total - web)
            parts += ["从申请渠道看，", w, "，", rest, "。"]
            self.plan.relations.append(SumRel(r.id, (w.id, rest.id)))
        p = self.processed()
        parts += [p, "。"]
        if self.cell("carried_forward.total"):
            parts[-1:] = ["，", self.carried_forward(), "。"]

    def shape_scope_count(self, parts: list[Part]) -> None:
        r = self.received(("共收到{v}件申请", "共收到{v}份政府信息公开申请"))
        parts += [self.pick(("本年度", "全年")), self.ctx.scope, r]
        self.delta(parts, r)
        parts += ["，及时依法依规", self.processed(("办结{v}件", "答复{v}件", "办理完毕{v}件"))]
        if self.cell("carried_forward.total"):
            parts += ["，", self.carried_forward(P.CARRIED_FORWARD[6:7])]
        parts.append("。")

    def shape_items(self, parts: list[Part]) -> None:
        r = self.received(("共收到{v}份政府信息公开申请", "共收到政府信息公开申请{v}件", "共受理政府信息公开申请{v}件"))
        parts += [self.year_slot(self.ctx.we), r]
        if not self.value(tuple(f"{A}new_received.{c}" for c in ORGS)):
            self.uses([f"{A}new_received.{c}" for c in ("natural_person", *ORGS)])
            parts += ["，", self.pick(P.ALL_NATURAL)]
        outs = self.outcomes(items=True)
        parts += ["。其中，", *self.join(outs), "。", self.pick(("无下年度结转。", "上年无结转。", ""))]
        self.uses([A + "carried_forward.total", A + "carried_over.total"])
        self.plan.relations.append(SumRel(r.id, tuple(o.id for o in outs)))

    def shape_plain(self, parts: list[Part]) -> None:
        parts.append(self.pick(("依照《条例》的规定受理和答复每一件申请，没有超过法定期限的。",
                                "对收到的申请逐件登记、依法答复，答复内容和办理程序都符合规定。")))

    def appeals_sentence(self, parts: list[Part]) -> None:
        cells = self.ctx.cells
        keys = [k for k in cells if k.startswith("appeals.")]
        totals = {row: int(cells[f"appeals.{row}.total"]) for row in ("review", "litigation_direct", "litigation_after_review")}
        if not any(totals.values()):
            self.uses(keys)
            parts += [self.pick(P.NO_APPEALS), "。"]
            return
        if totals["review"]:
            r = self.slot("review", self.pick(P.REVIEW), totals["review"], links=(("appeals.review.total",),),
                          note="表四行政复议总计")
            parts += [r]
            items = [self.slot(f"review_{p}", self.pick(P.APPEAL_PART[p]), int(cells[f"appeals.review.{p}"]),
                               links=((f"appeals.review.{p}",),), headline=False, note="表四行政复议分项")
                     for p in APPEAL_PARTS if cells[f"appeals.review.{p}"]]
            if self.rng.random() < 0.4:
                parts += ["，其中", *self.join(items)]
                self.plan.relations.append(SumRel(r.id, tuple(i.id for i in items)))
            elif self.rng.random() < 0.4:  # one outcome named on its own (均获维持 / 其中纠正1件)
                parts += ["，其中", self.rng.choice(items)]
                self.partial(r)
            parts.append("；" if totals["litigation_direct"] + totals["litigation_after_review"] else "。")
        lit = totals["litigation_direct"] + totals["litigation_after_review"]
        if lit:
            links = (("appeals.litigation_direct.total", "appeals.litigation_after_review.total"),
                     ("appeals.litigation_direct.total",), ("appeals.litigation_after_review.total",))
            parts += [self.slot("litigation", self.pick(P.LITIGATION), lit, links=links, note="表四行政诉讼总计"), "。"]
        elif self.rng.random() < 0.5:
            self.uses(["appeals.litigation_direct.total", "appeals.litigation_after_review.total"])
            parts += ["未发生行政诉讼。"]
