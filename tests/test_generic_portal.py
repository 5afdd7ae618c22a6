"""Portals on a CMS no base knows, crawled from a registry entry holding only name, home_url,
body and level: an ASP article CMS paged with 下一页/尾页 links, with a parent column of 更多>>
sub-columns and an organ list (部门信息公开) whose organs each have their own 年报 list, and a site
whose list comes from a JSON endpoint its script calls.

Both sites are small hand-written fixtures built here; every expected title is typed below."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.mirror.server import Mirror
from tests.crawl import run_crawl

SYN = "(合成测试数据)"


def page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>'
        f'<div class="top"><a href="/index.asp">首页</a> <a href="/zwgk/index.asp">政务公开</a></div>{body}'
        "<div class='foot'>版权所有：平原县人民政府 技术支持：某某网络</div></body></html>"
    )


def report(title: str, date: str) -> str:
    return page(
        title,
        f'<h1 class="title">{title}</h1><div class="info">发布时间：{date}</div>'
        f'<div class="content"><p>{title}。本报告由平原县人民政府办公室编制。'
        f"统计期限自{title[:4] if title[:4].isdigit() else '2023'}年1月1日起。</p></div>",
    )


def rows(items: list[tuple[str, str, str]]) -> str:
    return "".join(f'<tr><td><a href="{href}" title="{t}">{t[:18]}…</a></td><td>{d}</td></tr>' for href, t, d in items)


def write(root: Path, path: str, text: str) -> None:
    file = root / path.lstrip("/")
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, "utf-8")


# the ASP CMS: 政务公开 → 信息公开年报 (parent) → 县政府年报 (3 pages) and 部门年报 (1 page)
COUNTY = [
    (f"平原县人民政府2023年政府信息公开工作年度报告{SYN}", "/news/show.asp?id=903", "2024-01-20"),
    (f"平原县人民政府2022年政府信息公开工作年度报告{SYN}", "/news/show.asp?id=802", "2023-01-18"),
    (f"平原县人民政府2021年政府信息公开工作年度报告{SYN}", "/news/show.asp?id=701", "2022-01-25"),
    (f"平原县人民政府2020年政府信息公开工作年度报告{SYN}", "/news/show.asp?id=600", "2021-01-22"),
    (f"平原县人民政府2019年政府信息公开工作年度报告{SYN}", "/news/show.asp?id=500", "2020-01-21"),
]
DEPARTMENTS = [
    (f"平原县财政局2023年政府信息公开工作年度报告{SYN}", "/news/show.asp?id=911", "2024-01-26"),
    (f"县教育和体育局2023年政府信息公开工作年度报告{SYN}", "/news/show.asp?id=912", "2024-01-27"),
]
ORGAN = (f"平原县农业农村局2023年政府信息公开工作年度报告{SYN}", "/news/show.asp?id=921", "2024-01-29")


def asp_site(tmp_path: Path) -> Path:
    site = tmp_path / "pingyuan"
    root = site / "root"
    write(root, "index.asp", page("平原县人民政府门户网站", '<a href="/news/list.asp?cid=1">新闻动态</a>'))
    write(
        root,
        "zwgk/index.asp",
        page(
            "政务公开",
            '<ul><li><a href="/zwgk/zn.asp">信息公开指南</a></li>'
            '<li><a href="/news/list.asp?cid=30">信息公开年报</a></li>'
            '<li><a href="/news/list.asp?cid=40">统计年报</a></li>'
            '<li><a href="/zwgk/bm.asp">部门信息公开</a></li></ul>',
        ),
    )
    write(
        root,
        "zwgk/bm.asp",
        page(
            "部门信息公开",
            '<ul><li><a href="/zwgk/org.asp?id=7">县农业农村局</a></li>'
            '<li><a href="/zwgk/org.asp?id=8">县发展和改革局</a></li>'
            '<li><a href="/about.asp">联系我们</a></li></ul>',
        ),
    )
    write(root, "zwgk/org7.asp", page("县农业农村局", '<a href="/news/list.asp?cid=71">本单位信息公开年报</a>'))
    write(root, "zwgk/org8.asp", page("县发展和改革局", '<a href="/zwgk/zn.asp">信息公开指南</a>'))
    write(root, "news/list.asp@cid=71", page("年报", f"<table>{rows([(ORGAN[1], ORGAN[0], ORGAN[2])])}</table>"))
    write(
        root,
        "news/list.asp@cid=30",
        page(
            "信息公开年报",
            '<div class="box"><h3>县政府年报</h3><a href="/news/list.asp?cid=31">更多>></a></div>'
            '<div class="box"><h3>部门年报</h3><a href="/news/list.asp?cid=32">更多>></a></div>'
            '<div class="box"><h3>通知公告</h3><a href="/news/list.asp?cid=5">更多>></a></div>',
        ),
    )
    news = [(h, t, d) for t, h, d in COUNTY]
    pager = (
        '<div class="pager">共3页 <a href="list.asp?cid=31&page={n}">下一页</a> '
        '<a href="list.asp?cid=31&page=3">尾页</a></div>'
    )
    distractor = (
        "/news/show.asp?id=950",
        "关于做好2023年度政府信息公开工作年度报告编制发布工作的通知",
        "2023-12-20",
    )
    write(
        root,
        "news/list.asp@cid=31",
        page("县政府年报", f"<table>{rows([distractor, *news[:2]])}</table>{pager.format(n=2)}"),
    )
    write(
        root, "news/list.asp@cid=31&page=2", page("县政府年报", f"<table>{rows(news[2:4])}</table>{pager.format(n=3)}")
    )
    write(root, "news/list.asp@cid=31&page=3", page("县政府年报", f"<table>{rows(news[4:])}</table>"))
    write(
        root, "news/list.asp@cid=32", page("部门年报", f"<table>{rows([(h, t, d) for t, h, d in DEPARTMENTS])}</table>")
    )
    for title, href, date in [*COUNTY, *DEPARTMENTS, ORGAN, (distractor[1], distractor[0], distractor[2])]:
        write(root, href.replace("?", "@"), report(title, date))
    routes = [
        {"path": path, "params": params, "file": file, "headers": {"Content-Type": "text/html; charset=utf-8"}}
        for path, params, file in [
            ("/news/list.asp", {"cid": "31", "page": "2"}, "news/list.asp@cid=31&page=2"),
            ("/news/list.asp", {"cid": "31", "page": "3"}, "news/list.asp@cid=31&page=3"),
            *[("/news/list.asp", {"cid": c}, f"news/list.asp@cid={c}") for c in ("30", "31", "32", "71")],
            *[
                ("/news/show.asp", {"id": h.rsplit("=", 1)[1]}, h.lstrip("/").replace("?", "@"))
                for _, h, _ in [*COUNTY, *DEPARTMENTS, ORGAN]
            ],
            ("/zwgk/org.asp", {"id": "7"}, "zwgk/org7.asp"),
            ("/zwgk/org.asp", {"id": "8"}, "zwgk/org8.asp"),
            ("/news/show.asp", {"id": "950"}, "news/show.asp@id=950"),
            ("/index.asp", {}, "index.asp"),
            ("/", {}, "index.asp"),
            ("/zwgk/index.asp", {}, "zwgk/index.asp"),
        ]
    ]
    (site / "routes.json").write_text(json.dumps(routes, ensure_ascii=False), "utf-8")
    return site


def registry(tmp_path: Path, name: str, home: str, body: str, level: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(f'[[portal]]\nname = "{name}"\nhome_url = "{home}"\nbody = "{body}"\nlevel = "{level}"\n', "utf-8")
    return path


@pytest.mark.e2e
def test_an_unknown_asp_cms_paged_with_next_links(tmp_path):
    site = asp_site(tmp_path)
    portals = registry(tmp_path, "pingyuan", "http://www.pingyuan.example", "平原县人民政府", "county")
    with Mirror(site) as mirror:
        result = run_crawl("pingyuan", mirror.base_url, tmp_path, env={"GOVREPORTS_PORTALS": str(portals)})
        asked = [path for _, path in mirror.requests]
    assert result.returncode == 0, result.log[-3000:]
    got = sorted((r["body"], r["body_level"], r["parent"], r["year"], r["title"]) for r in result.reports())
    county = ("平原县人民政府", "county", None)
    assert got == sorted(
        [
            *[(*county, int(t[7:11]), t) for t, _, _ in COUNTY],
            ("平原县财政局", "department", "平原县人民政府", 2023, DEPARTMENTS[0][0]),
            ("平原县教育和体育局", "department", "平原县人民政府", 2023, DEPARTMENTS[1][0]),
            ("平原县农业农村局", "department", "平原县人民政府", 2023, ORGAN[0]),
        ]
    )
    # no distractor: the 通知 and the 统计年报 / 通知公告 columns were never asked for
    assert not [a for a in asked if "id=950" in a or "cid=40" in a or "cid=5" in a or "about" in a]
    assert "detected platform generic" in result.log


# -- a list from a JSON endpoint ------------------------------------------------------------------

JSON_REPORTS = [
    (f"长清区人民政府2023年政府信息公开工作年度报告{SYN}", "/content/2024/01/nb2023.html", "2024-01-19"),
    (f"长清区人民政府2022年政府信息公开工作年度报告{SYN}", "/content/2023/01/nb2022.html", "2023-01-17"),
    (f"长清区民政局2023年政府信息公开工作年度报告{SYN}", "/content/2024/01/mzj2023.html", "2024-01-25"),
]


def json_site(tmp_path: Path) -> Path:
    site = tmp_path / "changqing"
    root = site / "root"
    write(root, "index.html", page("长清区人民政府", '<a href="/xxgk/">政府信息公开</a>'))
    write(root, "xxgk/index.html", page("政府信息公开", '<a href="/xxgk/ndbg/">政府信息公开年度报告</a>'))
    script = """<div id="list"></div><script>
      function load(n){ $.getJSON('/api/article/list?channel=ndbg&pageSize=2&pageNo=' + n, render); }
      load(1);</script>"""
    write(root, "xxgk/ndbg/index.html", page("政府信息公开年度报告", script))
    pages = [JSON_REPORTS[:2], JSON_REPORTS[2:]]
    for n, items in enumerate(pages, 1):
        data = {
            "code": 0,
            "data": {
                "totalPage": 2,
                "list": [{"title": t, "url": u, "publishDate": d + " 10:00:00"} for t, u, d in items],
            },
        }
        write(root, f"api/p{n}.json", json.dumps(data, ensure_ascii=False))
    for title, url, date in JSON_REPORTS:
        write(root, url, report(title, date))
    routes = [{"path": "/api/article/list", "params": {"pageNo": str(n)}, "file": f"api/p{n}.json"} for n in (1, 2)]
    (site / "routes.json").write_text(json.dumps(routes), "utf-8")
    return site


@pytest.mark.e2e
def test_a_list_loaded_from_a_json_endpoint(tmp_path):
    site = json_site(tmp_path)
    portals = registry(tmp_path, "changqing", "http://www.changqing.example", "济南市长清区人民政府", "district")
    with Mirror(site) as mirror:
        result = run_crawl("changqing", mirror.base_url, tmp_path, env={"GOVREPORTS_PORTALS": str(portals)})
    assert result.returncode == 0, result.log[-3000:]
    got = sorted((r["body"], r["year"], r["published_at"]) for r in result.reports())
    assert got == [
        ("济南市长清区人民政府", 2022, "2023-01-17"),
        ("济南市长清区人民政府", 2023, "2024-01-19"),
        ("济南市长清区民政局", 2023, "2024-01-25"),
    ]


def attachments_on(platform: str, path: str, html: str) -> list[tuple[str, str]]:
    """The attachments a spider of `platform` for a made-up county finds on a page at `path`."""
    from crawler.registry import Portal, spider_class_for
    from tests.conftest import fake_response

    portal = Portal("somecounty", "http://www.somecounty.gov.cn", "某县人民政府", "county", platform=platform)
    spider = spider_class_for(portal)(base_url="http://127.0.0.1:8000")
    attachments, _ = spider.attachment_links(fake_response("http://127.0.0.1:8000" + path, html.encode()))
    return attachments


@pytest.mark.parametrize("platform", ["generic", "trs", "hanweb", "lonsun"])
def test_a_document_shown_in_the_page_is_its_attachment_on_every_platform(platform):
    """An article that shows its report in the page — a pdf.js viewer in an iframe naming the
    file by `file=`, an <embed>, an <object>, a link to the viewer — has those files as its
    attachments (the embedded one first), whatever the platform; a sidebar's file is not one."""
    # the article container under the names the platforms look for (#zoom, .TRS_Editor, .j-fontContent)
    html = """<html><body><div id="zoom" class="TRS_Editor j-fontContent">
    <p>某县2023年政府信息公开工作年度报告全文见下。</p>
    <iframe src="/static/pdfjs/web/viewer.html?file=%2Fuploads%2F2024%2F01%2Fnb2023.pdf" width="100%"></iframe>
    <embed src="/uploads/2024/01/tables.pdf" type="application/pdf" />
    <object data="/uploads/2024/01/scan.pdf"></object>
    <p><a href="/static/pdfjs/web/viewer.html?file=/uploads/2024/01/jd.pdf">解读材料</a>
    <a href="/uploads/2024/01/fj.docx">附件：统计表.docx</a></p>
    </div><div class="side"><a href="/uploads/guide.pdf">公开指南.pdf</a></div></body></html>"""
    attachments = attachments_on(platform, "/art/2024/1/22/art_1_2.html", html)
    base = "http://127.0.0.1:8000/uploads/2024/01/"
    assert attachments == [
        (base + "nb2023.pdf", "nb2023.pdf"),
        (base + "tables.pdf", "tables.pdf"),
        (base + "scan.pdf", "scan.pdf"),
        (base + "jd.pdf", "解读材料"),
        (base + "fj.docx", "附件：统计表.docx"),
    ]


@pytest.mark.parametrize("platform", ["generic", "trs"])
def test_an_appendix_below_the_article_body_is_read_and_a_sidebar_is_not(platform):
    """TRS and other CMSs render a report's attachments below the article body, outside its
    container: a box named for attachments (fj, attach …) or a 附件 label. Those files are the
    report's; the sidebar's and the footer's are not."""
    html = """<html><body><div class="main"><h1>某县2023年政府信息公开工作年度报告</h1>
    <div class="TRS_Editor" id="zoom"><p>全文见附件。</p></div>
    <div class="article-fj"><a href="./P020240122512.pdf">某县2023年政府信息公开工作年度报告.pdf</a></div>
    <p class="note">附件：<a href="./P020240122513.docx">统计表.docx</a></p>
    </div><div class="side"><a href="/uploads/guide.pdf">政府信息公开指南.pdf</a></div>
    <div class="footer"><a href="/uploads/privacy.pdf">隐私声明.pdf</a></div></body></html>"""
    attachments = attachments_on(platform, "/gk/nb/202401/t20240122_9.html", html)
    base = "http://127.0.0.1:8000/gk/nb/202401/"
    assert attachments == [
        (base + "P020240122512.pdf", "某县2023年政府信息公开工作年度报告.pdf"),
        (base + "P020240122513.docx", "统计表.docx"),
    ]
