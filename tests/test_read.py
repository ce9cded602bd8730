from __future__ import annotations

import pytest

from kg.errors import InputError
from kg.read import date_from_text, decode, discover, html_to_text, read_article, read_articles, read_index


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("苏州工业园区的罗氏诊断".encode(), "utf-8"),
        ("苏州工业园区的罗氏诊断".encode("gb18030"), "gb18030"),
        ("無錫高新區對英合作，阿斯利康在華投資".encode("big5"), "big5"),
        ("\ufeff苏州工业园区".encode("utf-16-le"), "utf-16"),
        ("\ufeff苏州工业园区".encode("utf-8"), "utf-8-sig"),
    ],
)
def test_read_decode_detects_encodings(data: bytes, encoding: str) -> None:
    text, enc = decode(data)
    assert enc == encoding
    assert text.lstrip("\ufeff") in ("苏州工业园区的罗氏诊断", "無錫高新區對英合作，阿斯利康在華投資", "苏州工业园区")


@pytest.mark.parametrize(("data", "reason"), [(b"", "empty"), (b"  \n ", "empty"), (b"\x00\x01\x02" * 100, "binary")])
def test_read_decode_rejects_empty_and_binary(data: bytes, reason: str) -> None:
    with pytest.raises(InputError) as err:
        decode(data, "x.txt")
    assert reason in str(err.value) and "x.txt" in str(err.value)


def test_read_html_drops_scripts_and_styles() -> None:
    text, title = html_to_text("<html><head><title>标题</title><style>p{}</style></head>"
                               "<body><script>alert('x')</script><p>德国妥思落户苏州</p></body></html>")
    assert title == "标题"
    assert "alert" not in text and "p{}" not in text and "德国妥思落户苏州" in text


def test_read_index_and_dates(tmp_path) -> None:
    (tmp_path / "a.txt").write_text("2024-09-20 来源：某报\n正文", encoding="utf-8")
    (tmp_path / "b.txt").write_text("正文没有日期", encoding="utf-8")
    (tmp_path / "index.csv").write_text("file,slug,script,published,publisher,title\nb.txt,b,zh-Hans,2023-05,报,题\n",
                                        encoding="utf-8")
    assert read_index(tmp_path)["b.txt"]["published"] == "2023-05"
    arts = {a.id: a for a in read_articles([tmp_path])}
    assert (arts["a"].date, arts["b"].date, arts["b"].title) == ("2024-09-20", "2023-05", "题")
    assert date_from_text("发布时间：2023年5月12日") == "2023-05-12"


def test_read_discover_reports_missing_and_too_large(tmp_path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("无锡" * 1000, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_article(big, max_bytes=100)
    assert "too large" in str(err.value)
    files, skipped = discover([tmp_path, tmp_path / "nope"])
    assert files == [big]
    assert [(s.path, s.reason) for s in skipped] == [(str(tmp_path / "nope"), "no such file or folder")]
