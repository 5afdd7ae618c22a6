"""Discovery: report columns found from the home page when the hints fail, remembered between
runs; platform fingerprints; link kinds.

The linyi_etdz case of issue 11: a copy of the linyi_etdz mirror whose 年报 lists sit at other
slugs (xxgk/zfnb, xxgk/bmgknb instead of the hinted xxgk/gknb, xxgk/bmnb), linked from the home
page's 信息公开 page. Expected reports are those of tests/test_linyi_etdz.py (typed from the mirror)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from crawler.mirror.server import Mirror
from spiders.discovery import detect, link_kind
from tests.conftest import SITES
from tests.crawl import run_crawl

HOME = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>临沂沂河新区</title>
<script src="/system/resource/js/counter.js"></script></head><body>
<div class="nav"><a href="index.htm">首页</a> <a href="xwzx.htm">新闻中心</a> <a href="xxgk.htm">信息公开</a>
<a href="hdjl.htm">互动交流</a></div><div class="foot">技术支持：博达软件</div></body></html>"""

XXGK = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>信息公开-临沂沂河新区</title></head><body>
<div class="nav"><a href="index.htm">首页</a> <a href="xxgk.htm">信息公开</a></div>
<div class="left"><ul>
<li><a href="xxgk/gkzn.htm">公开指南</a></li><li><a href="xxgk/gkml.htm">公开目录</a></li>
<li><a href="xxgk/zfnb.htm">政府信息公开年报</a></li><li><a href="xxgk/bmgknb.htm">部门年报</a></li>
<li><a href="xxgk/tjnb.htm">统计年报</a></li></ul></div></body></html>"""


def moved_linyi_site(tmp_path: Path) -> Path:
    """The linyi_etdz mirror with its lists at other slugs, a home page and a 信息公开 page."""
    site = tmp_path / "linyi_moved"
    shutil.copytree(SITES / "linyi_etdz", site)
    root = site / "root"
    (root / "xxgk/gknb.htm").rename(root / "xxgk/zfnb.htm")
    (root / "xxgk/gknb").rename(root / "xxgk/zfnb")
    (root / "xxgk/bmnb.htm").rename(root / "xxgk/bmgknb.htm")
    for page in [*root.glob("xxgk/*.htm"), *root.glob("xxgk/*/*.htm"), *root.glob("info/*/*.htm")]:
        text = page.read_text("utf-8").replace("gknb", "zfnb").replace("bmnb", "bmgknb")
        page.write_text(text, "utf-8")
    (root / "index.htm").write_text(HOME, "utf-8")
    (root / "xxgk.htm").write_text(XXGK, "utf-8")
    return site


LINYI_REPORTS = {
    "/info/2820/107640.htm",
    "/info/2820/98765.htm",
    "/info/2820/90123.htm",
    "/info/2820/81234.htm",
    "/info/2820/72001.htm",
    "/info/2820/63001.htm",
    "/info/2821/107655.htm",
    "/info/2821/98801.htm",
}


@pytest.mark.e2e
def test_linyi_etdz_lists_at_other_slugs_are_found_from_the_home_page_and_remembered(tmp_path):
    site = moved_linyi_site(tmp_path)
    with Mirror(site) as mirror:
        first = run_crawl("linyi_etdz", mirror.base_url, tmp_path)
        first_asked = [path for _, path in mirror.requests]
        mirror.requests.clear()
        second = run_crawl("linyi_etdz", mirror.base_url, tmp_path)
        second_asked = [path for _, path in mirror.requests]
    assert first.returncode == 0, first.log[-3000:]
    assert "hint list http://www.leda.gov.cn/xxgk/gknb.htm failed" in first.log
    assert "discovering the report columns from http://www.leda.gov.cn" in first.log
    reports = first.reports()
    assert {r["canonical_url"].removeprefix("http://www.leda.gov.cn") for r in reports} == LINYI_REPORTS
    bodies = {r["body"] for r in reports}
    assert bodies == {"临沂经济技术开发区管理委员会", "临沂沂河新区财政金融局", "经开区行政审批服务局"}
    # the 统计年报 column is no report column; the hinted slugs were asked once each
    assert "/xxgk/tjnb.htm" not in first_asked
    assert first_asked.count("/xxgk/gknb.htm") == 1

    run = first.runs()[0]
    record = json.loads(run.stats["govreports/discovery"])
    assert record["platform"] == "vsb"
    columns = {c["url"]: (c["origin"], c["reports"] > 0) for c in record["columns"]}
    assert columns["http://www.leda.gov.cn/xxgk/gknb.htm"] == ("hint", False)
    assert columns["http://www.leda.gov.cn/xxgk/zfnb.htm"] == ("discovered", True)
    assert columns["http://www.leda.gov.cn/xxgk/bmgknb.htm"] == ("discovered", True)
    assert record["discovery_requests"] == first.runs()[0].stats["govreports/discovery_requests"] > 0

    # the re-crawl of the unchanged portal: the remembered columns' list pages only
    assert second.returncode == 0, second.log[-3000:]
    assert "discovering" not in second.log
    assert set(second_asked) - {"/robots.txt"} == {
        "/xxgk/zfnb.htm",
        "/xxgk/zfnb/2.htm",
        "/xxgk/zfnb/1.htm",
        "/xxgk/bmgknb.htm",
    }


@pytest.mark.e2e
def test_a_remembered_column_that_fails_is_rediscovered(tmp_path):
    site = moved_linyi_site(tmp_path)
    with Mirror(site) as mirror:
        assert run_crawl("linyi_etdz", mirror.base_url, tmp_path).returncode == 0
    # the portal moves its department list again
    root = site / "root"
    (root / "xxgk/bmgknb.htm").rename(root / "xxgk/bmxxgk.htm")
    (root / "xxgk.htm").write_text(XXGK.replace("xxgk/bmgknb.htm", "xxgk/bmxxgk.htm"), "utf-8")
    with Mirror(site) as mirror:
        again = run_crawl("linyi_etdz", mirror.base_url, tmp_path)
        asked = [path for _, path in mirror.requests]
    assert again.returncode == 0, again.log[-3000:]
    assert "remembered list http://www.leda.gov.cn/xxgk/bmgknb.htm failed" in again.log
    assert "/xxgk/bmxxgk.htm" in asked
    record = json.loads(again.runs()[-1].stats["govreports/discovery"])
    assert {c["url"] for c in record["columns"] if c["reports"]} == {
        "http://www.leda.gov.cn/xxgk/zfnb.htm",
        "http://www.leda.gov.cn/xxgk/bmxxgk.htm",
    }


JIAXIANG_AREA = "11370829MB2803456X"  # 嘉祥县市场监督管理局's xxgk module area (tests/sites/jiaxiang)


@pytest.mark.e2e
def test_a_remembered_xxgk_area_that_answers_nothing_is_rediscovered(tmp_path):
    """jiaxiang's market-regulation bureau publishes through the xxgk module, found by discovery
    and remembered as a column; when its area code changes, the remembered area answers no year
    and the crawl discovers the columns again, finding the new area."""
    site = tmp_path / "jiaxiang"
    shutil.copytree(SITES / "jiaxiang", site)
    env = {"GOVREPORTS_PORTALS": str(SITES / "unknown_portals.toml")}
    with Mirror(site) as mirror:
        first = run_crawl("jiaxiang", mirror.base_url, tmp_path, env=env)
    assert first.returncode == 0, first.log[-3000:]
    area_key = f"http://www.jiaxiang.gov.cn/module/xxgk/xxgkAnnualReport.jsp?area={JIAXIANG_AREA}"
    record = json.loads(first.runs()[0].stats["govreports/discovery"])
    modules = {c["url"]: c for c in record["columns"] if c.get("module")}
    # the area is the column (its two years in manifest.json), not the year page the link named
    assert {u: (c["origin"], c["reports"]) for u, c in modules.items()} == {area_key: ("discovered", 2)}
    assert not [c for c in record["columns"] if "fbtime=" in c["url"]]

    new_area = "11370829MB2809999Y"
    for path in (site / "routes.json", site / "root/col/col2770/index.html"):
        path.write_text(path.read_text("utf-8").replace(JIAXIANG_AREA, new_area), "utf-8")
    for page in (site / "root/_xxgk").glob(f"{JIAXIANG_AREA}_*"):
        page.rename(page.with_name(page.name.replace(JIAXIANG_AREA, new_area)))
    with Mirror(site) as mirror:
        again = run_crawl("jiaxiang", mirror.base_url, tmp_path, env=env)
        asked = [path for _, path in mirror.requests]
    assert again.returncode == 0, again.log[-3000:]
    assert f"remembered xxgk module area {area_key} answered no report" in again.log
    assert "/" in asked and f"/module/xxgk/xxgkAnnualReport.jsp?area={new_area}&fbtime=2023" in asked
    record = json.loads(again.runs()[-1].stats["govreports/discovery"])
    modules = {c["url"]: c["reports"] for c in record["columns"] if c.get("module")}
    assert modules == {area_key: 0, area_key.replace(JIAXIANG_AREA, new_area): 2}


# -- link kinds and fingerprints ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("政府信息公开年报", "column"),
        ("信息公开年度报告", "column"),
        ("部门年报", "column"),
        ("乡镇（街道）年报", "column"),
        ("年度报告", "column"),
        ("统计年报", None),
        ("2023年部门决算", None),
        ("东营市人民政府2019年政府信息公开工作年度报告", None),  # a report, not a column
        ("政府信息公开", "nav"),
        ("法定主动公开内容", "nav"),
        ("信息公开指南", None),
        ("部门信息公开", "organs"),
        ("信息公开单位", "organs"),
        ("2023年度", "year"),
        ("更多>>", "more"),
        ("新闻中心", None),
    ],
)
def test_link_kinds(text, kind):
    assert link_kind(text) == kind


@pytest.mark.parametrize(
    ("html", "platform", "evidence"),
    [
        (
            '<div id="1"><script type="text/xml"><datastore><recordset></recordset></datastore></script></div>'
            '<a href="/col/col31001/index.html">年报</a>',
            "hanweb",
            "jpage datastore",
        ),
        (
            '<script src="/assets/js/ls.js"></script><script>Ls.pagination("#p", {pageCount: 3});</script>'
            '<a href="/xxgk/public/column/6?type=3&action=list">公开年报</a>',
            "lonsun",
            "xxgk column",
        ),
        ('<script>createPageHTML(3, 0, "index", "html");</script>', "trs", "createPageHTML"),
        ('<a href="/gk/nb/202401/t20240125_3560080.html">x</a><div class="TRS_Editor"></div>', "trs", "TRS editor"),
        ('<script>showVsbpdfIframe("/__local/1/2.pdf","100%")</script>', "vsb", "VSB script"),
        ('<a href="info/2821/107655.htm">x</a><div>技术支持：博达软件</div>', "vsb", "footer names 博达"),
        ('<ul><li><a href="/news/show.asp?id=3">x</a></li></ul><a href="list.asp?page=2">下一页</a>', "generic", ""),
    ],
)
def test_platform_fingerprints(html, platform, evidence):
    found = detect([("http://x.example/", html)])
    assert found.platform == platform
    assert evidence in " ".join(found.evidence)


# -- following links, by hand -------------------------------------------------------------------

NAV_PAGE = """<html><body>
<div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a><a href="/news/">新闻中心</a></div>
<div class="box"><h3>政府信息公开年报</h3><ul>
  <li><a href="/nb/t20240120_1.html">平原县人民政府2023年政府信息公开工作年度报告</a></li></ul>
  <a class="more" href="/nb/">更多>></a></div>
<div class="box"><h3>通知公告</h3><a href="/tzgg/">更多>></a></div>
<ul><li><a href="/bmnb/">部门年报</a></li><li><a href="/tjnb/">统计年报</a></li>
<li><a href="/jd/">年报解读</a></li><li><a href="/bm/">部门信息公开</a></li>
<li><a href="http://www.other.example/nb/">政府信息公开年报</a></li>
<li><a href="http://bm.pingyuan.gov.cn/nb/">信息公开年报</a></li></ul>
</body></html>"""


def hand_spider(**attrs):
    from crawler.registry import Portal, spider_class_for

    portal = Portal("pingyuan", "http://www.pingyuan.gov.cn", "平原县人民政府", "county", platform="generic")
    return spider_class_for(portal)(base_url="http://127.0.0.1:8000", **attrs)


def test_discovery_follows_report_columns_and_the_catalogue_only():
    from tests.conftest import fake_response

    spider = hand_spider()
    spider.discovery.asked.add("http://www.pingyuan.gov.cn/zwgk/")  # the page itself, asked already
    response = fake_response("http://127.0.0.1:8000/zwgk/", NAV_PAGE.encode())
    asked = [
        (r.url.removeprefix("http://127.0.0.1:8000"), r.cb_kwargs["kind"])
        for r in spider.parse_discovered(response, 1, "nav")
    ]
    # not 首页/新闻中心, the 通知公告 box's 更多>>, 统计年报, 年报解读, another site; /nb/ once
    assert asked == [("/nb/", "more"), ("/bmnb/", "column"), ("/bm/", "organs")]
    # a department's sub-host of the portal's domain is the portal's own (rewritten to the mirror)
    assert spider.is_site_host("bm.pingyuan.gov.cn") and not spider.is_site_host("www.other.example")


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("平原县人民政府2023年政府信息公开工作年度报告", {}),
        ("平原县2023年政府信息公开工作年度报告", {}),
        ("2023年政府信息公开工作年度报告", {}),
        (
            "王集镇人民政府2023年政府信息公开工作年度报告",
            {"body_name": "王集镇人民政府", "body_level": "department", "parent_body": "平原县人民政府"},
        ),
        (
            "县民政局2023年政府信息公开工作年度报告",
            {"body_name": "平原县民政局", "body_level": "department", "parent_body": "平原县人民政府"},
        ),
        ("德州市人民政府2023年政府信息公开工作年度报告", None),  # another government: not this portal's
    ],
)
def test_whose_report_from_the_title(title, body):
    assert hand_spider().body_for_title(title) == body


# -- govreports discover ----------------------------------------------------------------------------


@pytest.mark.e2e
def test_govreports_discover_prints_platform_columns_counts_and_the_entry(tmp_path):
    import os
    import subprocess
    import sys
    import tomllib

    from tests.crawl import REPO

    site = moved_linyi_site(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVREPORTS_")}
    env["GOVREPORTS_DOWNLOAD_DELAY"] = "0"  # a mirror: no politeness needed
    with Mirror(site) as mirror:
        done = subprocess.run(
            [sys.executable, "-m", "crawler.cli", "discover", "http://www.leda.gov.cn", "--base-url", mirror.base_url],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        asked = [path for _, path in mirror.requests]
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert out.startswith("platform: vsb\n")
    assert "evidence: vsb: footer names 博达 VSB" in out
    # the zone's list (6 reports over 3 pages) and the department list (2; the content.jsp item is not counted)
    assert "http://www.leda.gov.cn/xxgk/zfnb.htm  (discovered): 6 reports" in out
    assert "http://www.leda.gov.cn/xxgk/bmgknb.htm  (discovered): 2 reports" in out
    assert "临沂沂河新区财政金融局2023年政府信息公开工作年度报告" in out
    # no report page was fetched: discover counts them
    assert not [a for a in asked if a.startswith("/info/")]
    entry = tomllib.loads(out.split("# registry entry (check body and level):\n", 1)[1])["portal"][0]
    assert entry == {
        "name": "leda",
        "home_url": "http://www.leda.gov.cn",
        "body": "临沂沂河新区",  # from the home page's <title>
        "level": "zone",
        "platform": "vsb",
        "list_slugs": ["xxgk/bmgknb", "xxgk/zfnb"],
    }


@pytest.mark.e2e
def test_the_entry_govreports_discover_prints_crawls_every_report(tmp_path):
    """jiaxiang (a blind Hanweb mirror): the county's own column, the department and town columns
    and a department's xxgk module area all go into the printed entry, and a crawl from that entry
    alone (its hints, no discovery) stores every report of the site's manifest."""
    import os
    import subprocess
    import sys
    import tomllib

    from tests.crawl import REPO

    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVREPORTS_")}
    env["GOVREPORTS_DOWNLOAD_DELAY"] = "0"  # a mirror: no politeness needed
    with Mirror(SITES / "jiaxiang") as mirror:
        cmd = [sys.executable, "-m", "crawler.cli", "discover", "http://www.jiaxiang.gov.cn"]
        done = subprocess.run(
            [*cmd, "--base-url", mirror.base_url], cwd=REPO, env=env, capture_output=True, text=True, timeout=180
        )
        assert done.returncode == 0, done.stderr[-3000:]
        entry_text = done.stdout.split("# registry entry (check body and level):\n", 1)[1]
        entry = tomllib.loads(entry_text)["portal"][0]
        assert entry["body"] == "嘉祥县人民政府" and entry["platform"] == "hanweb"
        assert entry["xxgk_areas"] == [JIAXIANG_AREA]
        assert "2711" in entry["column_ids"]  # the county's own list (its titles name the guessed body)
        (tmp_path / "mine.toml").write_text(entry_text, "utf-8")
        crawl = run_crawl(
            "jiaxiang", mirror.base_url, tmp_path, env={"GOVREPORTS_PORTALS": str(tmp_path / "mine.toml")}
        )
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert "discovering" not in crawl.log
    site = json.loads((SITES / "jiaxiang" / "manifest.json").read_text("utf-8"))
    # the hinted columns are read at once: an article in two columns is stored under either URL
    alias = {a["path"]: a["of"] for a in site["aliases"]}
    home = "http://www.jiaxiang.gov.cn"
    got = [(alias.get(path := r["canonical_url"].removeprefix(home), path), r["body"]) for r in crawl.reports()]
    assert sorted(got) == sorted((r["path"], r["body"]) for r in site["reports"])


# -- a home page that is only a way in --------------------------------------------------------------

JS_HOME = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>欢迎访问</title>
<script type="text/javascript">window.location.href = "/portal/index.html";</script></head>
<body><noscript>请开启JavaScript</noscript></body></html>"""
FRAMESET_HOME = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>沂南县人民政府</title></head>
<frameset rows="0,*"><frame src="about:blank" /><frame src="/site/index.htm" /></frameset></html>"""


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("name", "front", "moved_to"),
    [("wenshang", JS_HOME, "portal/index.html"), ("yinan", FRAMESET_HOME, "site/index.htm")],
    ids=["script-location", "frameset"],
)
def test_a_home_page_that_only_sends_the_browser_on_is_followed(tmp_path, name, front, moved_to):
    """Many portals' root is a way in only: a script setting location (wenshang, a blind Hanweb
    mirror) or a frameset (yinan, VSB). Discovery follows it to the real home page, and the crawl
    from name, home_url, body and level finds every report of the site's manifest."""
    site = tmp_path / name
    shutil.copytree(SITES / name, site)
    home = next(p for p in (site / "root/index.html", site / "root/index.htm") if p.exists())
    (site / "root" / moved_to).parent.mkdir(parents=True, exist_ok=True)
    home.rename(site / "root" / moved_to)
    (site / "root/index.html").write_text(front, "utf-8")
    env = {"GOVREPORTS_PORTALS": str(SITES / "unknown_portals.toml")}
    with Mirror(site) as mirror:
        crawl = run_crawl(name, mirror.base_url, tmp_path, env=env)
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert f"sends the browser on to {mirror.base_url}/{moved_to}" in crawl.log
    expected = json.loads((site / "manifest.json").read_text("utf-8"))
    got = {r["canonical_url"].removeprefix(expected["home_url"]) for r in crawl.reports()}
    assert got == {r["path"] for r in expected["reports"]}
