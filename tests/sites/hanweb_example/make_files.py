"""Build root/ of the hanweb_example mirror (see README.md): `.venv/bin/python tests/sites/hanweb_example/make_files.py`.

Everything here is synthetic (marked 【合成测试数据】); needs reportlab for the one PDF."""

from __future__ import annotations

import io
from html import escape
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

ROOT = Path(__file__).resolve().parent / "root"
MARK = "【合成测试数据】 synthetic test report"
SYN = "(合成测试数据)"
BODY = "微山县人民政府"
WEBNAME = "%E5%BE%AE%E5%B1%B1%E5%8E%BF%E4%BA%BA%E6%B0%91%E6%94%BF%E5%BA%9C"  # 微山县人民政府

ARTICLE = """<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{title}</title>
<meta name="SiteName" content="微山县人民政府" />
<meta name="ColumnName" content="{column}" />
<meta name="ArticleTitle" content="{title}" />
<meta name="PubDate" content="{date}" />
<meta name="ContentSource" content="微山县人民政府办公室" />
</head>
<body>
<div class="position"><a href="/">首页</a> &gt; 政务公开 &gt; {column}</div>
<div class="title">{title}</div>
<div class="info">发布日期:{date} 浏览次数:<span id="c"></span> 信息来源:微山县人民政府办公室</div>
<div id="zoom">
<!--ContentStart-->
{content}
<!--ContentEnd-->
</div>
</body>
</html>
"""

MODULE = """<!DOCTYPE html>
<html>
<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" /><title>{title}</title></head>
<body>
<div class="nb_title">{title}</div>
<div class="nb_time">发布时间:{date}</div>
<div class="nb_content" id="zoom">
{content}
</div>
</body>
</html>
"""

COLUMN = """<!DOCTYPE html>
<html>
<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" /><title>微山县人民政府 {name}</title></head>
<body>
<div class="lm_title">{name}</div>
<div id="{unit}"><script type="text/xml"><datastore>
{nextgroup}<recordset>
{records}
</recordset>
</datastore></script></div>
<script type="text/javascript">
var param_{unit} = {{col:1,appid:1,webid:3,path:'/',columnid:{col},sourceContentType:1,unitid:'{unit}',webname:'微山县人民政府',permissiontype:0}};
$(function () {{ $('#{unit}').jpage({{proxyUrl: '{proxy}', perPage: 2, totalRecord: {total}, ajaxParam: param_{unit}}}); }});
</script>
</body>
</html>
"""

# column 31001 (政府信息公开年报): everything on the column page, no pagination
COL_31001 = [
    ("/art/2023/1/18/art_31001_5001.html", f"{BODY}2022年政府信息公开工作年度报告{SYN}", "2023-01-18"),
    ("/art/2023/1/20/art_31001_5002.html", f"图解:{BODY}2022年政府信息公开工作年度报告", "2023-01-20"),
]
# column 31002 (年度报告, an aggregate): 5 records, 2 per page, older proxy path, GET only
COL_31002 = [
    ("/art/2024/1/25/art_31002_6001.html", f"{BODY}2023年政府信息公开工作年度报告{SYN}", "2024-01-25"),
    ("/art/2024/1/5/art_31002_6000.html", "关于开展2023年度政府信息公开工作年度报告编制工作的通知", "2024-01-05"),
    ("/art/2023/1/18/art_31002_5001.html", f"{BODY}2022年政府信息公开工作年度报告{SYN}", "2023-01-18"),
    ("/art/2021/1/29/art_31002_4001.html", f"{BODY}2020年政府信息公开工作年度报告{SYN}", "2021-01-29"),
    ("/art/2020/4/10/art_31002_3990.html", "微山县2020年政务公开工作要点", "2020-04-10"),
]


def record(href: str, title: str, date: str) -> str:
    return (f'<record><![CDATA[\n<li><a href="{href}" title="{escape(title)}">{escape(title[:16])}...</a>'
            f"<span>{date}</span></li>\n]]></record>")


def nextgroup(proxy: str, col: str, unit: str, page: int) -> str:
    href = f"{proxy}?page={page}&appid=1&webid=3&path=/&columnid={col}&unitid={unit}&webname={WEBNAME}&permissiontype=0"
    return f'<nextgroup><![CDATA[<a href="{href}"></a>]]></nextgroup>\n'


def write(path: str, text: str | bytes) -> None:
    target = ROOT / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)


def paragraphs(lines: list[str]) -> str:
    return "\n".join(f"<p>{escape(line)}</p>" for line in lines)


def report(year: int) -> list[str]:
    return [MARK, f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
            f"{year}年,微山县主动公开政府信息{1000 + year % 100}条(合成测试数据)。"]


def pdf(lines: list[str]) -> bytes:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4, invariant=1)
    for i, line in enumerate(lines):
        c.setFont("STSong-Light", 12)
        c.drawString(72, A4[1] - 72 - 20 * i, line)
    c.showPage()
    c.save()
    return out.getvalue()


def main() -> None:
    proxy_new, proxy_old = "/module/web/jpage/dataproxy.jsp", "/module/jpage/dataproxy.jsp"
    write("/col/col31001/index.html", COLUMN.format(
        name="政府信息公开年报", unit="7000", col="31001", proxy=proxy_new, total=len(COL_31001), nextgroup="",
        records="\n".join(record(*r) for r in COL_31001)))
    write("/col/col31002/index.html", COLUMN.format(
        name="年度报告", unit="7001", col="31002", proxy=proxy_old, total=len(COL_31002),
        nextgroup=nextgroup(proxy_old, "31002", "7001", 2), records="\n".join(record(*r) for r in COL_31002[:2])))
    for page in (2, 3):
        parts = ['<?xml version="1.0" encoding="UTF-8"?>', "<datastore>"]
        if page < 3:
            parts.append(nextgroup(proxy_old, "31002", "7001", page + 1).strip())
        parts += [f"<totalrecord>{len(COL_31002)}</totalrecord>", "<totalpage>3</totalpage>", "<recordset>"]
        parts += [record(*r) for r in COL_31002[(page - 1) * 2 : page * 2]]
        parts += ["</recordset>", "</datastore>", ""]
        write(f"/_lists/31002_p{page}.xml", "\n".join(parts))
    write("/_lists/empty.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<recordset>\n</recordset>\n</datastore>\n')

    for path, title, date in COL_31001[:1] + COL_31002[:1] + COL_31002[3:4]:
        content = paragraphs(report(int(title[len(BODY):][:4])))
        if "2020年" in title:
            content += ('\n<p><a href="/module/download/downfile.jsp?classid=0&amp;filename=2101291015000001.pdf">'
                        f"{escape(title)}.pdf</a></p>")
        write(path, ARTICLE.format(title=escape(title), date=date, column="年度报告", content=content))
    write(COL_31001[1][0], ARTICLE.format(title=escape(COL_31001[1][1]), date=COL_31001[1][2], column="政府信息公开年报",
                                          content=paragraphs([MARK, "图解页面,只有图片。"])))
    write("/_xxgk/weishanxian_2021.html", MODULE.format(
        title=f"{BODY}2021年政府信息公开工作年度报告{SYN}", date="2022-01-26", content=paragraphs(report(2021))))
    write("/_xxgk/weishanxian_2022.html", MODULE.format(
        title=COL_31001[0][1], date="2023-01-18", content=paragraphs(report(2022))))
    write("/_files/2101291015000001.pdf", pdf([f"{BODY}2020年政府信息公开工作年度报告{SYN}", MARK]))


if __name__ == "__main__":
    main()
