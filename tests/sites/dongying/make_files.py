"""Build the generated files of the dongying mirror (see README.md).

    .venv/bin/python tests/sites/dongying/make_files.py

Writes root/art/… (article pages), root/col/col164458/index.html, root/_lists/*.xml (dataproxy
answers), root/_xxgk/*.html (xxgkAnnualReport.jsp answers) and the attachment files. The seed page
carries the text of tests/seeds/000_*.txt unchanged; everything marked 【合成测试数据】 is made up.
Needs reportlab (for the PDFs). Output is deterministic.
"""

from __future__ import annotations

import io
from html import escape
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

HERE = Path(__file__).resolve().parent
ROOT = HERE / "root"
SEED = next((HERE.parent.parent / "seeds").glob("000_*.txt"))

MARK = "【合成测试数据】 synthetic test report"
MARK_ZH = "本页为测试用合成数据,所有数字均为虚构,并非东营市人民政府发布的报告。"
SYN = "(合成测试数据)"
APPLICANTS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")

# -- article pages ------------------------------------------------------------------------------

ARTICLE = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{title}</title>
<meta name="SiteName" content="中国·东营" />
<meta name="SiteDomain" content="www.dongying.gov.cn" />
<meta name="ColumnName" content="{column}" />
<meta name="ColumnType" content="{column}" />
<meta name="ArticleTitle" content="{title}" />
<meta name="PubDate" content="{date}" />
<meta name="ContentSource" content="{source}" />
<meta name="Keywords" content="" />
<meta name="Author" content="" />
<meta name="Description" content="{description}" />
<meta name="Url" content="http://www.dongying.gov.cn{path}" />
<link rel="stylesheet" href="/images/3/style.css" />
<script type="text/javascript" src="/module/jslib/jquery/jquery.js"></script>
</head>
<body>
<div class="top"><a href="/"><img src="/images/3/logo.png" alt="中国·东营" /></a></div>
<div class="position"><a href="/">首页</a>
&gt; <a href="/col/col37814/index.html">公开</a> &gt; <a href="/col/col37850/index.html">政府信息公开目录</a> &gt; <a href="/col/col{col}/index.html">{column}</a></div>
<table class="article" width="100%" border="0" cellspacing="0" cellpadding="0">
<tr><td class="title">{title}</td></tr>
<tr><td class="info">发布日期:{date} 浏览次数:<span id="c"></span><script type="text/javascript">$.get("/module/visitcount/articlehits.jsp?colid={col}&artid={art}", function (n) {{ $("#c").text(n); }});</script> 信息来源:{source}</td></tr>
<tr><td class="info2">{date} 来源:{source}</td></tr>
<tr><td class="bt_content">
<div id="zoom">
<!--ContentStart-->
{content}
<!--ContentEnd-->
</div>
</td></tr>
</table>
<div class="editor">编辑:(<span id="editor"></span></div>
<div class="tools"><a href="javascript:window.print()">打印</a> <a href="javascript:window.close()">关闭</a></div>
</body>
</html>
"""


def article(path: str, title: str, date: str, content: str, *, column: str = "政府信息公开年报", source: str = "",
            description: str = "") -> None:
    col, art = path.rsplit("/art_", 1)[1].removesuffix(".html").split("_")
    write(path, ARTICLE.format(path=path, title=escape(title), date=date, column=column, col=col, art=art,
                               source=escape(source), description=escape(description), content=content))


# -- xxgk module page ---------------------------------------------------------------------------

MODULE = """<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{title}</title>
<link rel="stylesheet" href="/module/xxgk/css/xxgk.css" />
</head>
<body>
<div class="xxgk_top">东营市人民政府 政府信息公开</div>
<div class="nb_box">
<div class="nb_title">{title}</div>
<div class="nb_time">发布时间:{date}</div>
<div class="nb_content" id="zoom">
{content}
</div>
</div>
</body>
</html>
"""


def module_page(name: str, title: str, date: str, content: str) -> None:
    write(f"/_xxgk/{name}", MODULE.format(title=escape(title), date=date, content=content))


# -- HTML pieces --------------------------------------------------------------------------------


def paragraphs(lines: list[str]) -> str:
    return "\n".join(f"<p>{escape(line)}</p>" for line in lines)


def cell(text: object = "", **span: int) -> str:
    attrs = "".join(f' {k}="{v}"' for k, v in span.items())
    return f"<td{attrs}>{escape(str(text))}</td>"


def table(rows: list[str]) -> str:
    body = "\n".join(f"<tr>{row}</tr>" for row in rows)
    return f'<table border="1" cellspacing="0" cellpadding="0" width="100%">\n{body}\n</table>'


def article20(blocks: list[tuple[str, list[str], list[list[object]]]]) -> str:
    """表二: per block a caption row, a 信息内容 header row and data rows, 4 columns; a block with
    fewer value columns leaves the rest empty (2019) or spans them (single value, 2021)."""
    rows = []
    for caption, header, data in blocks:
        rows.append(cell(caption, colspan=4))
        for values in [header, *data]:
            if len(values) == 2:
                rows.append(cell(values[0]) + cell(values[1], colspan=3))
            else:
                rows.append("".join(cell(v) for v in values) + cell() * (4 - len(values)))
    return table(rows)


WITHHELD = ("1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
            "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项")
UNAVAILABLE = ("1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确")
NOT_PROCESSED = ("1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
                 "5.要求行政机关确认或重新出具已获取信息")
OTHER_2021 = ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
              "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他")


def applications(new, carried_in, disclosed, partial, withheld, unavailable, not_processed, other) -> str:
    """表三 with the official merged header; `other` is one row (2019 format) or three (2021).
    Totals are computed, so the 勾稽 rules hold."""
    result_rows = [disclosed, partial, *withheld, *unavailable, *not_processed, *other]
    total = [sum(col) for col in zip(*result_rows, strict=True)]
    carried_out = [n + c - t for n, c, t in zip(new, carried_in, total, strict=True)]
    assert min(carried_out) >= 0, carried_out

    def values(row: list[int]) -> str:
        return "".join(cell(v) for v in [*row, sum(row)])

    rows = [
        cell("(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)", colspan=3, rowspan=3) + cell("申请人情况", colspan=7),
        cell("自然人", rowspan=2) + cell("法人或其他组织", colspan=5) + cell("总计", rowspan=2),
        "".join(cell(a) for a in APPLICANTS[1:]),
        cell("一、本年新收政府信息公开申请数量", colspan=3) + values(new),
        cell("二、上年结转政府信息公开申请数量", colspan=3) + values(carried_in),
        cell("三、本年度办理结果", rowspan=len(result_rows) + 1) + cell("(一)予以公开", colspan=2) + values(disclosed),
        cell("(二)部分公开(区分处理的,只计这一情形,不计其他情形)", colspan=2) + values(partial),
    ]
    for group, labels, data in (("(三)不予公开", WITHHELD, withheld), ("(四)无法提供", UNAVAILABLE, unavailable),
                                ("(五)不予处理", NOT_PROCESSED, not_processed)) + (
            (("(六)其他处理", OTHER_2021, other),) if len(other) == 3 else ()):
        for i, (label, row) in enumerate(zip(labels, data, strict=True)):
            rows.append((cell(group, rowspan=len(labels)) if i == 0 else "") + cell(label) + values(row))
    if len(other) == 1:
        rows.append(cell("(六)其他处理", colspan=2) + values(other[0]))
    rows.append(cell("(七)总计", colspan=2) + values(total))
    rows.append(cell("四、结转下年度继续办理", colspan=3) + values(carried_out))
    return table(rows)


def reviews(review: list[int], direct: list[int], after: list[int]) -> str:
    """表四: 行政复议 (5 columns) and 行政诉讼 (未经复议直接起诉 / 复议后起诉, 5 each), one row."""
    results = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    rows = [
        cell("行政复议", colspan=5) + cell("行政诉讼", colspan=10),
        "".join(cell(r, rowspan=2) for r in results) + cell("未经复议直接起诉", colspan=5) + cell("复议后起诉", colspan=5),
        "".join(cell(r) for r in results) * 2,
        "".join(cell(v) for part in (review, direct, after) for v in [*part, sum(part)]),
    ]
    return table(rows)


def legacy(title: str, rows: list[tuple[str, str, object]]) -> str:
    """The pre-2019 统计表: 统计指标 | 单位 | 统计数; heading rows have empty cells."""
    return f"<p>{escape(title)}</p>\n" + table(
        [cell("统计指标") + cell("单位") + cell("统计数")] + [cell(a) + cell(b) + cell(c) for a, b, c in rows]
    )


# -- the seed report (real text) ----------------------------------------------------------------


def seed_content() -> str:
    """Seed 000's text from its first paragraph to the signature, one <p> per line, with the
    flattened 第二十条 lines turned back into the table they were extracted from; then the
    attachment and related links as the seed lists them."""
    lines = SEED.read_text("utf-8").split("\n")
    body = [ln for ln in lines[lines.index(next(ln for ln in lines if ln.startswith("本报告由"))):]]
    end = next(i for i, ln in enumerate(body) if ln.startswith("东营市人民政府2019年政府信息公开工作年度报告(最终版).doc"))
    body = [ln for ln in body[:end] if ln != ""]
    first = body.index("第二十条第(一)项")
    last = body.index("1148226.228万元")
    blocks, block = [], None
    widths = {"(一)": 3, "(五)": 3, "(六)": 3, "(八)": 2, "(九)": 2}
    cells = body[first : last + 1]
    i = 0
    while i < len(cells):
        if cells[i].startswith("第二十条第"):
            n = widths[cells[i][5:8]]
            block = (cells[i], cells[i + 1 : i + 2 + n], [])
            blocks.append(block)
            i += 2 + n
        else:
            block[2].append(cells[i : i + 1 + n])
            i += 1 + n
    parts = [paragraphs(body[:first]), article20(blocks), paragraphs(body[last + 1 :])]
    for line in body[last + 1 :]:
        if line.strip("\xa0 ") in ("东营市人民政府", "2020年2月27日"):
            parts[-1] = parts[-1].replace(f"<p>{escape(line)}</p>", f'<p style="text-align: right">{escape(line)}</p>')
    links = [
        '<p><a href="/attach/0/9f3c2a7b41d04c7e8a1b6d2e5f0c3a91.doc" target="_blank">'
        "东营市人民政府2019年政府信息公开工作年度报告(最终版).doc</a></p>",
        '<p><a href="/module/download/downfile.jsp?classid=0&amp;filename=2002271630453821.pdf" target="_blank">'
        "东营市人民政府2019年政府信息公开工作年度报告(最终版).pdf</a></p>",
        '<p>年报电子书<a href="https://www.yunzhan365.com/33421620.html" target="_blank">https://www.yunzhan365.com/33421620.html</a></p>',
        '<p>图解年报<a href="/art/2020/3/31/art_90054_9302490.html?xxgkhide=1" target="_blank">/art/2020/3/31/art_90054_9302490.html?xxgkhide=1</a></p>',
        '<p>年报H5解读<a href="/art/2020/3/20/art_164458_9301001.html" target="_blank">H5解读|东营市人民政府2019年政府信息公开工作年度报告</a></p>',
        "<p>年报音频版:</p>",
        "<p>\xa0\xa0\xa0</p>",
    ]
    return "\n".join(parts + links)


# -- synthetic reports --------------------------------------------------------------------------

WITHHELD_VALUES = [[1, 0, 0, 0, 0, 0], [2, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0], [3, 1, 0, 0, 0, 0],
                   [2, 0, 0, 0, 0, 0], [4, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [3, 0, 0, 0, 0, 0]]
NOT_PROCESSED_VALUES = [[7, 0, 0, 0, 0, 0], [5, 1, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0], [2, 0, 0, 0, 0, 0],
                        [1, 0, 0, 0, 0, 0]]


def synthetic_intro(year: int) -> list[str]:
    return [
        MARK,
        MARK_ZH,
        f"本报告依据《中华人民共和国政府信息公开条例》编制。本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
        "一、总体情况",
        f"{year}年,东营市人民政府持续推进政务公开工作(合成测试数据)。",
    ]


def report_2018() -> str:
    rows = [
        ("一、主动公开情况", "", ""),
        ("(一)主动公开政府信息数(不同渠道和方式公开相同信息计1条)", "条", 52000),
        ("其中:主动公开规范性文件数", "条", 80),
        ("制发规范性文件总数", "件", 85),
        ("(二)通过不同渠道和方式公开政府信息的情况", "", ""),
        ("1.政府公报公开政府信息数", "条", 120),
        ("2.政府网站公开政府信息数", "条", 41000),
        ("3.政务微博公开政府信息数", "条", 6000),
        ("4.政务微信公开政府信息数", "条", 5200),
        ("5.其他方式公开政府信息数", "条", 900),
        ("二、回应解读情况", "", ""),
        ("(一)回应公众关注热点或重大舆情数(不同方式回应同一热点或舆情计1次)", "次", 60),
        ("(二)通过不同渠道和方式回应解读的情况", "", ""),
        ("1.参加或举办新闻发布会总次数", "次", 45),
        ("其中:主要负责同志参加新闻发布会次数", "次", 12),
        ("2.政府网站在线访谈次数", "次", 30),
        ("其中:主要负责同志参加政府网站在线访谈次数", "次", 10),
        ("3.政策解读稿件发布数", "篇", 150),
        ("4.微博微信回应事件数", "次", 80),
        ("5.其他方式回应事件数", "次", 40),
        ("三、依申请公开情况", "", ""),
        ("(一)收到申请数", "件", 210),
        ("1.当面申请数", "件", 30),
        ("2.传真申请数", "件", 0),
        ("3.网络申请数", "件", 150),
        ("4.信函申请数", "件", 30),
        ("(二)申请办结数", "件", 210),
        ("1.按时办结数", "件", 205),
        ("2.延期办结数", "件", 5),
        ("(三)申请答复数", "件", 210),
        ("1.属于已主动公开范围数", "件", 40),
        ("2.同意公开答复数", "件", 90),
        ("3.同意部分公开答复数", "件", 20),
        ("4.不同意公开答复数", "件", 15),
        ("其中:涉及国家秘密", "件", 2),
        ("涉及商业秘密", "件", 1),
        ("涉及个人隐私", "件", 4),
        ("危及国家安全、公共安全、经济安全和社会稳定", "件", 1),
        ("不是《条例》所指政府信息", "件", 5),
        ("法律法规规定的其他情形", "件", 2),
        ("5.不属于本行政机关公开数", "件", 20),
        ("6.申请信息不存在数", "件", 15),
        ("7.告知作出更改补充数", "件", 5),
        ("8.告知通过其他途径办理数", "件", 5),
        ("四、行政复议数量", "件", 8),
        ("(一)维持具体行政行为数", "件", 5),
        ("(二)被依法纠错数", "件", 2),
        ("(三)其他情形数", "件", 1),
        ("五、行政诉讼数量", "件", 6),
        ("(一)维持具体行政行为或者驳回原告诉讼请求数", "件", 4),
        ("(二)被依法纠错数", "件", 1),
        ("(三)其他情形数", "件", 1),
        ("六、被举报投诉数量", "件", 2),
        ("(一)维持具体行政行为数", "件", 1),
        ("(二)被纠错数", "件", 0),
        ("(三)其他情形数", "件", 1),
        ("七、依申请公开信息收取的费用", "万元", 0),
        ("八、机构建设和保障经费情况", "", ""),
        ("(一)政府信息公开工作专门机构数", "个", 1),
        ("(二)设置政府信息公开查阅点数", "个", 12),
        ("(三)从事政府信息公开工作人员数", "人", 60),
        ("1.专职人员数(不包括政府公报及政府网站工作人员数)", "人", 20),
        ("2.兼职人员数", "人", 40),
        ("(四)政府信息公开专项经费(不包括用于政府公报编辑管理及政府网站建设维护等方面的经费)", "万元", 30),
        ("九、政府信息公开会议和培训情况", "", ""),
        ("(一)召开政府信息公开工作会议或专题会议数", "次", 6),
        ("(二)举办各类培训班数", "次", 10),
        ("(三)接受培训人员数", "人次", 800),
    ]
    return "\n".join([
        paragraphs(synthetic_intro(2018) + [
            "二、主动公开政府信息情况", "2018年主动公开政府信息52000条(合成测试数据)。",
            "三、依申请公开政府信息情况", "2018年共收到政府信息公开申请210件(合成测试数据)。",
            "四、政府信息公开的收费及减免情况", "未收取费用。",
            "五、因政府信息公开申请行政复议、提起行政诉讼的情况", "行政复议8件,行政诉讼6件(合成测试数据)。",
            "六、政府信息公开工作存在的主要问题及改进情况", "(合成测试数据)",
            "七、其他需要报告的事项", "无。", "附表:",
        ]),
        legacy("东营市2018年度政府信息公开工作情况统计表", rows),
        '<p style="text-align: right">东营市人民政府</p>',
        '<p style="text-align: right">2019年3月29日</p>',
    ])


def report_2020() -> str:
    return "\n".join([
        paragraphs(synthetic_intro(2020) + ["二、主动公开政府信息情况"]),
        article20([
            ("第二十条第(一)项", ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
             [["规章", 3, 3, 75], ["规范性文件", 60, 60, 380]]),
            ("第二十条第(五)项", ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
             [["行政许可", 490, 5, 790000], ["其他对外管理服务事项", 1560, -3, 640000]]),
            ("第二十条第(六)项", ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
             [["行政处罚", 3270, 2, 15000], ["行政强制", 170, 0, 1100]]),
            ("第二十条第(八)项", ["信息内容", "上一年项目数量", "本年增/减"], [["行政事业性收费", 60, -3]]),
            ("第二十条第(九)项", ["信息内容", "采购项目数量", "采购总金额"], [["政府集中采购", 1100, "1200000.5万元"]]),
        ]),
        paragraphs(["三、收到和处理政府信息公开申请情况"]),
        applications(
            new=[280, 25, 2, 1, 6, 4], carried_in=[12, 2, 0, 0, 1, 0],
            disclosed=[110, 10, 1, 0, 2, 1], partial=[25, 3, 0, 0, 1, 0], withheld=WITHHELD_VALUES,
            unavailable=[[55, 5, 0, 1, 1, 1], [9, 1, 0, 0, 0, 0], [4, 0, 0, 0, 0, 0]],
            not_processed=NOT_PROCESSED_VALUES, other=[[30, 2, 0, 0, 1, 1]],
        ),
        paragraphs(["四、政府信息公开行政复议、行政诉讼情况"]),
        reviews([4, 1, 1, 0], [2, 1, 0, 1], [1, 0, 0, 0]),
        paragraphs(["五、存在的主要问题及改进情况", "(合成测试数据)", "六、其他需要报告的事项", "无。"]),
        '<p style="text-align: right">东营市人民政府</p>',
        '<p style="text-align: right">2021年3月10日</p>',
    ])


def report_2021() -> str:
    return "\n".join([
        paragraphs(synthetic_intro(2021) + ["二、主动公开政府信息情况"]),
        article20([
            ("第二十条第(一)项", ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
             [["规章", 2, 1, 70], ["行政规范性文件", 40, 12, 300]]),
            ("第二十条第(五)项", ["信息内容", "本年处理决定数量"], [["行政许可", 700000]]),
            ("第二十条第(六)项", ["信息内容", "本年处理决定数量"], [["行政处罚", 12000], ["行政强制", 900]]),
            ("第二十条第(八)项", ["信息内容", "本年收费金额(单位:万元)"], [["行政事业性收费", 35000.5]]),
        ]),
        paragraphs(["三、收到和处理政府信息公开申请情况"]),
        applications(
            new=[300, 20, 1, 0, 5, 4], carried_in=[27, 4, 1, 0, 2, 1],
            disclosed=[120, 8, 1, 0, 2, 1], partial=[30, 2, 0, 0, 1, 0], withheld=WITHHELD_VALUES,
            unavailable=[[60, 4, 0, 0, 1, 1], [10, 1, 0, 0, 0, 0], [5, 0, 0, 0, 0, 0]],
            not_processed=NOT_PROCESSED_VALUES,
            other=[[12, 1, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0], [9, 1, 0, 0, 1, 0]],
        ),
        paragraphs(["四、政府信息公开行政复议、行政诉讼情况"]),
        reviews([5, 2, 1, 1], [3, 1, 1, 1], [1, 0, 0, 1]),
        paragraphs(["五、存在的主要问题及改进情况", "(合成测试数据)", "六、其他需要报告的事项", "无。"]),
        '<p style="text-align: right">东营市人民政府</p>',
        '<p style="text-align: right">2022年1月28日</p>',
        '<p>附件:<a href="/attach/0/5b8e0c1d2f3a4b5c6d7e8f9a0b1c2d3e.pdf" target="_blank">'
        f"东营市人民政府2021年政府信息公开工作年度报告{SYN}.pdf</a></p>",
    ])


def side_page(path: str, title: str, date: str, lines: list[str], column: str) -> None:
    article(path, title, date, paragraphs([MARK, *lines]), column=column)


# -- lists --------------------------------------------------------------------------------------

WEBNAME = "%E4%B8%9C%E8%90%A5%E5%B8%82%E4%BA%BA%E6%B0%91%E6%94%BF%E5%BA%9C"  # 东营市人民政府
RECORDS = [  # (href, full title, date), newest first: the 政府信息公开年报 column, 3 per page
    ("http://www.dongying.gov.cn/art/2022/1/28/art_164458_10290001.html", f"东营市人民政府2021年政府信息公开工作年度报告{SYN}", "2022-01-28"),
    ("/art/2022/1/10/art_164458_10280001.html", "东营市人民政府办公室关于做好2021年度政府信息公开工作年度报告编制和发布工作的通知", "2022-01-10"),
    ("/art/2020/3/31/art_90054_9302490.html", "图解:东营市人民政府2019年政府信息公开工作年度报告", "2020-03-31"),
    ("/art/2020/3/20/art_164458_9301001.html", "H5解读|东营市人民政府2019年政府信息公开工作年度报告", "2020-03-20"),
    ("/art/2020/2/27/art_164458_841.html", "东营市人民政府2019年政府信息公开工作年度报告", "2020-02-27"),
    ("/art/2020/2/26/art_164458_820.html", "关于对市政府各部门单位2019年政府信息公开工作年度报告进行社会评议的公告", "2020-02-26"),
    ("/art/2019/3/29/art_164458_7018.html", f"东营市人民政府2018年政府信息公开工作年度报告{SYN}", "2019-03-29"),
    ("/art/2019/3/29/art_170062_7018.html", f"东营市人民政府2018年政府信息公开工作年度报告{SYN}", "2019-03-29"),
    ("/art/2019/1/15/art_164458_6901.html", "东营市人民政府办公室关于做好2018年政府信息公开工作年度报告编制和公布工作的通知", "2019-01-15"),
]
PER_PAGE = 3


def record(href: str, title: str, date: str) -> str:
    short = title if len(title) <= 22 else title[:22] + "..."
    return (f'<record><![CDATA[\n<li><a href="{href}" target="_blank" title="{escape(title)}">{escape(short)}</a>'
            f"<span>{date}</span></li>\n]]></record>")


def nextgroup(page: int) -> str:
    href = (f"/module/web/jpage/dataproxy.jsp?page={page}&appid=1&webid=1&path=/&columnid=164458"
            f"&unitid=4468466&webname={WEBNAME}&permissiontype=0")
    return f'<nextgroup><![CDATA[<a href="{href}"></a>]]></nextgroup>'


def dataproxy_page(page: int) -> str:
    """The XML answer for one page (the same for POST startrecord=… and GET page=…)."""
    records = RECORDS[(page - 1) * PER_PAGE : page * PER_PAGE]
    total_pages = -(-len(RECORDS) // PER_PAGE)
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', "<datastore>"]
    if page < total_pages:
        parts.append(nextgroup(page + 1))
    parts += [f"<totalrecord>{len(RECORDS)}</totalrecord>", f"<totalpage>{total_pages}</totalpage>", "<recordset>"]
    parts += [record(*r) for r in records]
    parts += ["</recordset>", "</datastore>", ""]
    return "\n".join(parts)


COLUMN = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>东营市人民政府 政府信息公开年报</title>
<meta name="SiteName" content="中国·东营" />
<meta name="ColumnName" content="政府信息公开年报" />
<script type="text/javascript" src="/module/jslib/jquery/jquery.js"></script>
<script type="text/javascript" src="/module/jslib/jquery/jpage/jquery.page.min.js"></script>
</head>
<body>
<div class="top"><a href="/"><img src="/images/3/logo.png" alt="中国·东营" /></a></div>
<div class="position"><a href="/">首页</a> &gt; <a href="/col/col37814/index.html">公开</a> &gt; <a href="/col/col37850/index.html">政府信息公开目录</a> &gt; <a href="/col/col164458/index.html">政府信息公开年报</a></div>
<div class="main">
<div class="main-left">
<div class="lm_title">政府信息公开年报</div>
<div id="4468466"><script type="text/xml"><datastore>
{nextgroup}
<recordset>
{records}
</recordset>
</datastore></script></div>
<script type="text/javascript">
var param_4468466 = {{col:1,appid:1,webid:1,path:'/',columnid:164458,sourceContentType:1,unitid:'4468466',webname:'东营市人民政府',permissiontype:0}};
</script>
</div>
<div class="main-right">
<div class="lm_title">政策解读</div>
<div id="4468470"><script type="text/xml"><datastore>
<recordset>
<record><![CDATA[
<li><a href="/art/2020/3/31/art_90054_9302490.html" title="图解:东营市人民政府2019年政府信息公开工作年度报告">图解:东营市人民政府2019年政府...</a></li>
]]></record>
<record><![CDATA[
<li><a href="/art/2020/3/1/art_90054_9301500.html" title="图解:东营市海岸带保护条例">图解:东营市海岸带保护条例</a></li>
]]></record>
</recordset>
</datastore></script></div>
<script type="text/javascript">
var param_4468470 = {{col:1,appid:1,webid:1,path:'/',columnid:90054,sourceContentType:1,unitid:'4468470',webname:'东营市人民政府',permissiontype:0}};
</script>
</div>
</div>
<script type="text/javascript">
$(function () {{
  $('#4468466').jpage({{dataStore: $('#4468466 script').html(), proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: 3, totalRecord: {total}, barPosition: 'bottom', showMode: 'full', dataBefore: '<ul class="list">', dataAfter: '</ul>', ajaxParam: param_4468466}});
  $('#4468470').jpage({{dataStore: $('#4468470 script').html(), proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: 2, totalRecord: 40, showMode: 'none', ajaxParam: param_4468470}});
}});
</script>
</body>
</html>
"""


def column_page() -> str:
    return COLUMN.format(nextgroup=nextgroup(1), records="\n".join(record(*r) for r in RECORDS[:PER_PAGE]),
                         total=len(RECORDS))


EMPTY_LIST = ('<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<totalrecord>9</totalrecord>\n'
              "<totalpage>3</totalpage>\n<recordset>\n</recordset>\n</datastore>\n")

# -- files --------------------------------------------------------------------------------------


def pdf(lines: list[str]) -> bytes:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4, invariant=1)
    y = A4[1] - 72
    for line in lines:
        c.setFont("STSong-Light", 12)
        c.drawString(72, y, line)
        y -= 20
    c.showPage()
    c.save()
    return out.getvalue()


WORD_HTML = """<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta name="ProgId" content="Word.Document">
<title>{title}</title>
</head>
<body>
{content}
</body>
</html>
"""


def write(path: str, text: str | bytes) -> None:
    target = ROOT / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)


def main() -> None:
    seed_title = "东营市人民政府2019年政府信息公开工作年度报告"
    article("/art/2020/2/27/art_164458_841.html", seed_title, "2020-02-27", seed_content(),
            description="本报告由东营市人民政府办公室按照新修订《中华人民共和国政府信息公开条例》")
    article("/art/2019/3/29/art_164458_7018.html", f"东营市人民政府2018年政府信息公开工作年度报告{SYN}",
            "2019-03-29", report_2018(), source="东营市人民政府办公室", description=MARK)
    article("/art/2022/1/28/art_164458_10290001.html", f"东营市人民政府2021年政府信息公开工作年度报告{SYN}",
            "2022-01-28", report_2021(), source="东营市人民政府办公室", description=MARK)

    # Pages a list links to that are not reports (served so that fetching one would show).
    side_page("/art/2020/3/31/art_90054_9302490.html", "图解:东营市人民政府2019年政府信息公开工作年度报告", "2020-03-31",
              ["图解年报(合成测试数据):本页只有图片。", "东营市人民政府2019年政府信息公开工作年度报告"], column="政策解读")
    side_page("/art/2020/3/20/art_164458_9301001.html", "H5解读|东营市人民政府2019年政府信息公开工作年度报告", "2020-03-20",
              ["H5解读页面(合成测试数据)。"], column="政府信息公开年报")
    side_page("/art/2022/1/10/art_164458_10280001.html", RECORDS[1][1], "2022-01-10",
              ["各县区人民政府、市属开发区管委会,市政府各部门、单位:请按要求编制2021年度政府信息公开工作年度报告(合成测试数据)。"],
              column="政府信息公开年报")
    side_page("/art/2020/2/26/art_164458_820.html", RECORDS[5][1], "2020-02-26",
              ["现对市政府各部门单位2019年政府信息公开工作年度报告进行社会评议(合成测试数据)。"], column="政府信息公开年报")
    side_page("/art/2019/1/15/art_164458_6901.html", RECORDS[8][1], "2019-01-15",
              ["请按要求编制2018年政府信息公开工作年度报告(合成测试数据)。"], column="政府信息公开年报")

    write("/col/col164458/index.html", column_page())
    for page in (1, 2, 3):
        write(f"/_lists/164458_p{page}.xml", dataproxy_page(page))
    write("/_lists/empty.xml", EMPTY_LIST)

    # xxgkAnnualReport.jsp answers: the seed and 2021 reports again, 2020 only here.
    module_page("dongyingshi_2019.html", seed_title, "2020-02-27", seed_content())
    module_page("dongyingshi_2020.html", f"东营市人民政府2020年政府信息公开工作年度报告{SYN}", "2021-03-10", report_2020())
    module_page("dongyingshi_2021.html", f"东营市人民政府2021年政府信息公开工作年度报告{SYN}", "2022-01-28", report_2021())
    write("/_xxgk/empty.html", "")
    write("/_xxgk/no_report.html", MODULE.format(title="政府信息公开年报", date="", content="<p>暂无信息</p>"))

    write("/_files/2002271630453821.pdf", pdf([
        "东营市人民政府2019年政府信息公开工作年度报告(最终版)", MARK,
        "A stand-in for the real attachment, which was not captured.",
        "本报告所列数据的统计期限自2019年1月1日起至2019年12月31日止。",
    ]))
    write("/attach/0/5b8e0c1d2f3a4b5c6d7e8f9a0b1c2d3e.pdf", pdf([f"东营市人民政府2021年政府信息公开工作年度报告{SYN}", MARK]))
    write("/attach/0/9f3c2a7b41d04c7e8a1b6d2e5f0c3a91.doc", WORD_HTML.format(
        title="东营市人民政府2019年政府信息公开工作年度报告(最终版)",
        content=paragraphs(["东营市人民政府2019年政府信息公开工作年度报告(最终版)", MARK,
                            "A stand-in for the real .doc (saved by Word as a web page), which was not captured."]),
    ))


if __name__ == "__main__":
    main()
