"""Writes root/ of the 诸城 mirror: GBK pages, as the portal serves them (see README.md).

Run from the repository root after editing: `.venv/bin/python tests/sites/zhucheng/build.py`.
The seed page is rebuilt from tests/seeds/002_*.txt; everything else is synthetic and says so.
"""

from __future__ import annotations

import html
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE / "root"
SEED = next((HERE.parent.parent / "seeds").glob("002_*.txt"))
SYNTHETIC = "【合成测试数据】本页由测试镜像合成,不是诸城市政府网站的真实内容。"

NAV = """<table class="nav" width="100%"><tr>
<td><a href="/">首&nbsp;&nbsp;页</a></td>
<td><a href="/XXGK/XXGKZN/">信息公开指南</a></td>
<td><a href="/XXGK/">信息公开目录</a></td>
<td><a href="/XXGK/XXGKNB/">信息公开年度报告</a></td>
<td><a href="/XXGK/YSQGK/">依申请公开</a></td>
<td><a href="http://www.zhucheng.gov.cn/">返回中国诸城</a></td>
</tr></table>"""

FOOTER = """<div class="tool">【<a href="javascript:window.print()">打&nbsp;&nbsp;&nbsp;&nbsp;印</a>】&nbsp;&nbsp;【<a href="javascript:window.close()">关闭本页</a>】</div>
<div class="footer">Copyright 2003 Zhucheng China All Rights Reserved<br/>
电子邮箱:zcxxcyj@163.com<br/>
主办单位:中共诸城市委 诸城市人民政府<br/>
技术支持:山东金三利信息技术有限公司<br/>
鲁ICP备09082635号</div>"""

# The TRS pager function, as list pages carry it inline (written for this mirror).
PAGER_FUNCTION = """function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {
  if (_nPageCount == null || _nPageCount <= 1) { return; }
  for (var i = 0; i < _nPageCount; i++) {
    var href = i == 0 ? _sPageName + "." + _sPageExt : _sPageName + "_" + i + "." + _sPageExt;
    document.write(i == _nCurrIndex ? "<span>" + (i + 1) + "</span> " : "<a href=\\"" + href + "\\">" + (i + 1) + "</a> ");
  }
}"""


def page(title: str, body: str, *, head: str = "") -> str:
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>{html.escape(title)}</title>
<link href="/images/style.css" rel="stylesheet" type="text/css" />{head}
</head>
<body>
<div class="top">{NAV}</div>
{body}
</body>
</html>
"""


def article(title: str, crumb: str, author: str, date: str, paragraphs: list[str]) -> str:
    content = "\n".join(f"<p>{_cell(p)}</p>" for p in paragraphs)
    return page(title, f"""<div class="position">当前位置: <a href="../">{crumb}</a></div>
<table class="article" width="100%" cellpadding="0" cellspacing="0">
<tr><td class="title" align="center">{html.escape(title)}</td></tr>
<tr><td class="info" align="center">作者: {author} 来源: SRC-122 时间: {date}</td></tr>
<tr><td class="content"><div class="TRS_Editor">
{content}
</div></td></tr>
</table>
{FOOTER}""")


def listing(crumb: str, items: list[tuple[str, str, str, str | None]], pager: str = "") -> str:
    """items: (href, title, date, shown text or None for the full title)."""
    rows = "\n".join(
        f'<tr><td class="bt"><a href="{href}" target="_blank" title="{html.escape(title)}">'
        f"{html.escape(text or title)}</a></td><td class=\"time\">{date}</td></tr>"
        for href, title, date, text in items
    )
    script = f'\n<div class="page"><script type="text/javascript">{pager}</script></div>' if pager else ""
    return page(crumb, f"""<div class="position">当前位置: 信息公开年度报告 &gt; {crumb}</div>
<table class="list" width="100%">
{rows}
</table>{script}""", head=f'\n<script type="text/javascript">\n{PAGER_FUNCTION}\n</script>')


def _cell(text: str) -> str:
    """A seed line as HTML: non-breaking spaces (not in GBK) become &nbsp;."""
    return html.escape(text, quote=False).replace("\xa0", "&nbsp;") or "&nbsp;"


def seed_page() -> str:
    """Seed 002: chrome from its first four lines and its footer, body lines as paragraphs (the
    two 统计表 are the seed's flattened lines, one <p> per line, not rebuilt as <table>s)."""
    lines = SEED.read_text("utf-8").split("\n")
    assert lines[2] == "诸城市人民政府2017年政府信息公开工作年度报告", lines[2]
    assert lines[3] == "作者: 诸城市人民政府办公室 来源: SRC-122 时间: 2018-03-29", lines[3]
    end = next(i for i, line in enumerate(lines) if line.startswith("打"))
    body = [line for line in lines[4:end] if line != ""]
    return article(lines[2], "市政府办公室", "诸城市人民政府办公室", "2018-03-29", body)


def synthetic_report(title: str, body_name: str, author: str, date: str, year: int, crumb: str) -> str:
    return article(title, crumb, author, date, [
        SYNTHETIC,
        body_name,
        f"{year}年政府信息公开工作年度报告",
        f"本报告中所列数据的统计期限自{year}年1月1日至{year}年12月31日。",
        "一、概述",
        f"{year}年,{body_name}认真贯彻落实《中华人民共和国政府信息公开条例》,主动公开政府信息1000条。",
        "二、依申请公开政府信息情况",
        f"{year}年共收到政府信息公开申请10件,均按时答复。",
    ])


def other_page(title: str, crumb: str, author: str, date: str) -> str:
    return article(title, crumb, author, date, [SYNTHETIC, "本页不是政府信息公开工作年度报告。"])


SZFBGS_2018 = ("201901/t20190131_2890012.htm", "诸城市人民政府2018年政府信息公开工作年度报告", "2019-01-31")
SZFBGS_2017 = ("201803/t20180329_2755541.htm", "诸城市人民政府2017年政府信息公开工作年度报告", "2018-03-29")
SZFBGS_NOTICE = ("201801/t20180105_2740021.htm", "诸城市人民政府办公室关于做好2017年度政府信息公开工作年度报告编制发布工作的通知", "2018-01-05")
SZFBGS_2016 = ("201703/t20170328_2650034.htm", "诸城市人民政府2016年政府信息公开工作年度报告", "2017-03-28")
SZFBGS_GRAPHIC = ("201704/t20170405_2660045.htm", "图解:诸城市人民政府2016年政府信息公开工作年度报告", "2017-04-05")
CZJ_2017 = ("201803/t20180320_2750056.htm", "诸城市财政局2017年政府信息公开工作年度报告", "2018-03-20")
CZJ_BUDGET = ("201709/t20170915_2600067.htm", "诸城市财政局2016年度部门决算公开", "2017-09-15")
JYJ_2018 = ("201901/t20190125_2880078.html", "2018年政府信息公开工作年度报告", "2019-01-25")


def files() -> dict[str, str]:
    szfbgs, czj, jyj = "XXGK/XXGKNB/SZFBGS", "XXGK/XXGKNB/CZJ", "XXGK/XXGKNB/jyj"
    return {
        "index.htm": page("诸城市政府信息公开", '<div class="main"><p>诸城市政府信息公开</p></div>'),
        "XXGK/XXGKNB/index.htm": page("信息公开年度报告", """<div class="position">当前位置: 信息公开年度报告</div>
<ul class="menu">
<li><a href="./SZFBGS/">市政府办公室</a></li>
<li><a href="/XXGK/XXGKNB/CZJ/index.htm">市财政局</a></li>
<li><a href="http://xxgk.zhucheng.gov.cn/XXGK/XXGKNB/jyj/index.html">市教育局</a></li>
</ul>"""),
        # 0-based pager, literal arguments; the 2017 link text is cut short, its title attribute is not
        f"{szfbgs}/index.htm": listing("市政府办公室", [
            (f"./{SZFBGS_2018[0]}", SZFBGS_2018[1], SZFBGS_2018[2], None),
            (f"./{SZFBGS_2017[0]}", SZFBGS_2017[1], SZFBGS_2017[2], "诸城市人民政府2017年政府信息公开工作年度..."),
            (f"./{SZFBGS_NOTICE[0]}", SZFBGS_NOTICE[1], SZFBGS_NOTICE[2], None),
        ], 'createPageHTML(2, 0, "index", "htm");'),
        # the same pager through TRS's variables
        f"{szfbgs}/index_1.htm": listing("市政府办公室", [
            (f"./{SZFBGS_2016[0]}", SZFBGS_2016[1], SZFBGS_2016[2], None),
            (f"./{SZFBGS_GRAPHIC[0]}", SZFBGS_GRAPHIC[1], SZFBGS_GRAPHIC[2], None),
        ], 'var countPage = 2;//共多少页\nvar currentPage = 1;//当前页\ncreatePageHTML(countPage, currentPage, "index", "htm");'),
        f"{szfbgs}/{SZFBGS_2017[0]}": seed_page(),
        f"{szfbgs}/{SZFBGS_2018[0]}": synthetic_report(SZFBGS_2018[1], "诸城市人民政府", "诸城市人民政府办公室", SZFBGS_2018[2], 2018, "市政府办公室"),
        f"{szfbgs}/{SZFBGS_2016[0]}": synthetic_report(SZFBGS_2016[1], "诸城市人民政府", "诸城市人民政府办公室", SZFBGS_2016[2], 2016, "市政府办公室"),
        f"{szfbgs}/{SZFBGS_NOTICE[0]}": other_page(SZFBGS_NOTICE[1], "市政府办公室", "诸城市人民政府办公室", SZFBGS_NOTICE[2]),
        f"{szfbgs}/{SZFBGS_GRAPHIC[0]}": other_page(SZFBGS_GRAPHIC[1], "市政府办公室", "诸城市人民政府办公室", SZFBGS_GRAPHIC[2]),
        f"{czj}/index.htm": listing("市财政局", [
            (f"./{CZJ_2017[0]}", CZJ_2017[1], CZJ_2017[2], None),
            (f"./{CZJ_BUDGET[0]}", CZJ_BUDGET[1], CZJ_BUDGET[2], None),
        ]),
        f"{czj}/{CZJ_2017[0]}": synthetic_report(CZJ_2017[1], "诸城市财政局", "诸城市财政局", CZJ_2017[2], 2017, "市财政局"),
        f"{czj}/{CZJ_BUDGET[0]}": other_page(CZJ_BUDGET[1], "市财政局", "诸城市财政局", CZJ_BUDGET[2]),
        # 安丘-style lower case and .html; the title names no body, 作者 does
        f"{jyj}/index.html": listing("市教育局", [(f"./{JYJ_2018[0]}", JYJ_2018[1], JYJ_2018[2], None)]),
        f"{jyj}/{JYJ_2018[0]}": synthetic_report(JYJ_2018[1], "诸城市教育局", "诸城市教育局", JYJ_2018[2], 2018, "市教育局"),
    }


def main() -> None:
    for relpath, text in files().items():
        target = ROOT / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("gbk"))  # strict: every character must exist in GBK


if __name__ == "__main__":
    main()
