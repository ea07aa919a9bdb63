"""Generators of hostile texts and files (issue 17), shared by the property tests, which run them
small, and by ``eval/fuzz.py``, which runs them at full size and counts time and memory.

Each generator takes a ``random.Random`` and a size in characters and returns a text of about
that size. They aim at the places where a naive algorithm is superlinear: long runs of digits
read as table cells, sentences with no end, many figures of one noun, a statutory table repeated.
"""
from __future__ import annotations

import random
from collections.abc import Callable

WORDS = ("主动公开", "政府信息", "申请", "件", "条", "个", "共", "其中", "予以公开", "本年", "网站", "发布",
         "信息", "受理", "办理", "政务新媒体", "公开专栏", "全部", "均", "截至目前", "累计", "分别为", "占",
         "%", "上年结转", "结转下年度", "行政复议", "行政诉讼", "维持", "纠正", "年", "2023", "2024")
PUNCT = ("，", "。", "；", "、", "：", "\n", "\n\n", "\t", " ")
LABELS = ("（一）予以公开", "（二）部分公开", "（三）不予公开", "1.属于国家秘密", "四、结转下年度继续办理",
          "一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "自然人", "商业企业",
          "行政许可", "行政处罚", "行政强制", "行政事业性收费", "规章", "规范性文件", "结果维持", "总计")


def dense_mixed(rng: random.Random, size: int) -> str:
    """Figures, nouns and punctuation in equal measure: a claim every few characters."""
    out, n = [], 0
    while n < size:
        piece = str(rng.randint(0, 5000)) if rng.random() < 0.45 else rng.choice(WORDS + PUNCT)
        out.append(piece)
        n += len(piece)
    return "".join(out)


def endless_sentence(rng: random.Random, size: int) -> str:
    """Figures and nouns with commas only: one sentence of the whole text."""
    out, n = [], 0
    while n < size:
        piece = rng.choice(("主动公开政府信息", "发布信息", "公开专栏", "网站", "受理申请")) + str(rng.randint(1, 999)) \
            + rng.choice("件条个") + "，"
        out.append(piece)
        n += len(piece)
    return "".join(out)


def digit_runs(rng: random.Random, size: int) -> str:
    """Statutory labels followed by run-together digits of any length (a table whose cell
    separators were lost), the case the digit splitter reads."""
    out, n = [], 0
    while n < size:
        run = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 120)))
        piece = rng.choice(LABELS) + rng.choice(("", " ", "\t")) + run + "\n"
        out.append(piece)
        n += len(piece)
    return "".join(out)


def repeated_template(rng: random.Random, size: int, seed_text: str = "") -> str:
    """A whole report repeated until the size is reached, a digit changed here and there."""
    base = seed_text or dense_mixed(rng, 2000)
    text = (base + "\n") * (size // max(1, len(base)) + 1)
    chars = list(text[:size])
    for _ in range(max(1, size // 500)):
        k = rng.randrange(len(chars))
        if chars[k].isdigit():
            chars[k] = rng.choice("0123456789")
    return "".join(chars)


def unicode_noise(rng: random.Random, size: int) -> str:
    """Arbitrary code points (controls, combining marks, private use, fullwidth digits, CJK)."""
    ranges = ((0x0, 0x7F), (0x300, 0x36F), (0x4E00, 0x4FFF), (0xFF10, 0xFF19), (0xE000, 0xE0FF),
              (0x2000, 0x206F), (0x3000, 0x303F))
    out = []
    for _ in range(size):
        a, b = rng.choice(ranges)
        out.append(chr(rng.randint(a, b)))
    return "".join(out)


GENERATORS: dict[str, Callable[[random.Random, int], str]] = {
    "dense_mixed": dense_mixed,
    "endless_sentence": endless_sentence,
    "digit_runs": digit_runs,
    "repeated_template": repeated_template,
    "unicode_noise": unicode_noise,
}


# ---------------------------------------------------------------- files for the fuzz campaign

REPO = __import__("pathlib").Path(__file__).resolve().parent.parent


def seed_files() -> list[tuple[str, bytes]]:
    """Real-shaped files to mutate: the embedded sample, the generated corpus (text, HTML, DOCX)
    and a synthetic PDF (the shared real PDFs too, when ../shared is there)."""
    import sys

    out = [("sample_report.txt", (REPO / "auditor" / "data" / "sample_report.txt").read_bytes())]
    for p in sorted((REPO / "corpora" / "sample").glob("*")):
        if p.suffix in (".txt", ".html", ".docx"):
            out.append((p.name, p.read_bytes()))
    sys.path.insert(0, str(REPO / "tests" / "ingest"))
    try:
        from test_ingest_pdf import synthetic_report
    finally:
        sys.path.pop(0)
    out.append(("synthetic.pdf", synthetic_report()))
    shared = REPO.parent / "shared" / "corpora" / "real"
    out += [(p.name, p.read_bytes()) for p in sorted(shared.glob("*.pdf"))] if shared.is_dir() else []
    return out


def _flip(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 20)):
        if b:
            b[rng.randrange(len(b))] = rng.randrange(256)
    return bytes(b)


def _splice(rng: random.Random, data: bytes) -> bytes:
    """A slice of the file repeated, deleted or moved: what a broken download or a bad merge does."""
    if len(data) < 4:
        return data * 2
    a = rng.randrange(len(data))
    b = min(len(data), a + rng.randint(1, 4096))
    choice = rng.randrange(3)
    if choice == 0:
        return data[:b] + data[a:b] * rng.randint(1, 50) + data[b:]
    if choice == 1:
        return data[:a] + data[b:]
    c = rng.randrange(len(data))
    return data[:c] + data[a:b] + data[c:]


def _digits(rng: random.Random, data: bytes) -> bytes:
    """Figures lengthened, glued or zeroed (the tables' digits are what the readers search)."""
    b = bytearray(data)
    spots = [k for k, ch in enumerate(b) if 48 <= ch <= 57]
    for k in rng.sample(spots, min(len(spots), rng.randint(1, 30))):
        b[k:k + 1] = rng.choice((b"0", b"9" * rng.randint(2, 60), b"", str(rng.randrange(10**6)).encode()))
        break
    return bytes(b)


def _zip_members(rng: random.Random, data: bytes) -> bytes:
    """A DOCX whose document.xml is mutated as XML text (truncated, nested deep, tags broken)."""
    import io
    import zipfile

    try:
        src = zipfile.ZipFile(io.BytesIO(data))
        members = [(i.filename, src.read(i.filename)) for i in src.infolist()]
    except Exception:
        return _flip(rng, data)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members:
            if name == "word/document.xml":
                op = rng.randrange(4)
                if op == 0:
                    body = body[:rng.randrange(len(body) or 1)]
                elif op == 1:
                    at = body.find(b"<w:body>") + 8
                    depth = rng.randint(100, 5000)
                    body = body[:at] + b"<w:sdt><w:sdtContent>" * depth + b"</w:sdtContent></w:sdt>" * depth + body[at:]
                elif op == 2:
                    body = body.replace(b"</w:t>", b"", rng.randint(1, 50))
                else:
                    body = _digits(rng, body)
            zf.writestr(name, body)
    return buf.getvalue()


def _html_shapes(rng: random.Random, size: int) -> bytes:
    text = dense_mixed(rng, min(size, 4000))
    op = rng.randrange(5)
    if op == 0:
        depth = rng.randint(100, 20_000)
        return ("<html><body>" + "<div>" * depth + text + "</div>" * depth + "</body></html>").encode()
    if op == 1:
        return f'<html><body><table><tr><td rowspan="{rng.randint(0, 10**9)}" colspan="{rng.randint(0, 10**9)}">{text}</td></tr></table></body></html>'.encode()
    if op == 2:
        return ("<html><body><table>" + "".join(f"<tr><td>{w}" for w in text.split("，")) + "</body></html>").encode()
    if op == 3:
        return f'<html><head><meta charset="{rng.choice(["gbk", "utf-16", "x-unknown", "big5"])}"></head><body><p>{text}</p></body></html>'.encode("utf-8")
    return ("<html><body>" + "<!--" * rng.randint(1, 50) + text + "<script>" + text + "</body></html>").encode()


def _encoded(rng: random.Random, text: str) -> bytes:
    enc = rng.choice(("utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "big5"))
    return text.encode(enc, "replace")


def fuzz_inputs(seed: int, n: int, max_size: int = 20_000):
    """``n`` (kind, file name, bytes) for the loaders and the service, reproducible from ``seed``."""
    rng = random.Random(seed)
    seeds = seed_files()
    magic = (b"", b"%PDF-1.7\n", b"PK\x03\x04", b"<html><body>", b"\xef\xbb\xbf", b"\xff\xfe", b"{\\rtf1")
    for i in range(n):
        roll = rng.random()
        if roll < 0.30:
            name = rng.choice(sorted(GENERATORS))
            size = rng.randint(10, max_size)
            text = GENERATORS[name](rng, size)
            yield f"text:{name}", f"f{i}.txt", _encoded(rng, text)
        elif roll < 0.65:
            seed_name, data = rng.choice(seeds)
            op = rng.choice((_flip, _splice, _digits, lambda r, d: d[:r.randrange(len(d) + 1)]))
            yield f"mutated:{seed_name.rsplit('.', 1)[-1]}", f"f{i}.{seed_name.rsplit('.', 1)[-1]}", op(rng, data)
        elif roll < 0.75:
            docx = [d for nm, d in seeds if nm.endswith(".docx")]
            yield "docx:xml", f"f{i}.docx", _zip_members(rng, rng.choice(docx))
        elif roll < 0.85:
            yield "html:shape", f"f{i}.html", _html_shapes(rng, max_size)
        elif roll < 0.95:
            data = rng.choice(magic) + rng.randbytes(rng.randint(0, 5000))
            yield "random", f"f{i}{rng.choice(('.txt', '.pdf', '.docx', '.html', ''))}", data
        else:
            yield "edge", f"f{i}.txt", rng.choice((b"", b"\xef\xbb\xbf", b" \n\t" * 100, b"\0" * 1000,
                                                    "年".encode() * 5000, b"\r" * 3000))
