"""The portal registry (crawler/registry.py): the package's entries become spiders, more files
add entries, and a bad entry is one line naming the file, the entry and the key."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.registry import PACKAGE_REGISTRY, RegistryError, load_registry, registry_files, spider_class_for
from tests.crawl import REPO

GOOD = """
[[portal]]
name = "weishan"
home_url = "http://www.weishan.gov.cn/"
body = "微山县人民政府"
level = "county"
"""


def write(tmp_path: Path, text: str, name: str = "portals.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_the_five_seed_portals_are_entries_with_their_hints():
    portals = load_registry([PACKAGE_REGISTRY])
    assert list(portals) == ["dongying", "huaibei", "zhucheng", "dongsheng", "linyi_etdz"]
    dongying = portals["dongying"]
    assert (dongying.home_url, dongying.body, dongying.level, dongying.region_code, dongying.platform) == (
        "http://www.dongying.gov.cn",
        "东营市人民政府",
        "city",
        "370500",
        "hanweb",
    )
    assert dongying.hints["column_ids"] == ["164458"]
    assert portals["linyi_etdz"].parent == "临沂市人民政府"


def test_an_entry_becomes_a_spider_class_of_its_platform_with_options_as_attributes():
    portals = load_registry([PACKAGE_REGISTRY])
    cls = spider_class_for(portals["dongsheng"])
    from spiders.platforms.trs import TrsSpider

    assert issubclass(cls, TrsSpider)
    assert (cls.name, cls.body_name, cls.body_level, cls.region_code, cls.parent_body) == (
        "dongsheng",
        "鄂尔多斯市东胜区人民政府",
        "district",
        "150602",
        "鄂尔多斯市人民政府",
    )
    assert cls.start_paths == ("/gk/zfxxgknb/", "/gk/zfxxgknb/qzf/", "/gk/zfxxgknb/qzbm/")  # lists become tuples
    assert cls.list_path.search("/GK/ZFXXGKNB/qzf/index_2.html")  # regexes compiled, case-insensitive
    assert cls.host_aliases == {"ds.gov.cn": "www.ds.gov.cn"}


def test_an_entry_with_only_the_four_keys_is_valid(tmp_path):
    (portal,) = load_registry([write(tmp_path, GOOD)]).values()
    assert (portal.name, portal.home_url, portal.platform, portal.hints) == (
        "weishan",
        "http://www.weishan.gov.cn",  # without the trailing slash
        None,
        {},
    )
    assert portal.source == str(tmp_path / "portals.toml")


def test_more_files_from_the_environment_follow_the_package_registry(tmp_path):
    a, b = write(tmp_path, GOOD, "a.toml"), write(tmp_path, GOOD.replace("weishan", "weishan2"), "b.toml")
    files = registry_files({"GOVREPORTS_PORTALS": f"{a}{os.pathsep}{b}"})
    assert files == [PACKAGE_REGISTRY, a, b]
    assert list(load_registry(files))[-2:] == ["weishan", "weishan2"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('name = "weishan"\n', ""), "portal #1: key 'name': missing"),
        (('body = "微山县人民政府"\n', ""), "portal #1 (weishan): key 'body': missing"),
        (('level = "county"', "level = 3"), "portal #1 (weishan): key 'level': must be a string, got int 3"),
        (('level = "county"', 'level = "town"'), "key 'level': 'town' is not one of province, city, county"),
        (
            ('home_url = "http://www.weishan.gov.cn/"', 'home_url = "www.weishan.gov.cn"'),
            "key 'home_url': 'www.weishan.gov.cn' is not an http(s) URL with a host",
        ),
        (
            ('level = "county"', 'level = "county"\nplatform = "drupal"'),
            "key 'platform': 'drupal' is not one of hanweb, lonsun, trs, vsb",
        ),
        (('name = "weishan"', 'name = "Wei Shan"'), "key 'name': 'Wei Shan' must be lower-case letters"),
        (
            ('level = "county"', 'level = "county"\nplatform = "hanweb"\ncolumn_ids = "31001"'),
            "portal #1 (weishan): key 'column_ids': must be a list of strings, got '31001'",
        ),
        (
            ('level = "county"', 'level = "county"\nplatform = "hanweb"\ncolum_ids = ["31001"]'),
            "key 'colum_ids': unknown option for platform 'hanweb'; known: column_ids",
        ),
        (
            ('level = "county"', 'level = "county"\nplatform = "trs"\nlist_path = "(unclosed"'),
            "key 'list_path': not a regular expression",
        ),
    ],
)
def test_a_bad_entry_names_the_file_the_entry_and_the_key(tmp_path, change, message):
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(RegistryError) as error:
        load_registry([path])
    text = str(error.value)
    assert text.startswith(f"{path}: ")
    assert message in text
    assert "\n" not in text


def test_a_name_used_twice_names_both_files(tmp_path):
    a, b = write(tmp_path, GOOD, "a.toml"), write(tmp_path, GOOD, "b.toml")
    with pytest.raises(RegistryError, match=re.escape(f"{b}: portal 'weishan': key 'name': already defined in {a}")):
        load_registry([a, b])
    with pytest.raises(RegistryError, match="portal 'dongying': key 'name': already defined in .*portals.toml"):
        load_registry([PACKAGE_REGISTRY, write(tmp_path, GOOD.replace("weishan", "dongying"), "c.toml")])


def test_files_that_are_not_registries(tmp_path):
    with pytest.raises(RegistryError, match="no such registry file"):
        load_registry([tmp_path / "missing.toml"])
    with pytest.raises(RegistryError, match="not valid TOML"):
        load_registry([write(tmp_path, "[[portal]\nname=")])
    with pytest.raises(RegistryError, match="unknown top-level key 'portals'"):
        load_registry([write(tmp_path, GOOD.replace("[[portal]]", "[[portals]]"))])


# -- the commands -------------------------------------------------------------------------------


def run(*cmd: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GOVREPORTS_")} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", *cmd], cwd=REPO, env=environment, capture_output=True, text=True, timeout=120
    )


def test_scrapy_list_shows_the_package_portals_and_those_of_more_files(tmp_path):
    done = run("scrapy", "list")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["dongsheng", "dongying", "huaibei", "linyi_etdz", "zhucheng"]
    extra = write(tmp_path, GOOD + 'platform = "hanweb"\n')
    done = run("scrapy", "list", env={"GOVREPORTS_PORTALS": str(extra)})
    assert "weishan" in done.stdout.split()


@pytest.mark.e2e  # crawl commands in subprocesses
@pytest.mark.parametrize(
    "command",
    [
        ("scrapy", "list"),
        ("scrapy", "crawl", "weishan", "-a", "base_url=http://127.0.0.1:9"),
        ("crawler.cli", "crawl", "weishan", "--base-url", "http://127.0.0.1:9"),
        ("crawler.cli", "portals"),
    ],
)
def test_a_bad_registry_is_one_line_and_exit_2_for_every_command(tmp_path, command):
    bad = write(tmp_path, GOOD.replace('level = "county"', 'level = "county"\nplatform = "hanweb"\nsite_hosts = 1'))
    done = run(*command, env={"GOVREPORTS_PORTALS": str(bad)})
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"govreports: {bad}: portal #1 (weishan): key 'site_hosts': must be a list of strings, got 1"
    )
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.e2e
def test_govreports_portals_shows_each_portals_last_crawl_and_report_count(tmp_path, mirror_for):
    from tests.crawl import run_crawl

    mirror = mirror_for("dongsheng")
    crawled = run_crawl("dongsheng", mirror.base_url, tmp_path)
    assert crawled.returncode == 0, crawled.log[-2000:]
    extra = write(tmp_path, GOOD)
    done = run("crawler.cli", "portals", "--database-url", crawled.database_url, env={"GOVREPORTS_PORTALS": str(extra)})
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line.split() for line in done.stdout.splitlines()[1:-1]}
    assert list(rows) == ["dongying", "huaibei", "zhucheng", "dongsheng", "linyi_etdz", "weishan"]
    assert (
        rows["dongsheng"][3:5] == ["trs", "ok"] and rows["dongsheng"][-2] == "8"
    )  # 8 reports (tests/test_dongsheng.py)
    assert rows["dongying"][3:6] == ["hanweb", "never", "crawled"]
    assert rows["weishan"][3] == "detect" and rows["weishan"][-1] == str(extra)
    assert done.stdout.splitlines()[-1].startswith("6 portals; database sqlite:///")
