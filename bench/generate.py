"""A large synthetic mirror for the benchmarks: BODIES bodies × YEARS annual reports, spread over
the four CMS platforms and crawled by the unchanged portal spiders with `-a base_url=…`:

    trs     dongsheng   /gk/zfxxgknb/{qzf,qzbm/{dept}}/index[_N].html, createPageHTML pager
    hanweb  dongying    /col/col164458/index.html jpage datastore + POST dataproxy.jsp pages
    lonsun  huaibei     /zwgk/public/column/15?type=3&pageIndex=N rows (xxgk_navli), pageCount
    vsb     linyi_etdz  /xxgk/{gknb,bmnb}.htm + /xxgk/bmnb/{k}.htm numbered from the end

Report pages carry the platform's chrome and article container, prose, and the statistics tables
of their year: the pre-2019 统计表 (legacy), the 2019 form (2019–2020) or the 2021 form (2021+).
Numbers are those of the consistent fixtures in tests/fixtures/statistics/ (and a legacy table
built from metrics.csv), multiplied by a per-report factor: every sum still adds up. Every 20th
report links a small PDF attachment (tests/fixtures/documents/table.pdf).

Everything is synthetic (【合成测试数据】). Written as a mirror folder for crawler/mirror/server.py:
root/ + handler.py (bench/mirror_handler.py) + manifest.json.

    python -m bench.generate --bodies 32 --years 16 --out bench/out/site-1x
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import zlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from crawler.parsing.metrics import load_metrics

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
PLATFORMS = ("trs", "hanweb", "lonsun", "vsb")
SPIDERS = {"trs": "dongsheng", "hanweb": "dongying", "lonsun": "huaibei", "vsb": "linyi_etdz"}
FIRST_YEAR = 2008
PER_PAGE = 15  # list rows per page on every platform
ATTACHMENT_EVERY = 20
SYNTHETIC = "【合成测试数据】"

DEPARTMENTS = (
    "发展和改革委员会 教育局 科学技术局 工业和信息化局 公安局 民政局 司法局 财政局 人力资源和社会保障局 "
    "自然资源局 生态环境局 住房和城乡建设局 交通运输局 水务局 农业农村局 商务局 文化和旅游局 "
    "卫生健康委员会 退役军人事务局 应急管理局 审计局 市场监督管理局 统计局 医疗保障局 林业和草原局 "
    "城市管理综合执法局 行政审批和政务服务局 信访局 人民防空办公室 机关事务服务中心 粮食和物资储备局 "
    "地方金融监督管理局 投资促进局 大数据中心 住房公积金管理中心 供销合作社 档案馆 地震局 气象局"
).split()
PLACE_CHARS = "东西南北中新安平和兴华宁康泰丰盛永福嘉瑞"


# ---------------------------------------------------------------------------------------------
# statistics tables


def fixture_tables(name: str) -> str:
    """The <table>s of a statistics fixture, with the section headings between them."""
    text = (FIXTURES / "statistics" / name).read_text("utf-8")
    body = text[text.index("<p>二、") : text.index("<p>五、")]
    return body


LEGACY_CODES = (
    "proactive.heading proactive.total proactive.normative_docs proactive.normative_docs_issued "
    "proactive.channel.heading proactive.channel.gazette proactive.channel.website "
    "proactive.channel.weibo proactive.channel.wechat proactive.channel.other "
    "response.heading response.hotspots response.channel.heading response.press_conferences "
    "response.press_conferences_leaders response.online_interviews response.online_interviews_leaders "
    "response.policy_explainers response.weibo_wechat response.other "
    "applications.heading applications.received applications.received.in_person "
    "applications.received.fax applications.received.online applications.received.letter "
    "applications.received.other applications.closed applications.closed.on_time "
    "applications.closed.extended applications.answered applications.answer.already_public "
    "applications.answer.granted applications.answer.partially_granted applications.answer.refused "
    "applications.answer.refused.state_secret applications.answer.refused.commercial_secret "
    "applications.answer.refused.privacy applications.answer.refused.security_stability "
    "applications.answer.refused.not_gov_info applications.answer.refused.other_legal "
    "applications.answer.not_this_agency applications.answer.not_exist "
    "applications.answer.clarification_requested applications.answer.other_channel "
    "review.total review.upheld review.corrected review.other "
    "litigation.total litigation.upheld litigation.corrected litigation.other "
    "complaints.total complaints.upheld complaints.corrected complaints.other fees.collected "
    "org.heading org.dedicated_bodies org.reading_points org.staff org.staff.full_time "
    "org.staff.part_time org.budget meetings.heading meetings.held training.sessions training.attendees"
).split()
# printed totals = the sum of their rows (docs/templates.md §5), innermost first
LEGACY_SUMS = {
    "applications.answer.refused": "state_secret commercial_secret privacy security_stability not_gov_info other_legal",
    "applications.received": "in_person fax online letter other",
    "applications.closed": "on_time extended",
    "applications.answered": (
        "already_public granted partially_granted refused not_this_agency not_exist "
        "clarification_requested other_channel"
    ),
    "review.total": "upheld corrected other",
    "litigation.total": "upheld corrected other",
    "complaints.total": "upheld corrected other",
    "org.staff": "full_time part_time",
}
NATIONAL_LABEL = {"org.heading": 1, "meetings.heading": 1}  # 八、/九、 on the national form


def _parts(total: str) -> list[str]:
    stem = total.rsplit(".", 1)[0] if total.endswith(".total") else total
    prefix = "applications.answer" if total == "applications.answered" else stem
    return [f"{prefix}.{p}" for p in LEGACY_SUMS[total].split()]


def legacy_table() -> str:
    """The national pre-2019 统计表 (指标 | 单位 | 统计数) with consistent base numbers; its
    caption names the year as {YEAR}."""
    metrics = load_metrics()
    values: dict[str, Decimal] = {}
    for code in LEGACY_CODES:
        if not code.endswith(".heading"):
            values[code] = Decimal(zlib.crc32(code.encode()) % 40 + 1)
    values["org.budget"] = Decimal("12.5")
    values["fees.collected"] = Decimal("0.3")
    for total in LEGACY_SUMS:
        values[total] = sum((values[p] for p in _parts(total)), Decimal(0))
    for leaders in ("response.press_conferences_leaders", "response.online_interviews_leaders"):
        values[leaders] = min(values[leaders], values[leaders.removesuffix("_leaders")])
    rows = ["<tr><td>统 计 指 标</td><td>单位</td><td>统计数</td></tr>"]
    for code in LEGACY_CODES:
        label = metrics[code].labels[NATIONAL_LABEL.get(code, 0)].split(" > ")[-1]
        if code.endswith(".heading"):
            rows.append(f"<tr><td>{label}</td><td></td><td></td></tr>")
        else:
            rows.append(f"<tr><td>{label}</td><td>{metrics[code].unit or ''}</td><td>{values[code]}</td></tr>")
    return (
        "<p>六、附表</p><p>{YEAR}年度政府信息公开工作情况统计表</p>"
        f'<table border="1" cellspacing="0" cellpadding="0" width="100%">{"".join(rows)}</table>'
    )


_NUMBER_CELL = re.compile(r"<td([^>]*)>([+-]?)(\d+(?:\.\d+)?)(万元)?</td>")


def scaled(tables: str, factor: int) -> str:
    """Every number cell × factor: sums, totals and ≤ relations all still hold."""

    def times(m: re.Match) -> str:
        attrs, sign, number, unit = m.groups()
        return f"<td{attrs}>{sign}{Decimal(number) * factor}{unit or ''}</td>"

    return _NUMBER_CELL.sub(times, tables)


def template_of(year: int) -> str:
    return "legacy" if year < 2019 else "gov2019" if year < 2021 else "gov2021"


# ---------------------------------------------------------------------------------------------
# reports


@dataclass
class Report:
    platform: str
    body: int  # index of the body on its platform (0: the portal's own body)
    dept: str | None  # department name, None for the portal's own body
    year: int
    title: str
    published: date
    id: int
    path: str  # URL path on the mirror
    attachment: str | None = None  # URL path of the PDF, if any

    @property
    def factor(self) -> int:
        return self.id % 37 + 1


PORTAL = {  # title prefix (the name a report title gives the portal's own body) per platform
    "trs": "东胜区",
    "hanweb": "东营市",
    "lonsun": "淮北市",
    "vsb": "临沂经济技术开发区",
}


def dept_names(count: int) -> list[str]:
    names = list(DEPARTMENTS)
    names += [f"{a}{b}镇人民政府" for a in PLACE_CHARS for b in PLACE_CHARS if a != b]
    names += [f"{a}{b}街道办事处" for a in PLACE_CHARS for b in PLACE_CHARS if a != b]
    if count > len(names):
        raise SystemExit(f"at most {len(names)} bodies per platform")
    return names[:count]


def plan(bodies: int, years: int) -> list[Report]:
    """Every report of the mirror; body b is on platform PLATFORMS[b % 4]."""
    per_platform = {p: (bodies - i + len(PLATFORMS) - 1) // len(PLATFORMS) for i, p in enumerate(PLATFORMS)}
    reports: list[Report] = []
    next_id = 3_000_001
    for platform in PLATFORMS:
        # body 0 is the portal's own (hanweb and lonsun spiders file every report under it)
        names = [None, *dept_names(max(per_platform[platform] - 1, 0))]
        for body, dept in enumerate(names[: per_platform[platform]]):
            for year in range(FIRST_YEAR, FIRST_YEAR + years):
                published = date(year + 1, 1 + body % 3, 5 + (body * 7 + year) % 23)
                title = f"{PORTAL[platform]}{dept or ''}{year}年政府信息公开工作年度报告"
                report = Report(platform, body, dept, year, title, published, next_id, "")
                report.path = report_path(report)
                if next_id % ATTACHMENT_EVERY == 0:
                    report.attachment = attachment_path(report)
                reports.append(report)
                next_id += 1
    return reports


def dept_code(report: Report) -> str:
    return f"bm{report.body:03d}"


def report_path(r: Report) -> str:
    d = r.published
    if r.platform == "trs":
        channel = "qzf" if r.dept is None else f"qzbm/{dept_code(r)}"
        return f"/gk/zfxxgknb/{channel}/{d:%Y%m}/t{d:%Y%m%d}_{r.id}.html"
    if r.platform == "hanweb":
        return f"/art/{d.year}/{d.month}/{d.day}/art_164458_{r.id}.html"
    if r.platform == "lonsun":
        return f"/zwgk/public/15/{r.id}.html"
    return f"/info/{2820 if r.dept is None else 2821}/{r.id}.htm"


def attachment_path(r: Report) -> str:
    d = r.published
    if r.platform == "trs":
        return r.path.rsplit("/", 1)[0] + f"/P0{d:%Y%m%d}{r.id}.pdf"
    if r.platform == "hanweb":
        return f"/attach/0/{r.id:032x}.pdf"
    if r.platform == "lonsun":
        return f"/group1/M00/{r.id % 256:02X}/{r.id // 256 % 256:02X}/CgAAZ{r.id}.pdf"
    return f"/__local/{r.id % 16:X}/{r.id:032X}.pdf"


def prose(r: Report, tables: str) -> str:
    who = f"{PORTAL[r.platform]}{r.dept or '人民政府'}"
    n = r.factor
    lines = [
        f"{SYNTHETIC}本页由基准测试生成,不是任何政府网站的真实内容,所有数字均为虚构。",
        f"本报告根据《中华人民共和国政府信息公开条例》要求编制。本报告所列数据的统计期限自{r.year}年1月1日起至{r.year}年12月31日止。",
        "一、总体情况",
        f"{r.year}年,{who}坚持以公开为常态、不公开为例外,认真落实政务公开各项工作要求,"
        f"围绕重点领域信息公开、政策解读、回应关切、平台建设等方面持续发力,政务公开质量和实效不断提升。",
        f"(一)主动公开。全年通过门户网站、政务新媒体、政府公报等渠道主动公开政府信息{120 * n}条,"
        f"其中政策文件{12 * n}件,发布政策解读材料{3 * n}篇,召开新闻发布会{n}次。",
        f"(二)依申请公开。{who}规范依申请公开受理、办理、答复流程,严格按照法定时限答复,答复规范率100%。",
        f"(三)政府信息管理。建立健全政府信息公开属性源头认定机制,对{40 * n}件公文进行公开属性审查,"
        "动态调整公开目录,及时清理过时信息。",
        f"(四)平台建设。优化门户网站信息公开专栏,更新栏目{2 * n}个,政务新媒体发布信息{60 * n}条。",
        f"(五)监督保障。将政务公开纳入年度绩效考核,组织业务培训{n}次,参训{25 * n}人次。",
        tables,
        "五、存在的主要问题及改进情况" if r.year >= 2019 else "七、存在的主要问题及改进情况",
        "一是公开内容的规范性、及时性有待加强;二是政策解读的形式还不够丰富;三是依申请公开办理的标准化水平有待提升。"
        f"下一步,{who}将进一步完善工作机制,加强业务培训,提升政务公开工作水平。",
        "六、其他需要报告的事项" if r.year >= 2019 else "八、其他需要报告的事项",
        "本年度未收取信息处理费。",
        f"{who}",
        f"{r.published.year}年{r.published.month}月{r.published.day}日",
    ]
    out = []
    for line in lines:
        out.append(line if line.startswith("<") else f"<p>{line}</p>")
    return "\n".join(out)


P_STYLE = 'style="text-indent:2em;line-height:1.75em;margin-top:0;margin-bottom:0;text-align:justify"'
SPAN_STYLE = 'style="font-family:仿宋_GB2312,仿宋;font-size:16px;color:#333333"'
TD_STYLE = 'style="border:1px solid windowtext;padding:0 7px;word-break:break-all" valign="middle"'
_P = re.compile(r"<p>(.*?)</p>")
_TD = re.compile(r"<td([^>]*)>(.*?)</td>")


def word_markup(html: str) -> str:
    """Article markup as pasted from Word into the CMS editor: every paragraph and cell wrapped
    in styled <p>/<span>s (real report pages are mostly this)."""
    html = _P.sub(rf"<p {P_STYLE}><span {SPAN_STYLE}>\1</span></p>", html)
    return _TD.sub(
        rf'<td\1 {TD_STYLE}><p style="text-align:center;margin:0"><span {SPAN_STYLE}>\2</span></p></td>', html
    )


def statistics(r: Report, tables: dict[str, str]) -> str:
    return scaled(tables[template_of(r.year)].replace("{YEAR}", str(r.year)), r.factor)


def attachment_link(r: Report, href: str) -> str:
    return f'<p>附件:<a href="{href}" target="_blank">{r.title}.pdf</a></p>' if r.attachment else ""


# ---------------------------------------------------------------------------------------------
# platform pages

NAV = "".join(f'<li><a href="/col/col{37800 + i}/index.html">栏目{i}</a></li>' for i in range(24))
FOOTER = (
    '<div class="footer"><p>主办:{who} 【合成测试数据】</p><p>地址:(基准测试镜像) 邮编:000000 电话:0000-0000000</p>'
    "<p>网站标识码:0000000000 ICP备案号:(合成) 公安机关备案号:(合成)</p>"
    '<script type="text/javascript">var _hmt = _hmt || []; (function () {{ /* analytics stub */ }})();</script></div>'
)


def page(title: str, head: str, body: str, who: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n'
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
        f"<title>{title}</title>\n{head}"
        '<link rel="stylesheet" href="/css/style.css">'
        '<script type="text/javascript" src="/js/jquery.min.js"></script>\n'
        f"</head>\n<body>\n<!-- {SYNTHETIC} benchmark mirror (bench/generate.py) -->\n"
        f'<div class="header"><div class="logo">{who}</div><ul class="nav">{NAV}</ul></div>\n'
        f"{body}\n{FOOTER.format(who=who)}\n</body>\n</html>\n"
    )


def report_page(r: Report, tables: dict[str, str]) -> str:
    content = word_markup(prose(r, statistics(r, tables)))
    d = r.published
    who = {
        "trs": "鄂尔多斯市东胜区人民政府",
        "hanweb": "东营市人民政府",
        "lonsun": "淮北市人民政府",
        "vsb": "临沂沂河新区",
    }[r.platform]
    source = f"{PORTAL[r.platform]}{r.dept or '人民政府办公室'}"
    if r.platform == "trs":
        body = (
            f'<div class="article"><h1 class="title">{r.title}</h1>'
            f'<div class="info"><span>资料来源:{source}</span> <span>发布日期:{d:%Y-%m-%d} 09:30</span></div>'
            f'<div class="TRS_Editor">\n{content}\n'
            f"{attachment_link(r, './' + (r.attachment or '').rsplit('/', 1)[-1])}</div></div>"
        )
        return page(f"{r.title}_{who}", "", body, who)
    meta = (
        f'<meta name="SiteName" content="{who}">\n<meta name="ArticleTitle" content="{r.title}">\n'
        f'<meta name="PubDate" content="{d:%Y-%m-%d} 09:30">\n<meta name="ContentSource" content="{source}">\n'
    )
    if r.platform == "hanweb":
        body = (
            f'<table class="article" width="100%"><tr><td class="title">{r.title}</td></tr>'
            f'<tr><td class="info">发布日期:{d:%Y-%m-%d} 信息来源:{source}</td></tr>'
            f'<tr><td class="bt_content"><div id="zoom">\n<!--ContentStart-->\n{content}\n'
            f"{attachment_link(r, r.attachment or '')}</div></td></tr></table>"
        )
    elif r.platform == "lonsun":
        body = (
            f'<div class="wenzhang"><h1 class="newstitle">{r.title}</h1>'
            f'<div class="newsinfo"><span>信息来源: {source}</span><span>发布时间:{d:%Y-%m-%d} 10:12</span></div>'
            f'<div class="j-fontContent wzcon">\n{content}\n{attachment_link(r, r.attachment or "")}</div></div>'
        )
    else:
        body = (
            f'<form name="_newscontent_fromname"><div class="content-title"><h1>{r.title}</h1></div>'
            f'<div class="content-info">发布时间:{d:%Y-%m-%d}</div>'
            f'<div id="vsb_content"><div class="v_news_content">\n{content}\n</div></div>'
            f"{attachment_link(r, r.attachment or '')}</form>"
        )
    return page(f"{r.title}-{who}", meta, body, who)


def distractor(r: Report) -> tuple[str, str]:
    """A list row that is not a report (never fetched): the 解读 of the newest report."""
    return f"{r.title}解读", r.path.replace(str(r.id), str(r.id + 900_000))


def chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def trs_lists(reports: list[Report], write) -> None:
    by_channel: dict[str, list[Report]] = {}
    for r in reports:
        by_channel.setdefault(r.path.rsplit("/", 2)[0], []).append(r)
    hub = "".join(f'<li><a href="./{c.rsplit("/", 1)[-1]}/">{c}</a></li>' for c in by_channel if "/qzbm/" in c)
    write(
        "/gk/zfxxgknb/index.html",
        page(
            "政府信息公开年报",
            "",
            '<ul class="list"><li><a href="./qzf/">区政府</a></li><li><a href="./qzbm/">政府部门</a></li></ul>',
            "鄂尔多斯市东胜区人民政府",
        ),
    )
    write(
        "/gk/zfxxgknb/qzbm/index.html",
        page("政府部门公开年报", "", f'<ul class="list">{hub}</ul>', "鄂尔多斯市东胜区人民政府"),
    )
    for channel, items in by_channel.items():
        rows = sorted(items, key=lambda r: r.published, reverse=True)
        rows_html = [(r.title, "." + r.path[len(channel) :], r.published) for r in rows]
        title, href = distractor(rows[0])
        rows_html.insert(1, (title, "." + href[len(channel) :], rows[0].published))
        pages = chunks(rows_html, PER_PAGE)
        for n, chunk in enumerate(pages, start=1):
            lis = "".join(
                f'<li><a href="{h}" title="{t}" target="_blank">{t[:24]}</a><span class="date">{d:%Y-%m-%d}</span></li>'
                for t, h, d in chunk
            )
            script = f"<script>createPageHTML('paging', {len(pages)}, {n}, 'index', 'html', {len(rows_html)});</script>"
            name = "index.html" if n == 1 else f"index_{n}.html"
            write(
                f"{channel}/{name}",
                page(
                    "公开年报",
                    "",
                    f'<ul class="list">{lis}</ul><div class="page" id="paging"></div>{script}',
                    "鄂尔多斯市东胜区人民政府",
                ),
            )


def hanweb_lists(reports: list[Report], write) -> None:
    rows = sorted(reports, key=lambda r: (r.published, r.id), reverse=True)
    records = [
        f'<record><![CDATA[\n<li><a href="{r.path}" target="_blank" title="{r.title}">{r.title[:20]}...</a>'
        f"<span>{r.published:%Y-%m-%d}</span></li>\n]]></record>"
        for r in rows
    ]
    total = len(records)
    pages = chunks(records, PER_PAGE)
    params = "appid=1&amp;webid=1&amp;path=/&amp;columnid=164458&amp;unitid=4468466&amp;permissiontype=0"

    def store(n: int) -> str:
        nextgroup = (
            f'<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page={n + 1}&amp;{params}">'
            "</a>]]></nextgroup>\n"
            if n < len(pages)
            else ""
        )
        return (
            f"<datastore>\n{nextgroup}<totalrecord>{total}</totalrecord><totalpage>{len(pages)}</totalpage>\n"
            f"<recordset>\n{chr(10).join(pages[n - 1])}\n</recordset>\n</datastore>"
        )

    script = (
        "<script type=\"text/javascript\">var param_4468466 = {col:1,appid:1,webid:1,path:'/',columnid:164458,"
        "sourceContentType:1,unitid:'4468466',webname:'东营市人民政府',permissiontype:0};\n"
        "$(function () { $('#4468466').jpage({dataStore: $('#4468466 script').html(), "
        "proxyUrl: '/module/web/jpage/dataproxy.jsp', "
        f"perPage: {PER_PAGE}, totalRecord: {total}, barPosition: 'bottom', showMode: 'full', "
        "ajaxParam: param_4468466}); });</script>"
    )
    body = (
        '<div class="lm_title">政府信息公开年报</div>'
        f'<div id="4468466"><script type="text/xml">{store(1)}</script></div>{script}'
    )
    write("/col/col164458/index.html", page("东营市人民政府 政府信息公开年报", "", body, "东营市人民政府"))
    for n in range(2, len(pages) + 1):  # dataproxy.jsp POST startrecord=S → _dataproxy/S.xml (handler)
        write(f"/_dataproxy/{(n - 1) * PER_PAGE + 1}.xml", '<?xml version="1.0" encoding="UTF-8"?>\n' + store(n))
    write(
        "/_xxgk/no_report.html",
        page("政府信息公开年报", "", '<div class="nb_content" id="zoom"><p>暂无信息</p></div>', "东营市人民政府"),
    )


def lonsun_lists(reports: list[Report], write) -> None:
    rows = sorted(reports, key=lambda r: (r.published, r.id), reverse=True)
    pages = chunks(rows, PER_PAGE)
    for n, chunk in enumerate(pages, start=1):
        lis = "".join(
            f'<div class="xxgk_navli"><ul><li class="xh">{i}</li><li class="mc">'
            f'<a href="{{{{BASE_URL}}}}{r.path}" title="{r.title}" target="_blank">{r.title[:24]}...</a></li>'
            f'<li class="wh"></li><li class="rq">{r.published:%Y-%m-%d}</li></ul></div>'
            for i, r in enumerate(chunk, start=1)
        )
        script = (
            '<script>var publicInfoParam = {labelName: "publicInfoList", siteId: "9900001", organId: "15", type: "3", '
            'catId: "", pageSize: 15, isDate: true, dateFormat: "yyyy-MM-dd", file: '
            '"/xxgk/publicInfoList_newest2020"};\n'
            'Ls.pagination("#page_public_info", function (pageIndex) { }, '
            f"{{currPage: {n}, pageCount: {len(pages)}}});</script>"
        )
        tree = (
            '<ul class="xxgk_tree">'
            '<li><a href="/zwgk/public/column/15?type=2&amp;action=list">政府信息公开指南</a></li>'
            '<li class="on"><a href="/zwgk/public/column/15?type=3&amp;action=list">政府信息公开年报</a></li></ul>'
        )
        body = (
            f'<div class="xxgk_left">{tree}</div>'
            f'<div class="xxgk_right"><div class="xxgk_nav_con" id="public_info_list">{lis}'
            f'</div><div id="page_public_info" class="pagination"></div></div>{script}'
        )
        write(f"/_lonsun/column_{n}.html", page("政府信息公开年报_淮北市人民政府", "", body, "淮北市人民政府"))
        # the label fragment the pager loads (the spider reads pages 2… from it)
        pager = "".join(f'<a href="javascript:;" paged="{k}">{k}</a>' for k in range(1, len(pages) + 1) if k != n)
        write(
            f"/_lonsun/label_{n}.html",
            f'<div class="xxgk_nav_con">{lis}</div>\n<div id="page_public_info" class="pagination">'
            f'<span class="current">{n}</span>{pager}<span>共{len(pages)}页</span></div>',
        )


def vsb_lists(reports: list[Report], write) -> None:
    for slug, own in (("xxgk/gknb", True), ("xxgk/bmnb", False)):
        rows = sorted((r for r in reports if (r.dept is None) == own), key=lambda r: (r.published, r.id), reverse=True)
        pages = chunks(rows, PER_PAGE)
        for p, chunk in enumerate(pages, start=1):
            path = f"/{slug}.htm" if p == 1 else f"/{slug}/{len(pages) - p + 1}.htm"
            up = "../" * path.count("/", 1)
            lis = "".join(
                f'<li id="line_u9_{i}"><a href="{up}{r.path.lstrip("/")}" target="_blank" title="{r.title}">'
                f"{r.title[:24]}...</a>"
                f'<span class="date">{r.published:%Y-%m-%d}</span></li>'
                for i, r in enumerate(chunk)
            )
            pager = (
                f'<div class="pager"><table><tr><td nowrap="nowrap">共{len(rows)}条&nbsp;&nbsp;{p}/{len(pages)}&nbsp;'
                "</td></tr></table></div>"
            )
            write(
                path,
                page("公开年报-临沂沂河新区", "", f'<div class="list"><ul>{lis}</ul></div>{pager}', "临沂沂河新区"),
            )


# ---------------------------------------------------------------------------------------------


def generate(out: Path, bodies: int, years: int) -> dict:
    code = Path(__file__).read_bytes() + Path(__file__).with_name("mirror_handler.py").read_bytes()
    manifest = {"bodies": bodies, "years": years, "generator": zlib.crc32(code)}
    if (out / "manifest.json").exists() and json.loads((out / "manifest.json").read_text())["params"] == manifest:
        return json.loads((out / "manifest.json").read_text())
    if out.exists():
        shutil.rmtree(out)
    root = out / "root"
    pdf = (FIXTURES / "documents" / "table.pdf").read_bytes()
    tables = {
        "legacy": legacy_table(),
        "gov2019": fixture_tables("gov2019_full.html"),
        "gov2021": fixture_tables("gov2021_full.html"),
    }
    sizes = {"pages": 0, "bytes": 0}

    def write(path: str, content: str | bytes) -> None:
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        target.write_bytes(data)
        sizes["pages"] += 1
        sizes["bytes"] += len(data)

    reports = plan(bodies, years)
    for r in reports:
        write(r.path, report_page(r, tables))
        if r.attachment:
            write(r.attachment, pdf)
    by_platform = {p: [r for r in reports if r.platform == p] for p in PLATFORMS}
    trs_lists(by_platform["trs"], write)
    hanweb_lists(by_platform["hanweb"], write)
    lonsun_lists(by_platform["lonsun"], write)
    vsb_lists(by_platform["vsb"], write)
    shutil.copy(Path(__file__).with_name("mirror_handler.py"), out / "handler.py")
    result = {
        "params": manifest,
        "reports": len(reports),
        "reports_by_platform": {p: len(v) for p, v in by_platform.items()},
        "attachments": sum(1 for r in reports if r.attachment),
        "templates": {t: sum(1 for r in reports if template_of(r.year) == t) for t in ("legacy", "gov2019", "gov2021")},
        "files": sizes["pages"],
        "bytes": sizes["bytes"],
        "spiders": SPIDERS,
        "sample": [r.path for r in random.Random(7).sample(reports, min(len(reports), 400))],
    }
    (out / "manifest.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bodies", type=int, default=32)
    parser.add_argument("--years", type=int, default=16)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "site-1x")
    args = parser.parse_args()
    info = generate(args.out, args.bodies, args.years)
    print(json.dumps({k: v for k, v in info.items() if k != "sample"}, ensure_ascii=False))


if __name__ == "__main__":
    main()
