"""A small consistent 2021 report rendered from row overrides (PDF-text layout: a row per line),
for rule cases and property tests."""
from __future__ import annotations

from auditor.template import load_template

BASE_ROWS = {
    "new_received": [5, 1, 0, 0, 0, 0, 6], "granted": [4, 1, 0, 0, 0, 0, 5],
    "unable.not_held": [1, 0, 0, 0, 0, 0, 1], "total_processed": [5, 1, 0, 0, 0, 0, 6],
}
BASE_ACTIVE = {"rules": [0, 0, 0], "normative_docs": [2, 1, 10], "licensing": [120], "penalty": [3],
               "enforcement": [0], "fees": [0]}


def render(case: dict, year: int) -> str:
    if "text" in case:
        return case["text"]
    t = load_template("2021")
    rows = {**BASE_ROWS, **case.get("rows", {})}
    labels = case.get("labels", {})
    out = [case.get("title", f"某某区测试局{year}年政府信息公开工作年度报告"),
           case.get("period", f"本年度报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"),
           "一、总体情况", case.get("narrative", "（一）主动公开。持续深化政务公开。"),
           "二、主动公开政府信息情况", "第二十条第（一）项",
           case.get("active_header", "信息内容 本年制发件数 本年废止件数 现行有效件数")]
    active = {**BASE_ACTIVE, **case.get("active", {})}
    for row in t.tables["active"].rows:
        out.append(f"{labels.get(row.key, row.label)} {' '.join(str(v) for v in active[row.key])}")
    out += ["三、收到和处理政府信息公开申请情况", t.tables["applications"].columns and
            "申请人情况 自然人 法人或其他组织 总计 商业企业 科研机构 社会公益组织 法律服务机构 其他"]
    for row in t.tables["applications"].rows:
        vals = rows.get(row.key, [0] * 7)
        out.append(f"{labels.get(row.key, row.full_label)} {' '.join('—' if v is None else str(v) for v in vals)}")
    out += [case.get("appeals_heading", "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况"),
            "行政复议 行政诉讼 结果维持 结果纠正 其他结果 尚未审结 总计",
            " ".join("—" if v is None else str(v) for v in case.get("appeals", [0] * 15)),
            *case.get("after_appeals", []),
            "五、政府信息公开工作存在的主要问题及改进情况", "无。", "六、其他需要报告的事项", case.get("closing", "无。")]
    return "\n".join(out) + "\n"
