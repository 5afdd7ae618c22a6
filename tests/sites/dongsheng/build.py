"""Writes root/ of the 东胜区 mirror (see README.md): UTF-8 pages and two small PDFs.

Run from the repository root after editing: `.venv/bin/python tests/sites/dongsheng/build.py`.
The seed page is rebuilt from tests/seeds/003_*.txt; everything else is synthetic and says so.
"""

from __future__ import annotations

import html
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE / "root"
SEED = next((HERE.parent.parent / "seeds").glob("003_*.txt"))
SYNTHETIC = "【合成测试数据】本页由测试镜像合成,不是东胜区人民政府网站的真实内容。"
SEED_TITLE = "东胜区2017年政府信息公开年度报告"  # assumed: the seed text has no title line

HEADER = """<div class="header"><div class="logo">鄂尔多斯市东胜区人民政府</div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/gk/">政务公开</a></li>
<li><a href="/gk/zfxxgknb/">政府信息公开年报</a></li><li><a href="http://www.nmg.gov.cn/">内蒙古自治区人民政府</a></li></ul></div>"""
FOOTER = """<div class="footer">主办:鄂尔多斯市东胜区人民政府办公室(测试镜像的页脚)</div>"""
PAGER_FUNCTION = """function createPageHTML(elementId, _nPageCount, _nCurrIndex, _sPageName, _sPageExt, _nRecordCount) {
  var box = document.getElementById(elementId); if (!box || _nPageCount <= 1) { return; }
  var html = "共" + _nRecordCount + "条 ";
  for (var i = 1; i <= _nPageCount; i++) {
    var href = i == 1 ? _sPageName + "." + _sPageExt : _sPageName + "_" + i + "." + _sPageExt;
    html += i == _nCurrIndex ? "<span>" + i + "</span> " : "<a href=\\"" + href + "\\">" + i + "</a> ";
  }
  box.innerHTML = html;
}"""


def page(title: str, body: str, head: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{html.escape(title)}_鄂尔多斯市东胜区人民政府</title>{head}
</head>
<body>
{HEADER}
{body}
{FOOTER}
</body>
</html>
"""


def article(title: str, source: str, date: str, content: str, container: str = "TRS_Editor") -> str:
    return page(title, f"""<div class="position">当前位置:<a href="/">首页</a> &gt; <a href="/gk/zfxxgknb/">政府信息公开年报</a></div>
<div class="article">
<h1 class="title">{html.escape(title)}</h1>
<div class="info"><span>资料来源:{source}</span> <span>发布日期:{date}</span></div>
<div class="tools">字号:<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a> 打印: 保存:</div>
<div class="{container}">
{content}
</div>
</div>""")


def paragraphs(lines: list[str]) -> str:
    return "\n".join(f"<p>{html.escape(line, quote=False)}</p>" for line in lines)


def table(cells: list[str], columns: int) -> str:
    assert len(cells) % columns == 0, cells
    rows = [cells[i : i + columns] for i in range(0, len(cells), columns)]
    body = "\n".join(
        "<tr>" + "".join(f"<td><p>{html.escape(c, quote=False)}</p></td>" for c in row) + "</tr>" for row in rows
    )
    return f'<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0">\n<tbody>\n{body}\n</tbody>\n</table>'


def seed_content() -> str:
    """Seed 003's text: prose lines as paragraphs; each run of `… |` lines (the seed's flattened
    tables) as a real <table>: 公开类别|单位|数量 has 3 columns, the 重点领域 table 2."""
    lines = [line for line in SEED.read_text("utf-8").split("\n") if line.strip()]
    out, prose, cells, tables = [], [], [], 0
    for line in lines + [""]:
        if line.endswith("|"):
            if prose:
                out.append(paragraphs(prose))
                prose = []
            cells.append(line.removesuffix("|").strip())
            continue
        if cells:
            out.append(table(cells, 3 if tables == 0 else 2))
            cells, tables = [], tables + 1
        if line:
            prose.append(line)
    out.append(paragraphs(prose))
    assert tables == 2
    return "\n".join(out)


def synthetic(title: str, body_name: str, year: int) -> str:
    return paragraphs([
        SYNTHETIC,
        f"本报告中所列数据统计期限为{year}年1月1日至12月31日。",
        "一、政府信息公开概况",
        f"{year}年,{body_name}认真贯彻落实《中华人民共和国政府信息公开条例》,主动公开政府信息500条。",
        "二、依申请公开办理情况",
        f"{year}年,共受理依申请公开3件,已全部按时办结。",
    ])


def listing(crumb: str, items: list[tuple[str, str, str]], pager: str = "") -> str:
    rows = "\n".join(
        f'<li><a href="{href}" title="{html.escape(title)}" target="_blank">{html.escape(title)}</a><span class="date">{date}</span></li>'
        for href, title, date in items
    )
    script = f'\n<div class="page" id="paging"></div>\n<script type="text/javascript">{pager}</script>' if pager else ""
    return page(crumb, f"""<div class="position">当前位置:<a href="/">首页</a> &gt; <a href="/gk/zfxxgknb/">政府信息公开年报</a> &gt; {crumb}</div>
<ul class="list">
{rows}
</ul>{script}""", head=f'\n<script type="text/javascript">\n{PAGER_FUNCTION}\n</script>')


def pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose Chinese text any extractor reads: the standard CJK font STSong-Light
    (not embedded) with the UniGB-UCS2-H CMap, each line a UCS-2 hex string."""
    text = "".join(f"<{line.encode('utf-16-be').hex().upper()}> Tj T*\n" for line in lines)
    stream = f"BT /F1 12 Tf 20 TL 50 790 Td\n{text}ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_report(title: str, year: int) -> bytes:
    return pdf([
        "【合成测试数据】",
        title,
        f"本报告中所列数据统计期限为{year}年1月1日至12月31日。",
        f"{year}年主动公开政府信息300条,受理依申请公开2件。",
    ])


QZF = "gk/zfxxgknb/qzf"
QZBM = "gk/zfxxgknb/qzbm"
# (path under the channel, title, list date, 资料来源, 发布日期 in the page header)
Y2024 = ("202502/t20250207_3762462.html", "东胜区2024年政府信息公开工作年度报告", "2025-02-07", "东胜区人民政府办公室", "2025-02-07 09:12")
Y2024_READING = ("202502/t20250210_3763015.html", "东胜区2024年政府信息公开工作年度报告解读", "2025-02-10", "东胜区人民政府办公室", "2025-02-10 10:00")
Y2019 = ("202205/t20220509_3210630.html", "东胜区2019年政府信息公开年度报告", "2022-05-09", "东胜区人民政府办公室", "2020-03-27 16:20")
Y2018 = ("202205/t20220509_3210629.html", "东胜区2018年政府信息公开年度报告", "2022-05-09", "东胜区人民政府办公室", "2019-03-06 18:40")
Y2017 = ("202205/t20220509_3210628.html", SEED_TITLE, "2022-05-09", "东胜区人民政府办公室", "2018-03-26 11:07")
ZFBGS_2019 = ("202001/t20200120_3001234.html", "东胜区人民政府办公室2019年政府信息公开工作年度报告", "2020-01-20", "东胜区人民政府办公室", "2020-01-20 15:30")
FGW_2024 = ("202501/t20250116_3758546.html", "鄂尔多斯市东胜区发展和改革委员会2024年政府信息公开工作年度报告", "2025-01-16", "东胜区发展和改革委员会", "2025-01-16 11:05")
FGW_PDF = "P020250116384512768903.pdf"  # relative to FGW_2024's directory
FGW_BUDGET = ("202502/t20250214_3765120.html", "鄂尔多斯市东胜区发展和改革委员会2025年部门预算公开", "2025-02-14", "东胜区发展和改革委员会", "2025-02-14 08:50")
MZJ_2015 = ("202205/t20220509_3210702.html", "东胜区民政局2015年度政府信息公开年度报告", "2022-05-09", "东胜区民政局", "2016-03-30 10:47")
MZJ_2021_PDF = ("202201/P020220124395870126545.pdf", "东胜区民政局2021年政府信息公开工作年度报告", "2022-01-24")


def report_page(item: tuple, body_name: str, year: int, content: str | None = None, container: str = "TRS_Editor") -> str:
    _, title, _, source, date = item
    return article(title, source, date, content if content is not None else synthetic(title, body_name, year), container)


def files() -> dict[str, str | bytes]:
    district = "东胜区"
    fgw_attachment = (
        f'<p>附件:<a href="./{FGW_PDF}" target="_blank">鄂尔多斯市东胜区发展和改革委员会2024年政府信息公开工作年度报告.pdf</a></p>'
    )
    return {
        "gk/zfxxgknb/index.html": listing("政府信息公开年报", []).replace(
            '<ul class="list">\n\n</ul>',
            '<ul class="list">\n<li><a href="./qzf/">区政府信息公开年报</a></li>\n'
            '<li><a href="http://www.ds.gov.cn/gk/zfxxgknb/qzbm/">政府部门公开年报</a></li>\n</ul>',
        ),
        f"{QZF}/index.html": listing("区政府信息公开年报", [
            (f"./{Y2024[0]}", Y2024[1], Y2024[2]),
            (f"./{Y2024_READING[0]}", Y2024_READING[1], Y2024_READING[2]),
            (f"./{Y2019[0]}", Y2019[1], Y2019[2]),
        ], "createPageHTML('paging', 2, 1, 'index', 'html', 5);"),
        f"{QZF}/index_2.html": listing("区政府信息公开年报", [
            (f"./{Y2018[0]}", Y2018[1], Y2018[2]),
            (f"./{Y2017[0]}", Y2017[1], Y2017[2]),
        ], "createPageHTML('paging', 2, 2, 'index', 'html', 5);"),
        f"{QZF}/{Y2024[0]}": report_page(Y2024, district, 2024),
        f"{QZF}/{Y2024_READING[0]}": report_page(Y2024_READING, district, 2024, paragraphs([SYNTHETIC, "本页是年度报告的解读,不是年度报告。"])),
        f"{QZF}/{Y2019[0]}": report_page(Y2019, district, 2019),
        f"{QZF}/{Y2018[0]}": report_page(Y2018, district, 2018),
        f"{QZF}/{Y2017[0]}": report_page(Y2017, district, 2017, seed_content()),
        f"{QZBM}/index.html": listing("政府部门公开年报", []).replace(
            '<ul class="list">\n\n</ul>',
            '<ul class="list">\n<li><a href="{{BASE_URL}}/gk/zfxxgknb/qzbm/zfbgs/">区政府办</a></li>\n'
            '<li><a href="./fzhggj/index.html">区发展和改革委员会</a></li>\n'
            '<li><a href="http://ds.gov.cn/gk/zfxxgknb/qzbm/mzj/">区民政局</a></li>\n</ul>',
        ),
        # the district's 2017 report again, linked under the host without www
        f"{QZBM}/zfbgs/index.html": listing("区政府办", [
            (f"./{ZFBGS_2019[0]}", ZFBGS_2019[1], ZFBGS_2019[2]),
            (f"http://ds.gov.cn/{QZF}/{Y2017[0]}", Y2017[1], Y2017[2]),
        ]),
        f"{QZBM}/zfbgs/{ZFBGS_2019[0]}": report_page(ZFBGS_2019, "东胜区人民政府办公室", 2019),
        f"{QZBM}/fzhggj/index.html": listing("区发展和改革委员会", [
            (f"./{FGW_2024[0]}", FGW_2024[1], FGW_2024[2]),
            (f"./{FGW_BUDGET[0]}", FGW_BUDGET[1], FGW_BUDGET[2]),
        ]),
        f"{QZBM}/fzhggj/{FGW_2024[0]}": report_page(
            FGW_2024, "东胜区发展和改革委员会", 2024,
            synthetic(FGW_2024[1], "东胜区发展和改革委员会", 2024) + "\n" + fgw_attachment, container="trs_editor_view",
        ),
        f"{QZBM}/fzhggj/{FGW_2024[0].rsplit('/', 1)[0]}/{FGW_PDF}": pdf_report(FGW_2024[1], 2024),
        f"{QZBM}/fzhggj/{FGW_BUDGET[0]}": report_page(FGW_BUDGET, "东胜区发展和改革委员会", 2025, paragraphs([SYNTHETIC, "部门预算公开,不是年度报告。"])),
        f"{QZBM}/mzj/index.html": listing("区民政局", [
            (f"./{MZJ_2015[0]}", MZJ_2015[1], MZJ_2015[2]),
            (f"./{MZJ_2021_PDF[0]}", MZJ_2021_PDF[1], MZJ_2021_PDF[2]),  # the list links the file itself
        ]),
        f"{QZBM}/mzj/{MZJ_2015[0]}": report_page(MZJ_2015, "东胜区民政局", 2015),
        f"{QZBM}/mzj/{MZJ_2021_PDF[0]}": pdf_report(MZJ_2021_PDF[1], 2021),
    }


def main() -> None:
    for relpath, content in files().items():
        target = ROOT / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


if __name__ == "__main__":
    main()
