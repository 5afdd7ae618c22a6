"""Builds the blind acceptance mirrors of issue 11 item 6: ten synthetic portals none of the
spiders was written for, two on each platform (Hanweb JCMS, Anhui Lonsun, TRS-style, VSB) and two
on CMSs no base knows (an ASP article CMS paged with 下一页/尾页, a list loaded from JSON).

    python tests/sites/unknown_build.py        # rewrites tests/sites/<name>/ for every site below

Each site folder gets root/ (the pages), routes.json (pages behind query strings, POST endpoints),
README.md and manifest.json: the reports the site holds (canonical path, title, body, level,
parent, year) and its distractors (pages that must never become reports). The manifest is written
from the site definitions in this file, never from a crawl; tests/test_unknown_portals.py crawls
each site from tests/sites/unknown_portals.toml (name, home_url, body, level only) and compares.

Every page carries 【合成测试数据】 and every report title ends in (合成测试数据): nothing here is a
real government page. Ids, slugs, dates and numbers are invented; the markup follows the CMS
conventions of docs/portals.md (§2 Hanweb, §3 Lonsun, §5 TRS, §6 VSB), varied where a convention
is only *pattern*.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
SYN = "(合成测试数据)"
FILLER_DEPARTMENTS = (
    "发展和改革委员会 科学技术局 工业和信息化局 民族宗教事务局 公安局 民政局 司法局 人力资源和社会保障局 自然资源和规划局 "
    "生态环境分局 住房和城乡建设局 交通运输局 水利局 农业农村局 商务局 文化旅游体育局 卫生健康委员会 退役军人事务局 "
    "应急管理局 审计局 市场监督管理局 统计局 医疗保障局 林业局 数据资源管理局 人民防空办公室 乡村振兴局 供销合作社联合社 "
    "地方金融监督管理局 投资促进中心 公共资源交易中心 政务服务管理局 粮食和物资储备局 档案馆 机关事务管理局 住房公积金中心 "
    "城市建设投资公司 融媒体中心 气象局 烟草专卖局 税务局 邮政管理局 消防救援大队 残疾人联合会 红十字会 工商业联合会"
).split()
MARK = '<p class="syn">【合成测试数据】本页为测试用合成页面，不是真实的政府网页。</p>'


@dataclass
class Site:
    name: str
    platform: str  # what detection should find: hanweb | lonsun | trs | vsb | generic
    home_url: str
    body: str
    level: str
    readme: str
    encoding: str = "utf-8"
    files: dict[str, str] = field(default_factory=dict)
    routes: list[dict] = field(default_factory=list)
    reports: list[dict] = field(default_factory=list)
    distractors: list[dict] = field(default_factory=list)
    aliases: list[dict] = field(default_factory=list)  # another URL of a listed report: never fetched

    def page(self, path: str, text: str) -> None:
        self.files[path.lstrip("/")] = text

    def route(self, path: str, file: str, params: dict | None = None, **extra) -> None:
        self.routes.append({"path": path, **({"params": params} if params else {}), "file": file, **extra})

    def report(self, path: str, title: str, date: str, html: str, body: str | None = None, year: int | None = None):
        """A report page at `path` (canonical path as linked); `body`: a department's or town's
        name (stored under it, the portal's body as parent), None for the portal's own body."""
        self.reports.append(
            {
                "path": path,
                "title": title,
                "body": body or self.body,
                "level": "department" if body else self.level,
                "parent": self.body if body else None,
                "year": year or int(title.split("年")[0][-4:]),
                "published": date,
            }
        )
        return html

    def distractor(self, path: str, title: str, why: str) -> None:
        self.distractors.append({"path": path, "title": title, "why": why})

    def alias(self, path: str, of: str, why: str) -> None:
        self.aliases.append({"path": path, "of": of, "why": why})

    def write(self) -> None:
        folder = HERE / self.name
        if (folder / "root").exists():
            shutil.rmtree(folder / "root")
        for rel, text in self.files.items():
            target = folder / "root" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode(self.encoding))
        (folder / "routes.json").write_text(json.dumps(self.routes, ensure_ascii=False, indent=1) + "\n", "utf-8")
        manifest = {
            "name": self.name,
            "home_url": self.home_url,
            "body": self.body,
            "level": self.level,
            "platform": self.platform,
            "reports": self.reports,
            "distractors": self.distractors,
            "aliases": self.aliases,
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", "utf-8")
        (folder / "README.md").write_text(self.readme.strip() + "\n", "utf-8")


def t(body: str, year: int, tail: str = "政府信息公开工作年度报告") -> str:
    return f"{body}{year}年{tail}{SYN}"


def paras(title: str, year: int, source: str) -> str:
    return (
        f"{MARK}<p>{escape(title)}</p><p>本报告由{source}编制。本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。</p>"
        f"<p>一、总体情况</p><p>{year}年，主动公开政府信息{100 + year % 100 * 7}条(合成测试数据)。</p>"
    )


# ------------------------------------------------------------------------------------------------
# report page styles


def hanweb_article(title: str, date: str, source: str, year: int, column: str) -> str:
    return f"""<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{escape(title)}</title><meta name="ArticleTitle" content="{escape(title)}" /><meta name="PubDate" content="{date}" />
<meta name="ColumnName" content="{column}" /><meta name="ContentSource" content="{source}" />
<script type="text/javascript" src="/script/0/jquery.js"></script></head><body>
<div class="position"><a href="/">首页</a> &gt; 政务公开 &gt; {column}</div>
<div class="title">{escape(title)}</div><div class="info">发布日期:{date} 浏览次数:<span id="c"></span> 信息来源:{source}</div>
<div id="zoom"><!--ContentStart-->{paras(title, year, source)}<!--ContentEnd--></div></body></html>"""


def lonsun_article(title: str, date: str, source: str, year: int, organ: str) -> str:
    return f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>
<meta name="ArticleTitle" content="{escape(title)}"><meta name="PubDate" content="{date} 10:30"></head><body>
<table class="xxgk_table"><tr><td>索引号:</td><td>{organ}/2024-00012</td><td>发布机构:</td><td>{source}</td></tr>
<tr><td>发布日期:</td><td>{date}</td><td>文号:</td><td></td></tr></table>
<h1 class="newstitle">{escape(title)}</h1>
<div class="newsinfo">浏览次数:<span id="hits"></span> 信息来源: {source} 发布时间:{date} 10:30 字号:</div>
<div class="j-fontContent">{paras(title, year, source)}</div>
<div class="foot">扫描二维码随身看资讯</div></body></html>"""


def trs_article(title: str, date: str, source: str, year: int) -> str:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title>
<meta name="ArticleTitle" content="{escape(title)}"><meta name="PubDate" content="{date} 09:12"></head><body>
<h2 class="article-title">{escape(title)}</h2><div class="article-info">资料来源:{source} 发布日期:{date} 09:12 字号: 打印: 保存:</div>
<div class="TRS_Editor">{paras(title, year, source)}</div></body></html>"""


def vsb_article(title: str, date: str, source: str, year: int, index: str) -> str:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title>
<script type="text/javascript" src="/system/resource/js/counter.js"></script></head><body>
<form name="_newscontent_fromname"><h1>{escape(title)}</h1>
<div class="xxgk-meta">索 引 号: {index}  公开目录: 年度报告 发布机构: {source} 发布日期: {date}</div>
<div class="info">发布时间:{date} 点击次数:<script>_showDynClicks("wbnews", 1, 1)</script> 【文字大小:</div>
<div id="vsb_content"><div class="v_news_content">{paras(title, year, source)}</div></div></form></body></html>"""


def plain_article(title: str, date: str, source: str, year: int, charset: str = "utf-8") -> str:
    return f"""<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{escape(title)}</title></head><body><table class="main"><tr><td class="art_title"><h1>{escape(title)}</h1></td></tr>
<tr><td class="art_info">发布时间：{date}　来源：{source}　点击数：</td></tr>
<tr><td class="art_content"><div class="content">{paras(title, year, source)}</div></td></tr></table></body></html>"""


def shell(title: str, body: str, foot: str, head: str = "", charset: str = "utf-8") -> str:
    return f"""<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{escape(title)}</title>{head}</head><body>{MARK}{body}<div class="footer">{foot}</div></body></html>"""


def xml_store(records: list[str], nextgroup: str | None, total: int, pages: int) -> str:
    recs = "".join(f"<record><![CDATA[{r}]]></record>\n" for r in records)
    ng = f"<nextgroup><![CDATA[<a href=\"{escape(nextgroup)}\"></a>]]></nextgroup>\n" if nextgroup else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<!-- 【合成测试数据】 -->\n<datastore>\n{ng}<totalrecord>{total}</totalrecord>\n'
        f"<totalpage>{pages}</totalpage>\n<recordset>\n{recs}</recordset>\n</datastore>\n"
    )


def jpage_column(
    title: str,
    foot: str,
    column: int,
    unit: int,
    webid: int,
    webname: str,
    records: list[str],
    total: int,
    per_page: int,
    proxy: str = "/module/web/jpage/dataproxy.jsp",
    nextgroup: str | None = None,
    extra: str = "",
) -> str:
    recs = "".join(f"<record><![CDATA[{r}]]></record>\n" for r in records)
    ng = f"<nextgroup><![CDATA[<a href=\"{escape(nextgroup)}\"></a>]]></nextgroup>\n" if nextgroup else ""
    body = f"""<div class="lm_title">{title}</div>{extra}
<div id="{unit}"><script type="text/xml"><datastore>
{ng}<recordset>
{recs}</recordset></datastore></script></div>
<script type="text/javascript">
var param_{unit} = {{col:1,appid:1,webid:{webid},path:'/',columnid:{column},sourceContentType:1,unitid:'{unit}',webname:'{webname}',permissiontype:0}};
$(function () {{ $('#{unit}').jpage({{dataStore: {unit}, proxyUrl: '{proxy}', perPage: {per_page}, totalRecord: {total}, ajaxParam: param_{unit}}}); }});
</script>"""
    return shell(title, body, foot, '<script type="text/javascript" src="/script/0/jquery.js"></script>')


# ================================================================================================
# Hanweb 1: 嘉祥县 — a parent column of 更多>> boxes, year channels, an organ list, POST dataproxy


def jiaxiang() -> Site:
    s = Site(
        "jiaxiang",
        "hanweb",
        "http://www.jiaxiang.gov.cn",
        "嘉祥县人民政府",
        "county",
        """
# jiaxiang — blind acceptance mirror, Hanweb JCMS (嘉祥县人民政府, synthetic)

Built by `tests/sites/unknown_build.py` (issue 11 item 6); expected reports in `manifest.json`.
Everything is synthetic (【合成测试数据】). Footer names 大汉网络.

- home → 政务公开 (`/col/col2701/`, a static catalogue) → 政府信息公开年报 (`col2710`): a parent
  column holding only 更多>> boxes: 县政府年报 (`col2711`), 部门年报 (`col2712`), 乡镇（街道）年报
  (`col2715`), and a 通知公告 box whose 更多>> must not be followed;
- `col2711`: jpage, perPage 3, totalRecord 8: pages 2 and 3 only by **POST** dataproxy
  (`startrecord=4…`, `startrecord=7…`); 图解, 解读 and 部分数据的更正 records are distractors;
- `col2712` 部门年报: static links to year channels 2023年度 (`col2713`), 2022年度 (`col2714`;
  perPage 2, its third record on page 2); a 新闻发布会 record is a distractor;
- `col2715`: a town's report (stored under 嘉祥镇人民政府);
- 部门信息公开 (`col2750`): organs; 嘉祥县发展和改革局's page (`col2760`) links its own
  政府信息公开年报 (`col2761`; its 2022 report is titled without a body: its page's 信息来源 names
  the department), 嘉祥县市场监督管理局's page links its 年度报告 in the xxgk module
  (`/module/xxgk/xxgkAnnualReport.jsp?area={统一社会信用代码}&fbtime=2023`; 2022 there too, other
  years 404);
- the county's 2023 report is listed again by 2023年度 as `art_2713_80231` (one article, two columns).
""",
    )
    foot = "主办：嘉祥县人民政府办公室 技术支持：大汉网络 【合成测试数据】"
    web = "嘉祥县人民政府"
    nav = '<div class="nav"><a href="/index.html">首页</a> <a href="/col/col2601/index.html">新闻中心</a> <a href="/col/col2701/index.html">政务公开</a> <a href="/col/col2801/index.html">互动交流</a></div>'
    s.page("index.html", shell("嘉祥县人民政府门户网站", nav + '<div class="news"><a href="/art/2024/3/1/art_2601_90001.html">县政府召开常务会议</a></div>', foot))
    s.page(
        "col/col2701/index.html",
        shell(
            "政务公开",
            nav
            + """<ul class="xxgk-tree"><li><a href="/col/col2702/index.html">政府信息公开指南</a></li>
<li><a href="/col/col2703/index.html">政府信息公开制度</a></li><li><a href="/col/col2704/index.html">法定主动公开内容</a></li>
<li><a href="/col/col2710/index.html">政府信息公开年报</a></li><li><a href="/col/col2750/index.html">部门信息公开</a></li>
<li><a href="/col/col2720/index.html">统计年报</a></li></ul>""",
            foot,
        ),
    )
    s.page(
        "col/col2710/index.html",
        shell(
            "政府信息公开年报",
            nav
            + """<div class="box"><div class="bt">县政府年报</div><a class="more" href="/col/col2711/index.html">更多>></a></div>
<div class="box"><div class="bt">部门年报</div><a class="more" href="/col/col2712/index.html">更多>></a></div>
<div class="box"><div class="bt">乡镇（街道）年报</div><a class="more" href="/col/col2715/index.html">更多>></a></div>
<div class="box"><div class="bt">通知公告</div><a class="more" href="/col/col2730/index.html">更多>></a></div>""",
            foot,
        ),
    )

    def rec(href: str, title: str, date: str) -> str:
        return f'<li><a href="{href}" title="{escape(title)}" target="_blank">{escape(title[:16])}...</a><span>{date}</span></li>'

    county = [
        (2023, "/art/2024/1/22/art_2711_80231.html", "2024-01-22"),
        (2022, "/art/2023/1/20/art_2711_70125.html", "2023-01-20"),
        (2021, "/art/2022/1/25/art_2711_60877.html", "2022-01-25"),
        (2020, "/art/2021/1/28/art_2711_50432.html", "2021-01-28"),
        (2019, "/art/2020/1/17/art_2711_40219.html", "2020-01-17"),
    ]
    recs = {}
    for year, href, date in county:
        title = t("嘉祥县人民政府", year)
        s.page(href, s.report(href, title, date, hanweb_article(title, date, "嘉祥县人民政府办公室", year, "县政府年报")))
        recs[year] = rec(href, title, date)
    d1 = ("/art/2024/1/26/art_2711_80240.html", "图解：嘉祥县人民政府2023年政府信息公开工作年度报告", "2024-01-26")
    d2 = ("/art/2023/1/30/art_2711_70160.html", "一图读懂嘉祥县2022年政府信息公开工作年度报告", "2023-01-30")
    d3 = ("/art/2022/3/2/art_2711_61002.html", "关于嘉祥县人民政府2021年政府信息公开工作年度报告部分数据的更正", "2022-03-02")
    for href, title, date in (d1, d2, d3):
        s.page(href, shell(title, f"<h1>{title}</h1><div id='zoom'>{MARK}</div>", foot))
        s.distractor(href, title, "图解 / 一图读懂 / 更正")
    p1 = [recs[2023], rec(*d1), recs[2022]]
    p2 = [rec(*d2), recs[2021], recs[2020]]
    p3 = [recs[2019], rec(*d3)]
    s.page(
        "col/col2711/index.html",
        jpage_column("县政府年报", foot, 2711, 5301, 12, web, p1, 8, 3, nextgroup="/module/web/jpage/dataproxy.jsp?page=2&appid=1&webid=12&path=/&columnid=2711&unitid=5301&webname=" + quote(web) + "&permissiontype=0"),
    )
    s.page("_lists/2711_p2.xml", xml_store(p2, "/module/web/jpage/dataproxy.jsp?page=3&columnid=2711&unitid=5301", 8, 3))
    s.page("_lists/2711_p3.xml", xml_store(p3, None, 8, 3))
    s.page("_lists/empty.xml", xml_store([], None, 0, 0))
    px = "/module/web/jpage/dataproxy.jsp"
    s.route(px, "_lists/2711_p2.xml", {"columnid": "2711", "unitid": "5301", "startrecord": "4"}, method="POST")
    s.route(px, "_lists/2711_p3.xml", {"columnid": "2711", "unitid": "5301", "startrecord": "7"}, method="POST")

    # 部门年报 → year channels
    s.page(
        "col/col2712/index.html",
        shell(
            "部门年报",
            nav
            + '<div class="lm_title">部门年报</div><ul class="sub"><li><a href="/col/col2713/index.html">2023年度</a></li><li><a href="/col/col2714/index.html">2022年度</a></li></ul>',
            foot,
        ),
    )
    d2023 = [
        ("嘉祥县教育和体育局", "/art/2024/1/29/art_2713_80301.html", "2024-01-29", "嘉祥县教育和体育局"),
        ("嘉祥县财政局", "/art/2024/1/30/art_2713_80302.html", "2024-01-30", "嘉祥县财政局"),
        ("县卫生健康局", "/art/2024/1/31/art_2713_80303.html", "2024-01-31", "嘉祥县卫生健康局"),
    ]
    d2022 = [
        ("嘉祥县教育和体育局", "/art/2023/1/29/art_2714_70301.html", "2023-01-29", "嘉祥县教育和体育局"),
        ("嘉祥县财政局", "/art/2023/1/30/art_2714_70302.html", "2023-01-30", "嘉祥县财政局"),
        ("嘉祥县民政局", "/art/2023/2/1/art_2714_70303.html", "2023-02-01", "嘉祥县民政局"),
    ]
    y23, y22 = [], []
    for year, rows, out in ((2023, d2023, y23), (2022, d2022, y22)):
        for name, href, date, body in rows:
            title = t(name, year)
            s.page(href, s.report(href, title, date, hanweb_article(title, date, body, year, "部门年报"), body=body))
            out.append(rec(href, title, date))
    d4 = ("/art/2024/2/2/art_2713_80310.html", "嘉祥县2023年政府信息公开工作年度报告新闻发布会", "2024-02-02")
    s.page(d4[0], shell(d4[1], f"<h1>{d4[1]}</h1>", foot))
    s.distractor(d4[0], d4[1], "发布会")
    alias = "/art/2024/1/22/art_2713_80231.html"  # the county's 2023 report, listed again by 2023年度
    s.route(alias, "art/2024/1/22/art_2711_80231.html")
    s.alias(alias, "/art/2024/1/22/art_2711_80231.html", "one article in two columns (art_{col}_ differs)")
    again = rec(alias, t("嘉祥县人民政府", 2023), "2024-01-22")
    s.page("col/col2713/index.html", jpage_column("2023年度", foot, 2713, 5303, 12, web, [again, *y23, rec(*d4)], 5, 5))
    s.page("col/col2714/index.html", jpage_column("2022年度", foot, 2714, 5304, 12, web, y22[:2], 3, 2))
    s.page("_lists/2714_p2.xml", xml_store(y22[2:], None, 3, 2))
    s.route(px, "_lists/2714_p2.xml", {"columnid": "2714", "unitid": "5304", "startrecord": "3"}, method="POST")

    # 乡镇（街道）年报
    href, date = "/art/2024/1/24/art_2715_80401.html", "2024-01-24"
    title = t("嘉祥镇人民政府", 2023)
    s.page(href, s.report(href, title, date, hanweb_article(title, date, "嘉祥镇人民政府", 2023, "乡镇（街道）年报"), body="嘉祥镇人民政府"))
    s.page("col/col2715/index.html", jpage_column("乡镇（街道）年报", foot, 2715, 5305, 12, web, [rec(href, title, date)], 1, 10))

    # 部门信息公开 → organs
    s.page(
        "col/col2750/index.html",
        shell(
            "部门信息公开",
            nav
            + """<ul class="organs"><li><a href="/col/col2760/index.html">嘉祥县发展和改革局</a></li>
<li><a href="/col/col2770/index.html">嘉祥县市场监督管理局</a></li><li><a href="/col/col2790/index.html">联系我们</a></li></ul>""",
            foot,
        ),
    )
    s.page(
        "col/col2760/index.html",
        shell("嘉祥县发展和改革局", nav + '<ul><li><a href="/col/col2762/index.html">机构职能</a></li><li><a href="/col/col2761/index.html">政府信息公开年报</a></li></ul>', foot),
    )
    # 嘉祥县市场监督管理局 publishes through the xxgk module: its area is its 统一社会信用代码
    area = "11370829MB2803456X"
    s.page(
        "col/col2770/index.html",
        shell("嘉祥县市场监督管理局", nav + f'<ul><li><a href="/col/col2772/index.html">机构职能</a></li><li><a href="/module/xxgk/xxgkAnnualReport.jsp?area={area}&fbtime=2023">年度报告</a></li></ul>', foot),
    )
    for year, date in ((2023, "2024-01-27"), (2022, "2023-01-28")):
        path = f"/module/xxgk/xxgkAnnualReport.jsp?area={area}&fbtime={year}"
        title = t("嘉祥县市场监督管理局", year)
        page = f"""<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{escape(title)}</title><link rel="stylesheet" href="/module/xxgk/css/xxgk.css" /></head><body>
<div class="xxgk_top">嘉祥县市场监督管理局 政府信息公开</div><div class="nb_box"><div class="nb_title">{escape(title)}</div>
<div class="nb_time">发布时间:{date}</div><div class="nb_content" id="zoom">{paras(title, year, "嘉祥县市场监督管理局")}</div></div></body></html>"""
        s.page(f"_xxgk/{area}_{year}.html", s.report(path, title, date, page, body="嘉祥县市场监督管理局"))
        s.route("/module/xxgk/xxgkAnnualReport.jsp", f"_xxgk/{area}_{year}.html", {"area": area, "fbtime": str(year)})
    org = []
    for year, href, date in ((2023, "/art/2024/1/19/art_2761_80501.html", "2024-01-19"), (2022, "/art/2023/1/18/art_2761_70501.html", "2023-01-18")):
        title = t("嘉祥县发展和改革局" if year == 2023 else "", year)
        s.page(href, s.report(href, title, date, hanweb_article(title, date, "嘉祥县发展和改革局", year, "政府信息公开年报"), body="嘉祥县发展和改革局"))
        org.append(rec(href, title, date))
    s.page("col/col2761/index.html", jpage_column("政府信息公开年报", foot, 2761, 5306, 12, web, org, 2, 15))
    s.route(px, "_lists/empty.xml")
    return s


# ================================================================================================
# Hanweb 2: 汶上县 — no CMS name, old GET-only proxy, records in table rows, a sub-column record


def wenshang() -> Site:
    s = Site(
        "wenshang",
        "hanweb",
        "http://www.wenshang.gov.cn",
        "汶上县人民政府",
        "county",
        """
# wenshang — blind acceptance mirror, Hanweb JCMS (汶上县人民政府, synthetic)

Built by `tests/sites/unknown_build.py`; expected reports in `manifest.json`. All synthetic
(【合成测试数据】). The footer names no CMS: the platform shows only in URL shapes and jpage markup.

- home → 信息公开 (`col17840`) → 法定主动公开内容 (`col17841`, a catalogue) → 年度报告 (`col17850`):
  records in `<tr><td>` rows, perPage 5, totalRecord 11, the older proxy `/module/jpage/dataproxy.jsp`
  answering **GET only** (POST 404), pages 2 and 3;
- one record of `col17850` is the sub-column 部门年度报告 (`col17860`): perPage 2, GET pages 2–3;
  one department report is linked on the sub-host `zjj.wenshang.gov.cn`;
- distractors: 图解, 更正说明, 统计年报, and 济宁市人民政府's report (another government).
""",
    )
    foot = "汶上县人民政府办公室主办 鲁ICP备00000000号 【合成测试数据】"
    web = "汶上县人民政府"
    nav = '<div class="nav"><a href="/index.html">网站首页</a> | <a href="/col/col17800/index.html">走进汶上</a> | <a href="/col/col17840/index.html">信息公开</a></div>'
    s.page("index.html", shell("汶上县人民政府", nav, foot))
    s.page("col/col17840/index.html", shell("信息公开", nav + '<div class="left"><a href="/col/col17842/index.html">信息公开指南</a><a href="/col/col17841/index.html">法定主动公开内容</a><a href="/col/col17843/index.html">依申请公开</a></div>', foot))
    s.page(
        "col/col17841/index.html",
        shell("法定主动公开内容", nav + '<table class="ml"><tr><td><a href="/col/col17845/index.html">政府文件</a></td><td><a href="/col/col17850/index.html">年度报告</a></td><td><a href="/col/col17846/index.html">财政预决算</a></td></tr></table>', foot),
    )

    def rec(href: str, title: str, date: str) -> str:
        return f'<table width="100%"><tr><td class="bt"><a href="{href}" title="{escape(title)}" target="_blank">{escape(title[:20])}</a></td><td class="rq">[{date}]</td></tr></table>'

    rows = {}
    for year, href, date in (
        (2023, "/art/2024/1/16/art_17850_412233.html", "2024-01-16"),
        (2022, "/art/2023/1/13/art_17850_398812.html", "2023-01-13"),
        (2021, "/art/2022/1/14/art_17850_377001.html", "2022-01-14"),
        (2020, "/art/2021/1/15/art_17850_350090.html", "2021-01-15"),
        (2019, "/art/2020/1/10/art_17850_330412.html", "2020-01-10"),
        (2018, "/art/2019/1/11/art_17850_300125.html", "2019-01-11"),
        (2017, "/art/2018/1/12/art_17850_280003.html", "2018-01-12"),
    ):
        title = t("汶上县人民政府", year, "政府信息公开年度报告")
        s.page(href, s.report(href, title, date, hanweb_article(title, date, "汶上县人民政府办公室", year, "年度报告")))
        rows[year] = rec(href, title, date)
    dist = [
        ("/art/2024/1/20/art_17850_412300.html", "汶上县2023年政府信息公开工作年度报告图解", "2024-01-20", "图解"),
        ("/art/2023/2/1/art_17850_399000.html", "汶上县人民政府关于2022年政府信息公开工作年度报告的更正说明", "2023-02-01", "更正说明"),
        ("/art/2024/3/5/art_17850_413001.html", "汶上县2023年统计年报", "2024-03-05", "统计年报"),
        ("/art/2024/1/18/art_17850_412250.html", "济宁市人民政府2023年政府信息公开工作年度报告" + SYN, "2024-01-18", "another government"),
    ]
    drec = {}
    for href, title, date, why in dist:
        s.page(href, hanweb_article(title, date, "济宁市人民政府办公室", 2023, "年度报告"))
        s.distractor(href, title, why)
        drec[why] = rec(href, title, date)
    sub = '<table width="100%"><tr><td class="bt"><a href="/col/col17860/index.html" title="部门年度报告">部门年度报告</a></td><td class="rq">[2024-01-30]</td></tr></table>'
    p1 = [sub, rows[2023], drec["图解"], drec["another government"], rows[2022]]
    p2 = [drec["更正说明"], rows[2021], rows[2020], drec["统计年报"], rows[2019]]
    p3 = [rows[2018], rows[2017]]
    proxy = "/module/jpage/dataproxy.jsp"
    q = f"appid=1&webid=4&path=/&columnid=17850&unitid=62811&webname={quote(web)}&permissiontype=0"
    s.page(
        "col/col17850/index.html",
        jpage_column("年度报告", foot, 17850, 62811, 4, web, p1, 12, 5, proxy=proxy, nextgroup=f"{proxy}?page=2&{q}"),
    )
    s.page("_lists/17850_p2.xml", xml_store(p2, f"{proxy}?page=3&{q}", 12, 3))
    s.page("_lists/17850_p3.xml", xml_store(p3, None, 12, 3))
    s.page("_lists/empty.xml", xml_store([], None, 0, 0))
    s.route(proxy, "_lists/17850_p2.xml", {"columnid": "17850", "unitid": "62811", "page": "2"}, method="GET")
    s.route(proxy, "_lists/17850_p3.xml", {"columnid": "17850", "unitid": "62811", "page": "3"}, method="GET")

    dept = [
        ("汶上县住房和城乡建设局", 2023, "http://zjj.wenshang.gov.cn/art/2024/1/30/art_31201_9901.html", "/art/2024/1/30/art_31201_9901.html", "2024-01-30", "汶上县住房和城乡建设局"),
        ("县交通运输局", 2023, "/art/2024/1/29/art_17860_412501.html", None, "2024-01-29", "汶上县交通运输局"),
        ("汶上县住房和城乡建设局", 2022, "/art/2023/1/29/art_17860_398901.html", None, "2023-01-29", "汶上县住房和城乡建设局"),
        ("县交通运输局", 2022, "/art/2023/1/28/art_17860_398902.html", None, "2023-01-28", "汶上县交通运输局"),
        ("汶上县审计局", 2021, "/art/2022/1/27/art_17860_377301.html", None, "2022-01-27", "汶上县审计局"),
    ]
    drows = []
    for name, year, href, path, date, body in dept:
        title = t(name, year, "政府信息公开工作年度报告")
        path = path or href
        s.page(path, s.report(path, title, date, hanweb_article(title, date, body, year, "部门年度报告"), body=body))
        drows.append(rec(href, title, date))
    q2 = f"appid=1&webid=4&path=/&columnid=17860&unitid=62812&webname={quote(web)}&permissiontype=0"
    s.page("col/col17860/index.html", jpage_column("部门年度报告", foot, 17860, 62812, 4, web, drows[:2], 5, 2, proxy=proxy, nextgroup=f"{proxy}?page=2&{q2}"))
    s.page("_lists/17860_p2.xml", xml_store(drows[2:4], f"{proxy}?page=3&{q2}", 5, 3))
    s.page("_lists/17860_p3.xml", xml_store(drows[4:], None, 5, 3))
    s.route(proxy, "_lists/17860_p2.xml", {"columnid": "17860", "unitid": "62812", "page": "2"}, method="GET")
    s.route(proxy, "_lists/17860_p3.xml", {"columnid": "17860", "unitid": "62812", "page": "3"}, method="GET")
    s.route(proxy, "_lists/empty.xml", method="GET")
    return s


# ================================================================================================
# Lonsun 1: 利辛县 — xxgk under /xxgk, rows only through the label, an organ list (信息公开单位)


def lonsun_column(title: str, organ: int, organ_name: str, tree: list[tuple[str, str]], content: str, foot: str, script: str = "") -> str:
    items = "".join(f'<li><a href="{href}">{text}</a></li>' for text, href in tree)
    body = f"""<div class="header"><a href="/">首页</a> <a href="/xxgk/index.html">信息公开</a></div>
<div class="xxgk_wrap"><div class="xxgk_left"><div class="organ_name">{organ_name}</div><ul class="xxgk_tree">{items}</ul></div>
<div class="xxgk_right"><div class="xxgk_title">{title}</div>{content}</div></div>{script}"""
    return shell(title + "_" + organ_name, body, foot, '<script src="/assets/js/ls.min.js"></script>')


def lixin() -> Site:
    s = Site(
        "lixin",
        "lonsun",
        "https://www.lixin.gov.cn",
        "利辛县人民政府",
        "county",
        """
# lixin — blind acceptance mirror, Anhui Lonsun 集约化平台 (利辛县人民政府, synthetic)

Built by `tests/sites/unknown_build.py`; expected reports in `manifest.json`. All synthetic
(【合成测试数据】). Footer names no CMS.

- home → 信息公开 (`/xxgk/index.html`) → 政府信息公开年报 of organ 4971 (县政府办):
  `/xxgk/public/column/4971?type=3&action=list`, whose rows come **only** from the label
  (`/site/label/8888`, `file=/xxgk/publicInfoList_lx2021`, pageSize 4; two pages);
- 信息公开单位 (`/xxgk/organ.html`): organs, each with its own tree: 利辛县教育局 (5012, one list
  page, `ul.doc_list`, titles naming no body: the pages' 发布机构 do), 利辛县财政局 (5013, inline rows, `Ls.pagination` pageCount 2: its 2022
  report only on `pageIndex=2`), 利辛县信访局 (5014, no 年报 node);
- distractors: 解读, 更正说明 in the label pages.
""",
    )
    foot = "利辛县人民政府办公室 主办 皖ICP备00000000号 【合成测试数据】"
    s.page("index.html", shell("利辛县人民政府", '<div class="nav"><a href="/">首页</a><a href="/zjlx/index.html">走进利辛</a><a href="/xxgk/index.html">信息公开</a><a href="/hdjl/index.html">互动交流</a></div>', foot))
    s.page(
        "xxgk/index.html",
        shell(
            "信息公开",
            """<div class="xxgk_home"><a href="/xxgk/public/column/4971?type=2&action=list">政府信息公开指南</a>
<a href="/xxgk/public/column/4971?type=1&action=list">政府信息公开制度</a>
<a href="/xxgk/public/column/4971?type=3&action=list">政府信息公开年报</a>
<a href="/xxgk/organ.html">信息公开单位</a></div>""",
            foot,
        ),
    )
    tree = lambda o: [  # noqa: E731
        ("政府信息公开指南", f"/xxgk/public/column/{o}?type=2&action=list"),
        ("政府信息公开制度", f"/xxgk/public/column/{o}?type=1&action=list"),
        ("政府信息公开年报", f"/xxgk/public/column/{o}?type=3&action=list"),
        ("法定主动公开内容", f"/xxgk/public/column/{o}?type=4&action=list"),
    ]
    label = """<script>
  var param = {labelName: 'publicInfoList', siteId: '6789012', organId: '4971', type: '3', catId: '', pageSize: 4, isDate: true, dateFormat: 'yyyy-MM-dd', file: '/xxgk/publicInfoList_lx2021'};
  Ls.pagination('#page_public_info', function (pageIndex) {
    $('#public_info_list').load('/site/label/8888?IsAjax=1&dataType=html&' + $.param(param) + '&pageIndex=' + pageIndex + '&action=list');
  });
</script>"""
    s.page(
        "lists/c4971_3.html",
        lonsun_column("政府信息公开年报", 4971, "利辛县人民政府办公室", tree(4971), '<div class="xxgk_nav_con" id="public_info_list"></div><div id="page_public_info"></div>', foot, label),
    )
    s.route("/xxgk/public/column/4971", "lists/c4971_3.html", {"type": "3"})

    def row(n: int, href: str, title: str, date: str) -> str:
        return f'<div class="xxgk_navli"><ul><li class="xh">{n}</li><li class="mc"><a href="{href}" title="{escape(title)}" target="_blank">{escape(title[:18])}...</a></li><li class="wh"></li><li class="rq">{date}</li></ul></div>'

    items = []
    for year, cid, date in ((2023, 81234561, "2024-01-23"), (2022, 71234561, "2023-01-20"), (2021, 61234561, "2022-01-21"), (2020, 51234561, "2021-01-22"), (2019, 41234561, "2020-01-20")):
        href = f"/xxgk/public/4971/{cid}.html"
        title = t("利辛县人民政府", year)
        s.page(href, s.report(href, title, date, lonsun_article(title, date, "利辛县人民政府办公室", year, "003250789")))
        items.append((f"https://www.lixin.gov.cn{href}", title, date))
    dj = ("/xxgk/public/4971/81234570.html", "利辛县2023年政府信息公开工作年度报告解读", "2024-01-25")
    dg = ("/xxgk/public/4971/71234570.html", "关于利辛县人民政府2022年政府信息公开工作年度报告的更正说明", "2023-02-10")
    for href, title, date in (dj, dg):
        s.page(href, lonsun_article(title, date, "利辛县人民政府办公室", 2023, "003250789"))
        s.distractor(href, title, "解读 / 更正说明")
    page1 = [items[0], (f"https://www.lixin.gov.cn{dj[0]}", dj[1], dj[2]), items[1], items[2]]
    page2 = [(f"https://www.lixin.gov.cn{dg[0]}", dg[1], dg[2]), items[3], items[4]]
    pager = '<div id="page_public_info" class="pagination"><span class="current">{c}</span><a href="javascript:;" paged="2">2</a><a href="javascript:;" paged="2">尾页</a><span>共2页</span></div>'
    for n, rows in ((1, page1), (2, page2)):
        frag = '<div class="xxgk_nav_con">' + "".join(row(i + 1, *r) for i, r in enumerate(rows)) + "</div>" + pager.format(c=n)
        s.page(f"lists/label_4971_p{n}.html", "<!-- 【合成测试数据】 label fragment -->" + frag)
        s.route("/site/label/8888", f"lists/label_4971_p{n}.html", {"labelName": "publicInfoList", "siteId": "6789012", "organId": "4971", "type": "3", "pageIndex": str(n), "file": "/xxgk/publicInfoList_lx2021"})

    # a county's full list of organs: 50, most of whose 年报 lists are empty; the last one listed
    # (利辛县城市管理局) has a report
    names = {5012: "利辛县教育局", 5013: "利辛县财政局", 5014: "利辛县信访局"}
    fillers = {5100 + i: f"利辛县{d}" for i, d in enumerate(FILLER_DEPARTMENTS)}
    names |= fillers | {5060: "利辛县城市管理局"}
    links = "".join(f'<li><a href="/xxgk/public/column/{o}?type=4&action=list">{n}</a></li>' for o, n in names.items())
    s.page(
        "xxgk/organ.html",
        shell("信息公开单位", f'<div class="organ_list"><h3>县政府部门</h3><ul>{links}</ul><h3>其他</h3><ul><li><a href="/xxgk/help.html">使用帮助</a></li></ul></div>', foot),
    )
    for organ, name in {**fillers, 5060: names[5060]}.items():
        rows = ""
        if organ == 5060:
            href, date = "/xxgk/public/5060/81300061.html", "2024-02-02"
            title = t(name, 2023)
            s.page(href, s.report(href, title, date, lonsun_article(title, date, name, 2023, "003250860"), body=name))
            rows = f'<li><a href="{href}" title="{escape(title)}">{escape(title)}</a><span class="date">{date}</span></li>'
        s.page(f"lists/c{organ}_3.html", lonsun_column("政府信息公开年报", organ, name, tree(organ), f'<ul class="doc_list">{rows or "<li>暂无信息</li>"}</ul>', foot))
        s.route(f"/xxgk/public/column/{organ}", f"lists/c{organ}_3.html", {"type": "3"})
    for organ, name in names.items():
        tr = tree(organ) if organ != 5014 else [x for x in tree(organ) if "年报" not in x[0]]
        s.page(f"lists/c{organ}_4.html", lonsun_column("法定主动公开内容", organ, name, tr, '<ul class="doc_list"><li><a href="/xxgk/public/{o}/1.html" title="机构职能">机构职能</a></li></ul>'.replace("{o}", str(organ)), foot))
        s.route(f"/xxgk/public/column/{organ}", f"lists/c{organ}_4.html", {"type": "4"})

    def doc(href: str, title: str, date: str) -> str:
        return f'<li><a href="{href}" title="{escape(title)}" target="_blank">{escape(title)}</a><span class="date">{date}</span></li>'

    jy = []
    for year, cid, date in ((2023, 81300011, "2024-01-26"), (2022, 71300011, "2023-01-27")):
        href = f"/xxgk/public/5012/{cid}.html"
        title = t("", year)  # the department's own list: its titles name no body, its pages do
        s.page(href, s.report(href, title, date, lonsun_article(title, date, "利辛县教育局", year, "003250801"), body="利辛县教育局"))
        jy.append(doc(href, title, date))
    s.page("lists/c5012_3.html", lonsun_column("政府信息公开年报", 5012, names[5012], tree(5012), '<ul class="doc_list">' + "".join(jy) + "</ul>", foot))
    s.route("/xxgk/public/column/5012", "lists/c5012_3.html", {"type": "3"})
    cz = []
    for year, cid, date in ((2023, 81300021, "2024-01-29"), (2022, 71300021, "2023-01-30")):
        href = f"/xxgk/public/5013/{cid}.html"
        title = t("利辛县财政局", year)
        s.page(href, s.report(href, title, date, lonsun_article(title, date, "利辛县财政局", year, "003250802"), body="利辛县财政局"))
        cz.append(doc(href, title, date))
    for n in (1, 2):
        script = f"<script>Ls.pagination('#pagination', {{currPage: {n}, pageCount: 2, pageSize: 1}});</script>"
        s.page(f"lists/c5013_3_p{n}.html", lonsun_column("政府信息公开年报", 5013, names[5013], tree(5013), f'<ul class="doc_list">{cz[n - 1]}</ul><div id="pagination"></div>', foot, script))
    s.route("/xxgk/public/column/5013", "lists/c5013_3_p2.html", {"type": "3", "pageIndex": "2"})
    s.route("/xxgk/public/column/5013", "lists/c5013_3_p1.html", {"type": "3"})
    return s


# ================================================================================================
# Lonsun 2: 固镇县 — module at the host root, reports in a 主动公开 node with year sub-nodes


def guzhen() -> Site:
    s = Site(
        "guzhen",
        "lonsun",
        "http://www.guzhen.gov.cn",
        "固镇县人民政府",
        "county",
        """
# guzhen — blind acceptance mirror, Anhui Lonsun 集约化平台 (固镇县人民政府, synthetic)

Built by `tests/sites/unknown_build.py`; expected reports in `manifest.json`. All synthetic
(【合成测试数据】). Footer: 技术支持 安徽龙讯.

- the xxgk module sits at the host root (`/public/column/6590?…`, reports `/public/6590/{id}.html`);
- home → 政务公开 (organ 6590's 主动公开 page) → 政府信息公开年度报告 (`type=4&catId=7201`): a parent
  node whose page lists only year sub-nodes 2023年度 (7211), 2022年度 (7212), 2021年度 (7213);
- each year node: inline `ul.doc_list` rows, `Ls.pagination` pageCount; 2023年度 has a second
  page (`pageIndex=2`) holding the office's own report;
- 部门年报 node (`catId=7300`): rows from the label (`file=/public/publicInfoList_gz`, `a[title]` +
  `span.date` fragment, two pages);
- list rows have **no `title=`**: link texts are cut at 24 characters (`固镇县发展和改革委员会2023年政府信息公开工作…`),
  so only the report page's own title tells a report;
- distractors: 图解, a notice about reporting (关于报送…的通知), 发布会 (cut after 新闻发布…).
""",
    )
    foot = "固镇县人民政府 版权所有 技术支持：安徽龙讯信息科技有限公司 【合成测试数据】"
    s.page("index.html", shell("固镇县人民政府", '<div class="nav"><a href="/">首页</a> <a href="/public/column/6590?type=4&action=list">政务公开</a> <a href="/news/index.html">新闻中心</a></div>', foot, '<script src="/assets/js/common.js"></script>'))

    def tree(o: int) -> list[tuple[str, str]]:
        return [
            ("信息公开指南", f"/public/column/{o}?type=2&action=list"),
            ("法定主动公开内容", f"/public/column/{o}?type=4&action=list"),
            ("政府文件", f"/public/column/{o}?type=4&catId=7101&action=list"),
            ("政府信息公开年度报告", f"/public/column/{o}?type=4&catId=7201&action=list"),
            ("部门年报", f"/public/column/{o}?type=4&catId=7300&action=list"),
        ]

    def col(title: str, content: str, script: str = "") -> str:
        items = "".join(f'<li><a href="{h}">{x}</a></li>' for x, h in tree(6590))
        return shell(
            title + "-固镇县人民政府",
            f'<div class="header"><a href="/">首页</a></div><div class="left"><ul class="tree">{items}</ul></div><div class="right"><h2>{title}</h2>{content}</div>{script}',
            foot,
            '<script src="/assets/js/ls.min.js"></script>',
        )

    s.page("lists/c6590_4.html", col("法定主动公开内容", '<ul class="doc_list"><li><a href="/public/6590/100001.html" title="固镇县人民政府工作规则">固镇县人民政府工作规则</a><span class="date">2023-05-06</span></li></ul>'))
    s.page(
        "lists/c6590_7201.html",
        col("政府信息公开年度报告", '<ul class="sub_nodes"><li><a href="/public/column/6590?type=4&catId=7211&action=list">2023年度</a></li><li><a href="/public/column/6590?type=4&catId=7212&action=list">2022年度</a></li><li><a href="/public/column/6590?type=4&catId=7213&action=list">2021年度</a></li></ul>'),
    )

    def doc(href: str, title: str, date: str) -> str:
        # no title= attribute: the list shows the first 24 characters only
        shown = title if len(title) <= 24 else title[:24] + "…"
        return f'<li><a href="{href}" target="_blank">{escape(shown)}</a><span class="date">{date}</span></li>'

    def rep(year: int, name: str, cid: int, date: str, body: str | None) -> str:
        href = f"/public/6590/{cid}.html"
        title = t(name, year)
        s.page(href, s.report(href, title, date, lonsun_article(title, date, body or "固镇县人民政府办公室", year, "11340323MB0000000X"), body=body))
        return doc(href, title, date)

    def dis(cid: int, title: str, date: str, why: str) -> str:
        href = f"/public/6590/{cid}.html"
        s.page(href, lonsun_article(title, date, "固镇县人民政府办公室", 2023, "11340323MB0000000X"))
        s.distractor(href, title, why)
        return doc(href, title, date)

    y23 = [
        rep(2023, "固镇县人民政府", 2411001, "2024-01-19", None),
        dis(2411009, "图解固镇县2023年政府信息公开工作年度报告", "2024-01-22", "图解"),
        rep(2023, "固镇县发展和改革委员会", 2411002, "2024-01-24", "固镇县发展和改革委员会"),
    ]
    y23b = [rep(2023, "固镇县人民政府办公室", 2411003, "2024-01-26", "固镇县人民政府办公室")]
    y22 = [rep(2022, "固镇县人民政府", 2311001, "2023-01-18", None), rep(2022, "固镇县发展和改革委员会", 2311002, "2023-01-25", "固镇县发展和改革委员会")]
    y21 = [
        dis(2211009, "关于报送2021年度政府信息公开工作年度报告的通知", "2021-12-20", "通知"),
        rep(2021, "固镇县人民政府", 2211001, "2022-01-20", None),
    ]
    pg = "<script>Ls.pagination('#pagination', {{currPage: {c}, pageCount: {n}}});</script>"
    for cat, pages in ((7211, [y23, y23b]), (7212, [y22]), (7213, [y21])):
        for i, rows in enumerate(pages, 1):
            s.page(f"lists/c6590_{cat}_p{i}.html", col({7211: "2023年度", 7212: "2022年度", 7213: "2021年度"}[cat], f'<ul class="doc_list">{"".join(rows)}</ul><div id="pagination"></div>', pg.format(c=i, n=len(pages))))
    s.route("/public/column/6590", "lists/c6590_7211_p2.html", {"type": "4", "catId": "7211", "pageIndex": "2"})
    for cat in (7211, 7212, 7213):
        s.route("/public/column/6590", f"lists/c6590_{cat}_p1.html", {"type": "4", "catId": str(cat)})
    s.route("/public/column/6590", "lists/c6590_7201.html", {"type": "4", "catId": "7201"})

    # 部门年报: rows through the label
    label = """<script>
 $(function(){ var p = {"labelName":"publicInfoList","siteId":"3400567","organId":"6590","type":"4","catId":"7300","pageSize":"3","file":"/public/publicInfoList_gz"};
   Ls.ajax({url: "/site/label/8888", data: $.extend({IsAjax: 1, dataType: "html", pageIndex: 1, action: "list"}, p)}).done(function (h) { $("#bmnb").html(h); }); });
</script>"""
    s.page("lists/c6590_7300.html", col("部门年报", '<div id="bmnb"></div>', label))
    s.route("/public/column/6590", "lists/c6590_7300.html", {"type": "4", "catId": "7300"})
    s.route("/public/column/6590", "lists/c6590_4.html", {"type": "4"})
    dp = [
        [
            rep(2023, "固镇县卫生健康委员会", 2411101, "2024-01-29", "固镇县卫生健康委员会"),
            rep(2023, "固镇县市场监督管理局", 2411102, "2024-01-30", "固镇县市场监督管理局"),
            dis(2411109, "固镇县2023年政府信息公开工作年度报告新闻发布会", "2024-02-01", "发布会"),
        ],
        [rep(2022, "固镇县卫生健康委员会", 2311101, "2023-01-28", "固镇县卫生健康委员会")],
    ]
    for n, rows in enumerate(dp, 1):
        frag = '<ul class="list">' + "".join(rows) + f'</ul><div id="page_public_info"><a paged="1">首页</a><a paged="2">2</a><span>共2页</span></div>'
        s.page(f"lists/label_7300_p{n}.html", "<!-- 【合成测试数据】 -->" + frag)
        s.route("/site/label/8888", f"lists/label_7300_p{n}.html", {"organId": "6590", "catId": "7300", "pageIndex": str(n), "file": "/public/publicInfoList_gz"})
    return s


# ================================================================================================
# TRS 1: 额济纳旗 — .shtml channels, parent of 更多>> boxes, 旗 short names, year channels


def trs_list(title: str, items: list[tuple[str, str, str]], foot: str, pager: str = "", extra: str = "", nav: str = "") -> str:
    lis = "".join(f'<li><a href="{h}" title="{escape(x)}" target="_blank">{escape(x[:22])}</a><span>{d}</span></li>' for h, x, d in items)
    return shell(title, f"{nav}<div class='list-title'>{title}</div>{extra}<ul class='list'>{lis}</ul><div class='page'><script>{pager}</script></div>", foot)


def ejina() -> Site:
    s = Site(
        "ejina",
        "trs",
        "http://www.ejnq.gov.cn",
        "额济纳旗人民政府",
        "county",
        """
# ejina — blind acceptance mirror, TRS-style static publishing (额济纳旗人民政府, synthetic)

Built by `tests/sites/unknown_build.py`; expected reports in `manifest.json`. All synthetic
(【合成测试数据】). Footer names no CMS; TRS shows in `t{date}_{id}.shtml` links and `createPageHTML`.

- home (news links `./xwzx/…/t…shtml`) → 政务公开 (`/zwgk/`) → 政府信息公开年报 (`/zwgk/zfxxgknb/`):
  a parent page with a 最新发布 box (the 2023 report, listed again in `qzfnb`) and 更多>> boxes:
  旗政府年报 (`qzfnb/index.shtml`) and 部门年报 (`bmnb/`);
- `qzfnb`: `.shtml` pages by `createPageHTML(3, 0, "index", "shtml")`: index, index_1, index_2;
- `bmnb`: a list of department channels (`jyj/`, `czj/`); 旗财政局 titles its reports with the short
  name (stored as 额济纳旗财政局);
- 部门信息公开 (`/zwgk/bmxxgk/`): organs; 额济纳旗民政局 (`mzj/`) → 政府信息公开年报 (`mzj/xxgknb/`) →
  year channels 2023年度, 2022年度;
- distractors: 解读, 更正说明.
""",
    )
    foot = "主办：额济纳旗人民政府办公室 蒙ICP备00000000号 【合成测试数据】"
    nav = '<div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/xwzx/">新闻中心</a></div>'
    s.page("index.html", shell("额济纳旗人民政府", nav + '<ul class="news"><li><a href="./xwzx/202403/t20240301_4100001.shtml">旗政府召开常务会议</a></li><li><a href="./xwzx/202402/t20240220_4090001.shtml">胡杨林保护工作会议</a></li></ul>', foot))
    s.page("zwgk/index.html", shell("政务公开", nav + '<div class="zwgk"><a href="./zfxxgkzn/">政府信息公开指南</a> <a href="./zfxxgknb/">政府信息公开年报</a> <a href="./bmxxgk/">部门信息公开</a> <a href="./fdzdgknr/">法定主动公开内容</a></div>', foot))
    s.page(
        "zwgk/zfxxgknb/index.html",
        shell("政府信息公开年报", nav + f'<div class="box"><h3>最新发布</h3><ul><li><a href="./qzfnb/202401/t20240117_4012301.shtml">{t("额济纳旗人民政府", 2023)}</a></li></ul></div><div class="box"><h3>旗政府年报</h3><a href="./qzfnb/index.shtml">更多>></a></div><div class="box"><h3>部门年报</h3><a href="./bmnb/">更多>></a></div>', foot),
    )
    items = []
    for year, path, date in (
        (2023, "/zwgk/zfxxgknb/qzfnb/202401/t20240117_4012301.shtml", "2024-01-17"),
        (2022, "/zwgk/zfxxgknb/qzfnb/202301/t20230116_3901201.shtml", "2023-01-16"),
        (2021, "/zwgk/zfxxgknb/qzfnb/202201/t20220118_3790101.shtml", "2022-01-18"),
        (2020, "/zwgk/zfxxgknb/qzfnb/202101/t20210119_3680101.shtml", "2021-01-19"),
        (2019, "/zwgk/zfxxgknb/qzfnb/202001/t20200117_3570101.shtml", "2020-01-17"),
    ):
        title = t("额济纳旗人民政府", year)
        s.page(path, s.report(path, title, date, trs_article(title, date, "额济纳旗人民政府办公室", year)))
        items.append(("./" + path.split("/qzfnb/")[1], title, date))
    dj = ("/zwgk/zfxxgknb/qzfnb/202401/t20240119_4012399.shtml", "额济纳旗2023年政府信息公开工作年度报告解读", "2024-01-19")
    dg = ("/zwgk/zfxxgknb/qzfnb/202103/t20210302_3690001.shtml", "关于额济纳旗人民政府2020年政府信息公开工作年度报告的更正说明", "2021-03-02")
    for path, title, date in (dj, dg):
        s.page(path, trs_article(title, date, "额济纳旗人民政府办公室", 2023))
        s.distractor(path, title, "解读 / 更正说明")
    rel = lambda x: ("./" + x[0].split("/qzfnb/")[1], x[1], x[2])  # noqa: E731
    pages = [[items[0], rel(dj)], [items[1], items[2]], [items[3], rel(dg), items[4]]]
    for i, rows in enumerate(pages):
        name = "index.shtml" if i == 0 else f"index_{i}.shtml"
        s.page(f"zwgk/zfxxgknb/qzfnb/{name}", trs_list("旗政府年报", rows, foot, f'var countPage = 3; createPageHTML(3, {i}, "index", "shtml");', nav=nav))
    s.page("zwgk/zfxxgknb/bmnb/index.html", shell("部门年报", nav + '<ul class="bm"><li><a href="./jyj/">旗教育局</a></li><li><a href="./czj/">旗财政局</a></li></ul>', foot))
    for code, name, full, rows in (
        ("jyj", "额济纳旗教育局", "额济纳旗教育局", ((2023, "202401/t20240125_4012501.shtml", "2024-01-25"), (2022, "202301/t20230124_3901501.shtml", "2023-01-24"))),
        ("czj", "旗财政局", "额济纳旗财政局", ((2023, "202401/t20240126_4012601.shtml", "2024-01-26"),)),
    ):
        lst = []
        for year, rel_path, date in rows:
            path = f"/zwgk/zfxxgknb/bmnb/{code}/{rel_path}"
            title = t(name, year)
            s.page(path, s.report(path, title, date, trs_article(title, date, full, year), body=full))
            lst.append(("./" + rel_path, title, date))
        s.page(f"zwgk/zfxxgknb/bmnb/{code}/index.html", trs_list(name, lst, foot, 'createPageHTML(1, 0, "index", "shtml");', nav=nav))
    # 部门信息公开 → 民政局 → 年报 → year channels
    s.page("zwgk/bmxxgk/index.html", shell("部门信息公开", nav + '<ul class="organs"><li><a href="./mzj/">额济纳旗民政局</a></li><li><a href="./slj/">额济纳旗水利局</a></li></ul>', foot))
    s.page("zwgk/bmxxgk/mzj/index.html", shell("额济纳旗民政局", nav + '<ul><li><a href="./jgzn/">机构职能</a></li><li><a href="./xxgknb/">政府信息公开年报</a></li></ul>', foot))
    s.page("zwgk/bmxxgk/slj/index.html", shell("额济纳旗水利局", nav + '<ul><li><a href="./jgzn/">机构职能</a></li></ul>', foot))
    s.page("zwgk/bmxxgk/mzj/xxgknb/index.html", shell("政府信息公开年报", nav + '<ul class="years"><li><a href="./2023nd/">2023年度</a></li><li><a href="./2022nd/">2022年度</a></li></ul>', foot))
    for year, rel_path, date in ((2023, "202401/t20240130_4012701.shtml", "2024-01-30"), (2022, "202301/t20230131_3901701.shtml", "2023-01-31")):
        path = f"/zwgk/bmxxgk/mzj/xxgknb/{year}nd/{rel_path}"
        title = t("额济纳旗民政局", year, "度政府信息公开工作年度报告")
        s.page(path, s.report(path, title, date, trs_article(title, date, "额济纳旗民政局", year), body="额济纳旗民政局"))
        s.page(f"zwgk/bmxxgk/mzj/xxgknb/{year}nd/index.html", trs_list(f"{year}年度", [("./" + rel_path, title, date)], foot, nav=nav))
    return s


# ================================================================================================
# TRS 2: 武川县 — upper-case .htm paths, the 1-based pager variant, table and div rows, organ list


def wuchuan() -> Site:
    s = Site(
        "wuchuan",
        "trs",
        "http://www.wuchuan.gov.cn",
        "武川县人民政府",
        "county",
        """
# wuchuan — blind acceptance mirror, TRS WCM (武川县人民政府, synthetic)

Built by `tests/sites/unknown_build.py`; expected reports in `manifest.json`. All synthetic
(【合成测试数据】). Footer: 技术支持 拓尔思.

- upper-case paths with `.htm`: home → 信息公开 (`/XXGK/index.htm`) → 信息公开年度报告
  (`/XXGK/NDBG/index.htm`): table rows, the 1-based pager `createPageHTML('page_div', 3, 0, 'index',
  'htm', 7)`: `index.htm`, `index_2.htm`, `index_3.htm`;
- 部门信息公开 (`/XXGK/BMXXGK/index.htm`): organs 县发展和改革委员会 (`FGW/`), 县教育局 (`JYJ/`),
  县审计局 (`SJJ/`, no report column); each organ's 政府信息公开年报 is a div list
  (`FGW/XXGKNB/index.htm` with a 0-based second page `index_1.htm`); FGW's 2023 report is also
  linked from the county list's first page;
- the home page links 信息公开 on the sub-host `xxgk.wuchuan.gov.cn`;
- the county's 2019 report is titled without a body; its page's 资料来源 is the county's office
  (the county's own report);
- distractors: 解读, 图解, 发布会.
""",
    )
    foot = "武川县人民政府 版权所有 技术支持：拓尔思信息技术股份有限公司 【合成测试数据】"
    nav = '<div class="nav"><a href="/index.htm">首页</a> <a href="/XXGK/index.htm">信息公开</a> <a href="/ZWDT/index.htm">政务动态</a></div>'
    home_nav = '<div class="nav"><a href="/index.htm">首页</a> <a href="http://xxgk.wuchuan.gov.cn/XXGK/index.htm">信息公开</a></div>'
    s.page("index.htm", shell("武川县人民政府", home_nav, foot))
    s.page("XXGK/index.htm", shell("信息公开", nav + '<table><tr><td><a href="./XXGKZN/index.htm">信息公开指南</a></td><td><a href="./NDBG/index.htm">信息公开年度报告</a></td><td><a href="./BMXXGK/index.htm">部门信息公开</a></td></tr></table>', foot))

    def table(title: str, rows: list[tuple[str, str, str]], pager: str) -> str:
        trs = "".join(f'<tr><td class="t"><a href="{h}" target="_blank">{escape(x)}</a></td><td class="d">{d}</td></tr>' for h, x, d in rows)
        return shell(title, nav + f'<table class="list">{trs}</table><div id="page_div"></div><script>{pager}</script>', foot)

    own = []
    for year, rel_path, date in (
        (2023, "202401/t20240122_6012345.htm", "2024-01-22"),
        (2022, "202301/t20230119_5901234.htm", "2023-01-19"),
        (2021, "202201/t20220120_5790123.htm", "2022-01-20"),
        (2020, "202101/t20210121_5680012.htm", "2021-01-21"),
        (2019, "202001/t20200116_5570001.htm", "2020-01-16"),
    ):
        path = f"/XXGK/NDBG/{rel_path}"
        title = t("武川县人民政府" if year != 2019 else "", year)  # 2019: no body, the office's page
        s.page(path, s.report(path, title, date, trs_article(title, date, "武川县人民政府办公室", year)))
        own.append(("./" + rel_path, title, date))
    dis = []
    for rel_path, title, date, why in (("202401/t20240124_6012399.htm", "武川县2023年政府信息公开工作年度报告解读", "2024-01-24", "解读"), ("202301/t20230130_5901299.htm", "图解武川县2022年政府信息公开工作年度报告", "2023-01-30", "图解")):
        path = f"/XXGK/NDBG/{rel_path}"
        s.page(path, trs_article(title, date, "武川县人民政府办公室", 2023))
        s.distractor(path, title, why)
        dis.append(("./" + rel_path, title, date))
    fgw_latest = ("../BMXXGK/FGW/XXGKNB/202401/t20240126_6012501.htm", t("县发展和改革委员会", 2023), "2024-01-26")
    pages = [[own[0], dis[0], fgw_latest, own[1]], [dis[1], own[2]], [own[3], own[4]]]
    for i, rows in enumerate(pages, 1):
        name = "index.htm" if i == 1 else f"index_{i}.htm"
        s.page(f"XXGK/NDBG/{name}", table("信息公开年度报告", rows, f"createPageHTML('page_div', 3, {i - 1}, 'index', 'htm', 7);"))
    s.page(
        "XXGK/BMXXGK/index.htm",
        shell("部门信息公开", nav + '<div class="organs"><a href="./FGW/index.htm">县发展和改革委员会</a> <a href="./JYJ/index.htm">县教育局</a> <a href="./SJJ/index.htm">县审计局</a> <a href="/XXGK/index.htm">返回</a></div>', foot),
    )
    for code, name in (("FGW", "县发展和改革委员会"), ("JYJ", "县教育局"), ("SJJ", "县审计局")):
        links = '<a href="./JGZN/index.htm">机构职能</a>' + ('' if code == "SJJ" else ' <a href="./XXGKNB/index.htm">政府信息公开年报</a>')
        s.page(f"XXGK/BMXXGK/{code}/index.htm", shell(name, nav + f'<div class="organ"><h2>{name}</h2>{links}</div>', foot))

    def divs(title: str, rows: list[tuple[str, str, str]], pager: str) -> str:
        items = "".join(f'<div class="item"><a href="{h}" title="{escape(x)}">{escape(x)}</a><div class="time">{d}</div></div>' for h, x, d in rows)
        return shell(title, nav + f'<div class="items">{items}</div><script>{pager}</script>', foot)

    fgw = []
    for year, rel_path, date in ((2023, "202401/t20240126_6012501.htm", "2024-01-26"), (2022, "202301/t20230127_5901501.htm", "2023-01-27")):
        path = f"/XXGK/BMXXGK/FGW/XXGKNB/{rel_path}"
        title = t("县发展和改革委员会", year)
        s.page(path, s.report(path, title, date, trs_article(title, date, "武川县发展和改革委员会", year), body="武川县发展和改革委员会"))
        fgw.append(("./" + rel_path, title, date))
    s.page("XXGK/BMXXGK/FGW/XXGKNB/index.htm", divs("政府信息公开年报", fgw[:1], 'var countPage = 2; createPageHTML(2, 0, "index", "htm");'))
    s.page("XXGK/BMXXGK/FGW/XXGKNB/index_1.htm", divs("政府信息公开年报", fgw[1:], 'var countPage = 2; createPageHTML(2, 1, "index", "htm");'))
    path, date = "/XXGK/BMXXGK/JYJ/XXGKNB/202401/t20240129_6012601.htm", "2024-01-29"
    title = t("武川县教育局", 2023)
    s.page(path, s.report(path, title, date, trs_article(title, date, "武川县教育局", 2023), body="武川县教育局"))
    dpath, dtitle = "/XXGK/BMXXGK/JYJ/XXGKNB/202402/t20240205_6012699.htm", "武川县教育局2023年政府信息公开工作年度报告新闻发布会"
    s.page(dpath, trs_article(dtitle, "2024-02-05", "武川县教育局", 2023))
    s.distractor(dpath, dtitle, "发布会")
    s.page("XXGK/BMXXGK/JYJ/XXGKNB/index.htm", divs("政府信息公开年报", [("./202401/t20240129_6012601.htm", title, date), ("./202402/t20240205_6012699.htm", dtitle, "2024-02-05")], 'createPageHTML(1, 0, "index", "htm");'))
    return s


# ================================================================================================
# VSB 1: 沂南县 — no CMS name, pager text 共N条 c/p, a 部门年报 page of department boxes with 更多>>


def vsb_list(title: str, rows: list[tuple[str, str, str]], foot: str, pager: str, nav: str) -> str:
    lis = "".join(f'<li id="line_u8_{i}"><a href="{h}" title="{escape(x)}">{escape(x[:20])}…</a><span>{d}</span></li>' for i, (h, x, d) in enumerate(rows))
    return shell(title, nav + f'<div class="lm">{title}</div><ul class="list">{lis}</ul><div class="pb_sys_common">{pager}</div>', foot, '<script src="/system/resource/js/counter.js"></script>')


def yinan() -> Site:
    s = Site(
        "yinan",
        "vsb",
        "http://www.yinan.gov.cn",
        "沂南县人民政府",
        "county",
        """
# yinan — blind acceptance mirror, 博达 VSB (沂南县人民政府, synthetic)

Built by `tests/sites/unknown_build.py`; expected reports in `manifest.json`. All synthetic
(【合成测试数据】). Footer names no CMS; VSB shows in `/system/resource/` scripts and `info/` links.

- home → 政务公开 (`/zwgk.htm`) → 政府信息公开年报 (`/zwgk/zfxxgknb.htm`): pager `共7条 1/3`, pages
  numbered backwards (`zfxxgknb/2.htm` is page 2, `zfxxgknb/1.htm` page 3); items `../info/1081/…`;
- 部门年报 (`/zwgk/bmnb.htm`): one box per department, its heading the department's name, its latest
  report and a 更多>> link to the department's own list (`bmnb/jyj.htm`; `bmnb/czj.htm` with a
  second page `bmnb/czj/1.htm`): older reports only there;
- distractors: 解读, 新闻发布会.
""",
    )
    foot = "沂南县人民政府办公室 主办 【合成测试数据】"
    nav = '<div class="nav"><a href="/index.htm">首页</a> <a href="/xwzx.htm">新闻中心</a> <a href="/zwgk.htm">政务公开</a></div>'
    s.page("index.htm", shell("沂南县人民政府", nav, foot, '<script src="/system/resource/js/counter.js"></script>'))
    s.page("zwgk.htm", shell("政务公开", nav + '<ul class="left"><li><a href="zwgk/zn.htm">政府信息公开指南</a></li><li><a href="zwgk/zfxxgknb.htm">政府信息公开年报</a></li><li><a href="zwgk/bmnb.htm">部门年报</a></li></ul>', foot))
    own = []
    for year, nid, date in ((2023, 23456, "2024-01-18"), (2022, 21345, "2023-01-17"), (2021, 19234, "2022-01-19"), (2020, 17123, "2021-01-20"), (2019, 15012, "2020-01-16")):
        path = f"/info/1081/{nid}.htm"
        title = t("沂南县人民政府", year)
        s.page(path, s.report(path, title, date, vsb_article(title, date, "沂南县人民政府办公室", year, f"yinanxian/{year + 1}-0000001")))
        own.append((nid, title, date))
    dis = []
    for nid, title, date, why in ((23460, "沂南县2023年政府信息公开工作年度报告解读", "2024-01-20", "解读"), (21350, "沂南县2022年政府信息公开工作年度报告新闻发布会", "2023-01-20", "发布会")):
        path = f"/info/1081/{nid}.htm"
        s.page(path, vsb_article(title, date, "沂南县人民政府办公室", 2023, "x"))
        s.distractor(path, title, why)
        dis.append((nid, title, date))
    pages = [[own[0], dis[0], own[1]], [dis[1], own[2], own[3]], [own[4]]]
    for p, rows in enumerate(pages, 1):
        prefix = "../info/1081/" if p == 1 else "../../info/1081/"
        r = [(f"{prefix}{nid}.htm", x, d) for nid, x, d in rows]
        pager = f"共7条&nbsp;&nbsp;{p}/3&nbsp;"
        name = "zwgk/zfxxgknb.htm" if p == 1 else f"zwgk/zfxxgknb/{3 - p + 1}.htm"
        s.page(name, vsb_list("政府信息公开年报", r, foot, pager, nav))
    # 部门年报: boxes
    depts = {
        "jyj": ("沂南县教育和体育局", [(2023, 23501, "2024-01-25"), (2022, 21501, "2023-01-26")]),
        "czj": ("沂南县财政局", [(2023, 23601, "2024-01-26"), (2022, 21601, "2023-01-27"), (2021, 19601, "2022-01-28")]),
    }
    boxes = ""
    for code, (name, rows) in depts.items():
        items = []
        for year, nid, date in rows:
            path = f"/info/1082/{nid}.htm"
            title = t(name, year)
            s.page(path, s.report(path, title, date, vsb_article(title, date, name, year, f"{code}/{year + 1}-0000003"), body=name))
            items.append((nid, title, date))
        latest = items[0]
        boxes += f'<div class="bmbox"><div class="bmbox-hd"><span>{name}</span><a class="more" href="bmnb/{code}.htm">更多>></a></div><ul><li><a href="../info/1082/{latest[0]}.htm" title="{escape(latest[1])}">{escape(latest[1][:18])}…</a></li></ul></div>'
        if code == "jyj":
            s.page("zwgk/bmnb/jyj.htm", vsb_list(name, [(f"../../info/1082/{n}.htm", x, d) for n, x, d in items], foot, "共2条&nbsp;1/1", nav))
        else:
            s.page("zwgk/bmnb/czj.htm", vsb_list(name, [(f"../../info/1082/{n}.htm", x, d) for n, x, d in items[:2]], foot, '共3条&nbsp;1/2&nbsp;<a href="czj/1.htm">下页</a>', nav))
            s.page("zwgk/bmnb/czj/1.htm", vsb_list(name, [(f"../../../info/1082/{n}.htm", x, d) for n, x, d in items[2:]], foot, "共3条&nbsp;2/2", nav))
    s.page("zwgk/bmnb.htm", shell("部门年报", nav + f'<div class="lm">部门年报</div>{boxes}', foot, '<script src="/system/resource/js/counter.js"></script>'))
    return s


# ================================================================================================
# VSB 2: 平邑县 — 博达 footer, pager links only, year channels, an organ list (信息公开单位)


def pingyi() -> Site:
    s = Site(
        "pingyi",
        "vsb",
        "http://www.pingyi.gov.cn",
        "平邑县人民政府",
        "county",
        """
# pingyi — blind acceptance mirror, 博达 VSB (平邑县人民政府, synthetic)

Built by `tests/sites/unknown_build.py`; expected reports in `manifest.json`. All synthetic
(【合成测试数据】). Footer: 技术支持 博达软件.

- home → 信息公开 (`/xxgk.htm`) → 法定主动公开内容 (`/xxgk/fdzdgknr.htm`) → 年度报告
  (`/xxgk/fdzdgknr/ndbg.htm`): only year channels 2023年度, 2022年度, 2021年度
  (`ndbg/2023nd.htm` …; the middle one named 2022年), div rows, **no 共N条 pager text**: 下页/尾页 links only
  (`ndbg/2023nd/1.htm` is the second and last page of 2023年度);
- year channels mix the county's and departments' reports;
- 信息公开单位 (`/xxgk/gkdw.htm`): organs; 平邑县人力资源和社会保障局's page links its 单位年报
  list (its 2023 report titled without a body, named by the page's 发布机构); 平邑县统计局's page
  links only a 统计年报 (not a report column);
- distractors: 解读, 更正说明.
""",
    )
    foot = "平邑县人民政府 主办 技术支持：博达软件 【合成测试数据】"
    nav = '<div class="nav"><a href="/index.htm">首页</a> <a href="/xxgk.htm">信息公开</a></div>'
    s.page("index.htm", shell("平邑县人民政府", nav, foot))
    s.page("xxgk.htm", shell("信息公开", nav + '<div><a href="xxgk/gkzn.htm">信息公开指南</a> <a href="xxgk/fdzdgknr.htm">法定主动公开内容</a> <a href="xxgk/gkdw.htm">信息公开单位</a></div>', foot))
    s.page("xxgk/fdzdgknr.htm", shell("法定主动公开内容", nav + '<ul><li><a href="fdzdgknr/zcwj.htm">政策文件</a></li><li><a href="fdzdgknr/ndbg.htm">年度报告</a></li><li><a href="fdzdgknr/czzj.htm">财政资金</a></li></ul>', foot))
    s.page("xxgk/fdzdgknr/ndbg.htm", shell("年度报告", nav + '<div class="years"><a href="ndbg/2023nd.htm">2023年度</a> <a href="ndbg/2022nd.htm">2022年</a> <a href="ndbg/2021nd.htm">2021年度</a></div>', foot))

    def divs(title: str, rows: list[tuple[str, str, str]], pager: str) -> str:
        items = "".join(f'<div class="list-item"><a href="{h}" target="_blank" title="{escape(x)}">{escape(x)}</a><em>{d}</em></div>' for h, x, d in rows)
        return shell(title, nav + f'<div class="list">{items}</div><div class="pager">{pager}</div>', foot, '<script src="/system/resource/js/centerCutImg.js"></script>')

    def rep(name: str, year: int, nid: int, date: str, body: str | None) -> tuple[int, str, str]:
        path = f"/info/2301/{nid}.htm"
        title = t(name, year)
        s.page(path, s.report(path, title, date, vsb_article(title, date, body or "平邑县人民政府办公室", year, f"pingyi/{year + 1}-01"), body=body))
        return nid, title, date

    def dis(nid: int, title: str, date: str, why: str) -> tuple[int, str, str]:
        path = f"/info/2301/{nid}.htm"
        s.page(path, vsb_article(title, date, "平邑县人民政府办公室", 2023, "x"))
        s.distractor(path, title, why)
        return nid, title, date

    y23 = [rep("平邑县人民政府", 2023, 80101, "2024-01-19", None), dis(80109, "平邑县2023年政府信息公开工作年度报告解读", "2024-01-22", "解读"), rep("平邑县水利局", 2023, 80102, "2024-01-24", "平邑县水利局")]
    y23b = [rep("平邑县卫生健康局", 2023, 80103, "2024-01-25", "平邑县卫生健康局")]
    y22 = [rep("平邑县人民政府", 2022, 70101, "2023-01-18", None), rep("平邑县水利局", 2022, 70102, "2023-01-20", "平邑县水利局")]
    y21 = [rep("平邑县人民政府", 2021, 60101, "2022-01-20", None), dis(60109, "关于平邑县人民政府2021年政府信息公开工作年度报告的更正说明", "2022-02-20", "更正说明")]
    s.page("xxgk/fdzdgknr/ndbg/2023nd.htm", divs("2023年度", [(f"../../../info/2301/{n}.htm", x, d) for n, x, d in y23], '<span>首页</span> <span>上页</span> <a href="2023nd/1.htm">下页</a> <a href="2023nd/1.htm">尾页</a>'))
    s.page("xxgk/fdzdgknr/ndbg/2023nd/1.htm", divs("2023年度", [(f"../../../../info/2301/{n}.htm", x, d) for n, x, d in y23b], '<a href="../2023nd.htm">首页</a> <a href="../2023nd.htm">上页</a> <span>下页</span> <span>尾页</span>'))
    s.page("xxgk/fdzdgknr/ndbg/2022nd.htm", divs("2022年度", [(f"../../../info/2301/{n}.htm", x, d) for n, x, d in y22], ""))
    s.page("xxgk/fdzdgknr/ndbg/2021nd.htm", divs("2021年度", [(f"../../../info/2301/{n}.htm", x, d) for n, x, d in y21], ""))
    # 信息公开单位
    s.page("xxgk/gkdw.htm", shell("信息公开单位", nav + '<ul class="dw"><li><a href="gkdw/rsj.htm">平邑县人力资源和社会保障局</a></li><li><a href="gkdw/tjj.htm">平邑县统计局</a></li></ul>', foot))
    s.page("xxgk/gkdw/rsj.htm", shell("平邑县人力资源和社会保障局", nav + '<ul><li><a href="rsj/jgzn.htm">机构职能</a></li><li><a href="rsj/dwnb.htm">单位年报</a></li></ul>', foot))
    s.page("xxgk/gkdw/tjj.htm", shell("平邑县统计局", nav + '<ul><li><a href="tjj/jgzn.htm">机构职能</a></li><li><a href="tjj/tjnb.htm">统计年报</a></li></ul>', foot))
    rs = [rep("", 2023, 80201, "2024-01-29", "平邑县人力资源和社会保障局"), rep("平邑县人力资源和社会保障局", 2022, 70201, "2023-01-30", "平邑县人力资源和社会保障局")]
    s.page("xxgk/gkdw/rsj/dwnb.htm", divs("单位年报", [(f"../../../info/2301/{n}.htm", x, d) for n, x, d in rs], ""))
    s.page("xxgk/gkdw/tjj/tjnb.htm", divs("统计年报", [("../../../info/2301/90001.htm", "平邑县2023年国民经济和社会发展统计公报", "2024-03-01")], ""))
    return s


# ================================================================================================
# unknown CMS 1: 桓台县 — an ASP article system, GB2312 pages, 下一页/尾页 pager, year classes


def huantai() -> Site:
    s = Site(
        "huantai",
        "generic",
        "http://www.huantai.gov.cn",
        "桓台县人民政府",
        "county",
        """
# huantai — blind acceptance mirror, an ASP article CMS no base knows (桓台县人民政府, synthetic)

Built by `tests/sites/unknown_build.py`; expected reports in `manifest.json`. All synthetic
(【合成测试数据】). Pages are **GB2312** (declared in a meta tag only; the header says `text/html`).

- `/Index.asp` → 政务公开 (`/Article/List.asp?ClassID=5`, sub-class links) → 政府信息公开年报
  (`ClassID=12`): table rows, six a page, `首页 上一页 下一页 尾页 页次：1/3` pager links
  (`List.asp?ClassID=12&page=2`);
- 部门年报 (`ClassID=13`): a box per year (2023年度, 2022年度) whose 更多 is only an image
  (`more.gif`, alt 更多) linking the year class (`ClassID=131`, two pages; `ClassID=132`); 2023年度
  lists the county's 2023 report again;
- articles `/Article/Show.asp?ArticleID=N`;
- distractors: 解读, 发布会, a 统计年报 class (never a report column).
""",
        encoding="gb18030",
    )
    foot = "桓台县人民政府主办 地址：桓台县 【合成测试数据】"
    cs = "gb2312"
    nav = '<div class="nav"><a href="/Index.asp">首页</a> <a href="/Article/List.asp?ClassID=2">桓台要闻</a> <a href="/Article/List.asp?ClassID=5">政务公开</a></div>'
    html = {"Content-Type": "text/html"}
    s.page("Index.asp", shell("桓台县人民政府", nav, foot, charset=cs))
    s.route("/", "Index.asp", headers=html)
    s.route("/Index.asp", "Index.asp", headers=html)
    s.page("lists/c5.asp", shell("政务公开", nav + '<table><tr><td><a href="List.asp?ClassID=11">政府信息公开指南</a></td><td><a href="List.asp?ClassID=12">政府信息公开年报</a></td></tr><tr><td><a href="List.asp?ClassID=13">部门年报</a></td><td><a href="List.asp?ClassID=14">统计年报</a></td></tr></table>', foot, charset=cs))
    arts = []

    def art(aid: int, title: str, date: str, body: str | None, report: bool = True, why: str = "") -> tuple[str, str, str]:
        path = f"/Article/Show.asp?ArticleID={aid}"
        file = f"art/{aid}.asp"
        page = plain_article(title, date, body or "桓台县人民政府办公室", int(title[title.find("年") - 4 : title.find("年")]) if "年" in title else 2023, cs)
        if report:
            s.page(file, s.report(path, title, date, page, body=body))
        else:
            s.page(file, page)
            s.distractor(path, title, why)
        s.route("/Article/Show.asp", file, {"ArticleID": str(aid)}, headers=html)
        arts.append(path)
        return f"Show.asp?ArticleID={aid}", title, date

    def table(title: str, rows: list[tuple[str, str, str]], cid: int, page: int, pages: int) -> str:
        trs = "".join(f'<tr><td width="80%"><a href="{h}" target="_blank">{escape(x)}</a></td><td>{d}</td></tr>' for h, x, d in rows)
        link = lambda n, txt: f'<a href="List.asp?ClassID={cid}&page={n}">{txt}</a>'  # noqa: E731
        pager = ""
        if pages > 1:
            pager = (link(1, "首页") if page > 1 else "首页") + " " + (link(page - 1, "上一页") if page > 1 else "上一页") + " "
            pager += (link(page + 1, "下一页") if page < pages else "下一页") + " " + (link(pages, "尾页") if page < pages else "尾页")
            pager += f" 页次：{page}/{pages}页 每页6篇"
        return shell(title, nav + f'<table class="list" width="100%">{trs}</table><div class="showpage">{pager}</div>', foot, charset=cs)

    own = [art(3000 + y, t("桓台县人民政府", y), f"{y + 1}-01-2{y % 10}", None) for y in range(2023, 2011, -1)]
    dj = art(4101, "桓台县2023年政府信息公开工作年度报告解读", "2024-01-26", None, False, "解读")
    df = art(4102, "桓台县2022年政府信息公开工作年度报告新闻发布会", "2023-01-28", None, False, "发布会")
    rows12 = [own[0], dj, own[1], own[2], df, own[3], own[4], own[5], own[6], own[7], own[8], own[9], own[10], own[11]]
    pages12 = [rows12[:6], rows12[6:12], rows12[12:]]
    for n, rows in enumerate(pages12, 1):
        file = f"lists/c12_p{n}.asp"
        s.page(file, table("政府信息公开年报", rows, 12, n, 3))
    s.route("/Article/List.asp", "lists/c12_p2.asp", {"ClassID": "12", "page": "2"}, headers=html)
    s.route("/Article/List.asp", "lists/c12_p3.asp", {"ClassID": "12", "page": "3"}, headers=html)
    s.route("/Article/List.asp", "lists/c12_p1.asp", {"ClassID": "12", "page": "1"}, headers=html)
    s.route("/Article/List.asp", "lists/c12_p1.asp", {"ClassID": "12"}, headers=html)
    # 部门年报 → year classes
    boxes = "".join(f'<div class="classbox"><div class="classtitle">{y}年度</div><div class="classmore"><a href="List.asp?ClassID={c}"><img src="/images/more.gif" alt="更多" border="0"></a></div></div>' for y, c in ((2023, 131), (2022, 132)))
    s.page("lists/c13.asp", shell("部门年报", nav + boxes, foot, charset=cs))
    d23 = [
        art(5001, t("桓台县教育和体育局", 2023), "2024-01-29", "桓台县教育和体育局"),
        art(5002, t("县公安局", 2023), "2024-01-30", "桓台县公安局"),
        art(5003, t("桓台县民政局", 2023), "2024-01-30", "桓台县民政局"),
        art(5004, t("桓台县司法局", 2023), "2024-01-31", "桓台县司法局"),
        art(5005, t("桓台县财政局", 2023), "2024-01-31", "桓台县财政局"),
        art(5006, t("桓台县自然资源局", 2023), "2024-02-01", "桓台县自然资源局"),
        art(5007, t("桓台县水利局", 2023), "2024-02-02", "桓台县水利局"),
    ]
    d22 = [art(5101, t("桓台县教育和体育局", 2022), "2023-01-29", "桓台县教育和体育局"), art(5102, t("桓台县民政局", 2022), "2023-01-30", "桓台县民政局")]
    s.page("lists/c131_p1.asp", table("2023年度", [own[0], *d23[:5]], 131, 1, 2))
    s.page("lists/c131_p2.asp", table("2023年度", d23[5:], 131, 2, 2))
    s.page("lists/c132.asp", table("2022年度", d22, 132, 1, 1))
    s.page("lists/c14.asp", table("统计年报", [art(6001, "桓台县2023年统计年报", "2024-03-01", None, False, "统计年报")], 14, 1, 1))
    s.page("lists/c11.asp", shell("政府信息公开指南", nav + "<p>指南</p>", foot, charset=cs))
    s.route("/Article/List.asp", "lists/c131_p2.asp", {"ClassID": "131", "page": "2"}, headers=html)
    for cid, file in ((131, "lists/c131_p1.asp"), (132, "lists/c132.asp"), (13, "lists/c13.asp"), (14, "lists/c14.asp"), (11, "lists/c11.asp"), (5, "lists/c5.asp")):
        s.route("/Article/List.asp", file, {"ClassID": str(cid)}, headers=html)
    return s


# ================================================================================================
# unknown CMS 2: 昌邑市 — lists loaded from a JSON endpoint (MyBatis-Plus page shape)


def changyi() -> Site:
    s = Site(
        "changyi",
        "generic",
        "http://www.changyi.gov.cn",
        "昌邑市人民政府",
        "county",
        """
# changyi — blind acceptance mirror, a CMS whose lists come from JSON (昌邑市人民政府, synthetic)

Built by `tests/sites/unknown_build.py`; expected reports in `manifest.json`. All synthetic
(【合成测试数据】). Footer names no CMS.

- home → 政府信息公开 (`/xxgk/index.html`) → 年度报告 (`/xxgk/ndbg/index.html`): a page whose list is
  empty until its script asks `/openapi/content/list.do?channelId=88&rows=4&page=` + n; the answer
  is `{"code": 200, "data": {"records": [{title, linkUrl, publishTime}], "total", "size",
  "current", "pages"}}`: three pages;
- 部门年报 (`/xxgk/bmnb/index.html`): `$.ajax({url: "/common/api/queryArticleList", type: "POST",
  data: {channelId: 89, pageNo: n, pageSize: 3}})`, answering **POST only** with
  `{"total": 5, "rows": [{docTitle, docUrl, docRelTime}]}` (no page count: two pages); it lists the
  county's 2023 report again, and 昌邑市教育局's 2022 report under a title naming no body (its
  page's 来源 does);
- distractors in the JSON: 解读, 图解.
""",
    )
    foot = "昌邑市人民政府办公室 主办 【合成测试数据】"
    nav = '<div class="nav"><a href="/">首页</a> <a href="/xxgk/index.html">政府信息公开</a> <a href="/hdjl/index.html">互动交流</a></div>'
    s.page("index.html", shell("昌邑市人民政府", nav, foot))
    s.page("xxgk/index.html", shell("政府信息公开", nav + '<ul class="menu"><li><a href="/xxgk/zn/index.html">政府信息公开指南</a></li><li><a href="/xxgk/ndbg/index.html">年度报告</a></li><li><a href="/xxgk/bmnb/index.html">部门年报</a></li></ul>', foot))

    def listing(title: str, channel: int, rows: int) -> str:
        script = f"""<div id="list" class="news-list"></div><div id="pager"></div>
<script>
  var apiUrl = "/openapi/content/list.do?channelId={channel}&rows={rows}&page=";
  function loadPage(n) {{
    axios.get(apiUrl + n).then(function (res) {{
      var d = res.data.data, html = "";
      d.records.forEach(function (r) {{ html += '<li><a href="' + r.linkUrl + '">' + r.title + '</a><span>' + r.publishTime.substr(0, 10) + '</span></li>'; }});
      document.getElementById("list").innerHTML = html; renderPager(d.current, d.pages);
    }});
  }}
  loadPage(1);
</script>"""
        return shell(title, nav + f"<h2>{title}</h2>" + script, foot, '<script src="/static/js/axios.min.js"></script>')

    s.page("xxgk/ndbg/index.html", listing("年度报告", 88, 4))
    posted = """<ul id="bmnb" class="news-list"></ul><div id="pager"></div>
<script>
  function query(n) {
    $.ajax({url: "/common/api/queryArticleList", type: "POST", dataType: "json",
            data: {channelId: 89, pageNo: n, pageSize: 3},
            success: function (res) { render(res.rows); pager(res.total, 3, n); }});
  }
  $(function () { query(1); });
</script>"""
    s.page("xxgk/bmnb/index.html", shell("部门年报", nav + "<h2>部门年报</h2>" + posted, foot, '<script src="/static/js/jquery.min.js"></script>'))

    def rec(path: str, title: str, date: str, body: str | None, report: bool = True, why: str = "") -> dict:
        page = plain_article(title, date, body or "昌邑市人民政府办公室", int(title[title.find("年") - 4 : title.find("年")]))
        if report:
            s.page(path, s.report(path, title, date, page, body=body))
        else:
            s.page(path, page)
            s.distractor(path, title, why)
        return {"id": int(path.rsplit("/", 1)[1].split(".")[0]), "title": title, "linkUrl": path, "publishTime": date + " 09:30:00", "channelName": "年度报告"}

    own = [rec(f"/xxgk/ndbg/{y + 1}01/{880000 + y}.html", t("昌邑市人民政府", y), f"{y + 1}-01-1{y % 10}", None) for y in range(2023, 2014, -1)]
    dj = rec("/xxgk/ndbg/202401/889001.html", "昌邑市2023年政府信息公开工作年度报告解读", "2024-01-22", None, False, "解读")
    dt = rec("/xxgk/ndbg/202301/889002.html", "图解：昌邑市2022年政府信息公开工作年度报告", "2023-01-25", None, False, "图解")
    records = [own[0], dj, own[1], dt, *own[2:]]
    dept = [
        rec("/xxgk/bmnb/202401/890101.html", t("昌邑市教育局", 2023), "2024-01-26", "昌邑市教育局"),
        rec("/xxgk/bmnb/202401/890102.html", t("昌邑市民政局", 2023), "2024-01-27", "昌邑市民政局"),
        rec("/xxgk/bmnb/202401/890103.html", t("市财政局", 2023), "2024-01-28", "昌邑市财政局"),
        rec("/xxgk/bmnb/202301/890001.html", t("", 2022), "2023-01-26", "昌邑市教育局"),  # named by its page only
    ]
    dept.insert(1, own[0])  # the county's 2023 report, listed by 部门年报 too
    js = {"Content-Type": "application/json;charset=UTF-8"}
    pages = -(-len(records) // 4)
    for n in range(1, pages + 1):
        data = {"code": 200, "msg": "success", "data": {"records": records[(n - 1) * 4 : n * 4], "total": len(records), "size": 4, "current": n, "pages": pages}}
        s.page(f"api/88_p{n}.json", json.dumps(data, ensure_ascii=False))
        s.route("/openapi/content/list.do", f"api/88_p{n}.json", {"channelId": "88", "page": str(n)}, headers=js)
    # 部门年报: POST only, an EasyUI-style answer {"total": N, "rows": […]} that names no page count
    for n in (1, 2):
        rows = [{"docTitle": r["title"], "docUrl": r["linkUrl"], "docRelTime": r["publishTime"]} for r in dept[(n - 1) * 3 : n * 3]]
        s.page(f"api/89_p{n}.json", json.dumps({"total": len(dept), "rows": rows}, ensure_ascii=False))
        s.route("/common/api/queryArticleList", f"api/89_p{n}.json", {"channelId": "89", "pageNo": str(n)}, method="POST", headers=js)
    return s


SITES = (jiaxiang, wenshang, lixin, guzhen, ejina, wuchuan, yinan, pingyi, huantai, changyi)


def main() -> None:
    for build in SITES:
        site = build()
        site.write()
        print(f"{site.name}: {len(site.reports)} reports, {len(site.distractors)} distractors, {len(site.files)} files")


if __name__ == "__main__":
    main()
