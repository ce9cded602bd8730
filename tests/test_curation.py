"""Users' corrections in data/curation.toml change the next build, and a build never rewrites them."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from kg.corpus import build_corpus
from kg.curation import load_curation
from kg.errors import GazetteerError
from tests.conftest import ARTICLES, ROOT


def _data_dir(tmp_path: Path, curation: str) -> Path:
    d = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "gazetteer", d / "gazetteer")
    shutil.copy(ROOT / "data" / "fx_rates.csv", d / "fx_rates.csv")
    (d / "curation.toml").write_text(curation, encoding="utf-8")
    return d


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.slow
def test_curation_reject_merge_country_alias_confirm(tmp_path) -> None:
    curation = """
[[reject]]
investor = "company/bosch"
host = "park/suzhou-industrial-park"

[[merge]]
from = "company/roche"
into = "company/roche-diagnostics"

[[country]]
entity = "company/x-%E7%89%9B%E6%B4%A5%E6%8A%95%E8%B5%84%E5%85%AC%E5%8F%B8"
code = "US"

[[alias]]
entity = "company/astrazeneca"
name = "阿斯利康中国投资"

[[confirm]]
entity = "park/x-%E6%98%9F%E6%B9%BE%E5%B7%A5%E4%B8%9A%E5%9D%8A"
"""
    data = _data_dir(tmp_path, curation)
    before = (data / "curation.toml").read_bytes()
    out = tmp_path / "out"
    build_corpus([ARTICLES], out, jobs=1, data_dir=data, html=False)
    inv = _rows(out / "investments.csv")
    ents = {r["iri"].rsplit("/id/", 1)[1]: r for r in _rows(out / "entities.csv")}
    assert not [r for r in inv if r["investor"] == "博世"]
    assert "company/roche" not in ents
    assert {r["investor"] for r in inv if r["investor_iri"].endswith("/roche-diagnostics")} == {"罗氏诊断"}
    assert "阿斯利康中国投资" in ents["company/astrazeneca"]["aliases"].split("|")
    assert ents["company/x-%E7%89%9B%E6%B4%A5%E6%8A%95%E8%B5%84%E5%85%AC%E5%8F%B8"]["country"] == "US"
    assert ents["park/x-%E6%98%9F%E6%B9%BE%E5%B7%A5%E4%B8%9A%E5%9D%8A"]["recognised_by"] == "Curation"
    assert (data / "curation.toml").read_bytes() == before


def test_curation_new_entity_is_found_in_articles(tmp_path) -> None:
    data = _data_dir(tmp_path, """
[[entity]]
key = "company/sunmoon"
type = "Company"
name_zh = "日月光华"
country = "TW"
""")
    art = tmp_path / "arts"
    art.mkdir()
    (art / "a.txt").write_text("苏州工业园区迎来新项目。日月光华投资5亿美元在苏州工业园区建设封装测试基地。", encoding="utf-8")
    out = tmp_path / "out"
    build_corpus([art], out, jobs=1, data_dir=data, html=False)
    inv = _rows(out / "investments.csv")
    assert [(r["investor"], r["investor_country"], r["amount"], r["currency"]) for r in inv] == [
        ("日月光华", "TW", "500000000", "USD")]


@pytest.mark.parametrize(("text", "message"), [
    ("[[reject]\n", "not valid TOML"),
    ("[[bogus]]\nx = 1\n", "unknown table(s) ['bogus']"),
    ("[[alias]]\nentity = \"company/a\"\n", "needs a text value for 'name'"),
    ("[[entity]]\nkey = \"k\"\ntype = \"Thing\"\nname_zh = \"x\"\n", "type must be one of Park, Company"),
])
def test_curation_bad_files_say_what_is_wrong(tmp_path, text: str, message: str) -> None:
    p = tmp_path / "curation.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(GazetteerError) as err:
        load_curation(p)
    assert message in str(err.value)
