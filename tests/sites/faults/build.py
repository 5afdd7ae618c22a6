"""Writes root/ of the faults mirror (see README.md): `.venv/bin/python tests/sites/faults/build.py`.

Everything is synthetic (合成县 does not exist; its host is under the reserved .example domain).
Needs reportlab (a dev dependency) for the two PDFs."""

from __future__ import annotations

import html
import io
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

ROOT = Path(__file__).resolve().parent / "root"
BODY = "合成县人民政府"
SYN = "(合成测试数据)"
MARK = "【合成测试数据】本页由故障测试镜像合成,不是任何政府网站的真实内容。"


def title(year: int, body: str = BODY) -> str:
    return f"{body}{year}年政府信息公开工作年度报告{SYN}"


def page(head_title: str, body: str, charset: str = "utf-8") -> str:
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{html.escape(head_title)}_{BODY}</title>
</head>
<body>
<div class="header">{BODY}(合成) · <a href="/gk/nb/">政府信息公开年报</a></div>
{body}
</body>
</html>
"""


def article(year: int, date: str, attachment: str | None = None, charset: str = "utf-8", body: str = BODY) -> str:
    link = f'<p>附件:<a href="./{attachment}">{html.escape(title(year, body))}.pdf</a></p>' if attachment else ""
    return page(title(year, body), f"""<h1>{html.escape(title(year, body))}</h1>
<div class="info">发布日期:{date} 信息来源:{body}办公室</div>
<div class="TRS_Editor">
<p>{MARK}</p>
<p>本报告根据《中华人民共和国政府信息公开条例》编制,统计期限自{year}年1月1日起至{year}年12月31日止。</p>
<p>{year}年,本机关共收到政府信息公开申请{year - 2000}件。</p>
{link}
</div>""", charset)


def listing(items: list[tuple[str, str, str]], current: int) -> str:
    rows = "\n".join(f'<li><a href="{href}" title="{html.escape(t)}">{html.escape(t)}</a><span>{d}</span></li>' for href, t, d in items)
    return page("政府信息公开年报", f"""<ul class="list">
{rows}
</ul>
<div id="pager"></div>
<script>createPageHTML(2, {current}, "index", "html");</script>""")


def pdf(text: str) -> bytes:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4, invariant=1)  # invariant: the same bytes on every build
    c.setFont("STSong-Light", 12)
    for i, line in enumerate(text.splitlines()):
        c.drawString(60, 780 - 20 * i, line)
    c.save()
    return out.getvalue()


FILES: dict[str, bytes] = {
    "robots.txt": b"User-agent: *\nDisallow: /gk/nb/private/\n",
    "gk/nb/index.html": listing([
        ("./202001/t20200115_1001.html", title(2019), "2020-01-15"),
        ("./202101/t20210120_1002.html", title(2020), "2021-01-20"),
        ("./202201/t20220118_1003.html", title(2021), "2022-01-18"),
        ("./private/t20230301_1005.html", title(2022, "合成县财政局"), "2023-03-01"),
    ], 0).encode(),
    "gk/nb/index_1.html": listing([("./202301/t20230116_1004.html", title(2022), "2023-01-16")], 1).encode(),
    "gk/nb/202001/t20200115_1001.html": article(2019, "2020-01-15").encode(),
    "gk/nb/202101/t20210120_1002.html": article(2020, "2021-01-20", "P020210120_1002.pdf").encode(),
    # GBK bytes; routes.json serves them with a wrong charset=utf-8 header
    "gk/nb/202201/t20220118_1003.html": article(2021, "2022-01-18", charset="gbk").encode("gbk"),
    "gk/nb/202301/t20230116_1004.html": article(2022, "2023-01-16", "P020230116_1004.pdf").encode(),
    "gk/nb/private/t20230301_1005.html": article(2022, "2023-03-01", body="合成县财政局").encode(),
    "gk/nb/202101/P020210120_1002.pdf": pdf(f"{title(2020)}\n{MARK}\n2020年,本机关共收到政府信息公开申请20件。"),
    "gk/nb/202301/P020230116_1004.pdf": pdf(f"{title(2022)}\n{MARK}\n2022年,本机关共收到政府信息公开申请22件。"),
}

if __name__ == "__main__":
    for rel, data in FILES.items():
        path = ROOT / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    print(f"wrote {len(FILES)} files under {ROOT}")
