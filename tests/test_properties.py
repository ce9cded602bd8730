"""Property-based tests (hypothesis): numbers, dates, amounts, names, and fuzzing of the reader and the pipeline.

Every test states its case budget in ``settings(max_examples=...)``: 22 property tests generate
7,700 cases per run (16 x 300 + 400 for find_amounts + 5 fuzz tests x 500), 2,500 of them fuzzing
(decode, html_to_text, read_article, and twice the pipeline); the file runs in about 25 s. Run
``python -m pytest tests/test_properties.py -p no:cacheprovider --hypothesis-show-statistics`` to see
the figures of a run.
"""

from __future__ import annotations

import calendar
import datetime
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from kg import lexicon as L
from kg.errors import InputError, KGError
from kg.extract import _INVESTMENT_AT, _STATISTIC_AT, _last_start, find_amounts
from kg.gazetteer import default, normalise_name
from kg.model import Article, ArticleResult
from kg.pipeline import process
from kg.quantities import UNITS, decimal_str, parse_chinese_integer, parse_number, resolve_date
from kg.read import decode, html_to_text, read_article
from kg.segment import segment
from tests.conftest import ARTICLES, UNSEEN

FAST = settings(max_examples=300, deadline=None)
FUZZ = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --------------------------------------------------------------------------- Chinese numerals (our own encoder)
_DIGITS = "零一二三四五六七八九"
_FIN_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ("", "十", "百", "千")
_FIN_UNITS = ("", "拾", "佰", "仟")
STYLES = ("plain", "liang", "yi-shi", "financial", "digits", "digits-ling")


def chinese_numeral(n: int, style: str = "plain") -> str:
    """1 ≤ n ≤ 9999 written in Chinese.

    plain: 两千零五 → 二千零五, 十二; liang: 2 before 百/千 is 两; yi-shi: 一十二;
    financial: 贰仟零伍; digits: 二〇二四 (as years are written); digits-ling: 二零二四.
    """
    assert 1 <= n <= 9999
    s = str(n)
    if style in ("digits", "digits-ling"):
        zero = "〇" if style == "digits" else "零"
        return "".join(zero if c == "0" else _DIGITS[int(c)] for c in s)
    digits, units = (_FIN_DIGITS, _FIN_UNITS) if style == "financial" else (_DIGITS, _UNITS)
    out: list[str] = []
    gap = False
    for i, c in enumerate(s):
        d, pos = int(c), len(s) - 1 - i
        if d == 0:
            gap = True
            continue
        if gap and out:
            out.append(digits[0])
        gap = False
        word = digits[d]
        if style == "liang" and d == 2 and pos >= 2:
            word = "两"
        if d == 1 and pos == 1 and i == 0 and style in ("plain", "liang"):
            word = ""  # 十二, not 一十二
        out.append(word + units[pos])
    return "".join(out)


def test_properties_chinese_numeral_encoder_examples() -> None:
    """The encoder itself, on the textbook forms."""
    got = [chinese_numeral(n, st_) for n, st_ in [(5, "plain"), (12, "plain"), (12, "yi-shi"), (120, "plain"),
                                                 (2005, "liang"), (1010, "plain"), (3000, "financial"),
                                                 (2024, "digits"), (2024, "digits-ling")]]
    assert got == ["五", "十二", "一十二", "一百二十", "两千零五", "一千零一十", "叁仟", "二〇二四", "二零二四"]


@FAST
@given(st.integers(1, 9999), st.sampled_from(STYLES))
def test_properties_parse_chinese_integer_reads_every_form(n: int, style: str) -> None:
    assert parse_chinese_integer(chinese_numeral(n, style)) == n


@FAST
@given(st.integers(0, 10**12))
def test_properties_parse_chinese_integer_reads_digit_strings(n: int) -> None:
    assert parse_chinese_integer(str(n)) == n


MAGNITUDES = sorted(UNITS)


@FAST
@given(st.integers(0, 10**9), st.one_of(st.none(), st.integers(0, 10**6)), st.sampled_from(["", *MAGNITUDES]),
       st.booleans())
@example(4, 75, "亿", False)
@example(1200, None, "万", True)
def test_properties_parse_number_arabic_with_units(whole: int, frac: int | None, unit: str, commas: bool) -> None:
    text = f"{whole:,}" if commas else str(whole)
    plain = str(whole) if frac is None else f"{whole}.{frac}"
    if frac is not None:
        text += f".{frac}"
    expected = Decimal(plain) * (UNITS[unit] if unit else 1)
    assert parse_number(text, unit) == expected


@FAST
@given(st.integers(1, 9999), st.sampled_from(STYLES), st.sampled_from(["", *MAGNITUDES]),
       st.one_of(st.none(), st.text(alphabet=_DIGITS, min_size=1, max_size=4)))
def test_properties_parse_number_chinese_with_units(n: int, style: str, unit: str, frac: str | None) -> None:
    text = chinese_numeral(n, style)
    value = Decimal(n)
    if frac is not None:  # 三点五
        text += "点" + frac
        value = Decimal(f"{n}." + "".join(str(_DIGITS.index(c)) for c in frac))
    assert parse_number(text, unit) == value * (UNITS[unit] if unit else 1)


# --------------------------------------------------------------------------- decimal_str
_decimals = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**30), max_value=10**30),
    # coefficients longer than the 28 digits of the default decimal context, at any scale
    st.builds(lambda c, e: Decimal(c).scaleb(e), st.integers(-(10**40), 10**40), st.integers(-40, 40)),
)


@FAST
@given(_decimals)
@example(Decimal("475000000.00"))
@example(Decimal("1234567890123456789012345678901234"))
@example(Decimal("-0.000"))
@example(Decimal("1E+30"))
def test_properties_decimal_str_is_plain_exact_and_canonical(d: Decimal) -> None:
    s = decimal_str(d)
    assert (set(s) <= set("-.0123456789"), Decimal(s) == d, decimal_str(Decimal(s)) == s) == (True, True, True), s
    assert not ("." in s and s.endswith(("0", "."))) and s != "-0", s


# --------------------------------------------------------------------------- resolve_date
_REL = {"今年": 0, "当年": 0, "去年": -1, "上年": -1, "明年": 1, "前年": -2}
_AROUND = st.sampled_from(["", "德国博世", "于", "据悉，", "项目在"]), st.sampled_from(["", "签约", "在苏州投资", "。"])


_ARTICLE_DATES = st.dates(min_value=datetime.date(1902, 1, 1), max_value=datetime.date(2097, 12, 31))


def _iso(y: int, m: int, d: int) -> str:
    return f"{y:04d}-{m:02d}-{d:02d}" if d <= calendar.monthrange(y, m)[1] else f"{y:04d}-{m:02d}"


_DAYS = st.one_of(st.integers(1, 31), st.integers(28, 31))  # month ends twice as often: 2月29日, 4月31日


@FAST
@given(st.integers(1900, 2099), st.integers(1, 12), _DAYS, st.sampled_from(["日", "号", "0日"]), *_AROUND)
@example(2023, 2, 29, "日", "", "")
@example(2024, 4, 31, "号", "于", "签约")
def test_properties_resolve_date_full_dates(y: int, m: int, d: int, form: str, before: str, after: str) -> None:
    text = f"{y}年{m:02d}月{d:02d}日" if form == "0日" else f"{y}年{m}月{d}{form}"
    assert resolve_date(before + text + after) == _iso(y, m, d)


@FAST
@given(st.integers(1900, 2099), st.integers(1, 12), *_AROUND)
def test_properties_resolve_date_year_and_month(y: int, m: int, before: str, after: str) -> None:
    assert (resolve_date(f"{before}{y}年{m}月{after}"), resolve_date(f"{before}{y}年{after}")) == (
        f"{y:04d}-{m:02d}", f"{y:04d}")


@FAST
@given(_ARTICLE_DATES, st.sampled_from(sorted(_REL)),
       st.one_of(st.none(), st.tuples(st.integers(1, 12), _DAYS)), *_AROUND)
def test_properties_resolve_date_relative_to_article_date(published, rel: str, md, before: str, after: str) -> None:
    year = published.year + _REL[rel]
    if md is None:
        text, expected = rel, f"{year:04d}"
    else:
        text, expected = f"{rel}{md[0]}月{md[1]}日", _iso(year, md[0], md[1])
    assert resolve_date(before + text + after, published.isoformat()) == expected


@FAST
@given(_ARTICLE_DATES, st.integers(1, 12), _DAYS)
def test_properties_resolve_date_month_day_takes_the_article_year(published, m: int, d: int) -> None:
    assert resolve_date(f"于{m}月{d}日签约", published.isoformat()) == _iso(published.year, m, d)


# --------------------------------------------------------------------------- context words of amounts
_CONTEXT_PIECES = [*L.STATISTIC_WORDS, *L.INVESTMENT_WORDS, "的", "资", "投", "总", "额", "，", "亿元", "产值"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_CONTEXT_PIECES), max_size=10).map("".join))
def test_properties_last_context_word_is_the_largest_rfind(text: str) -> None:
    # the one-scan search must find what a search for each word finds, overlapping words included
    for rx, words in ((_STATISTIC_AT, L.STATISTIC_WORDS), (_INVESTMENT_AT, L.INVESTMENT_WORDS)):
        assert _last_start(rx, text) == max(text.rfind(w) for w in words)


# --------------------------------------------------------------------------- find_amounts
_GAZ = default()
_CURRENCIES = sorted(_GAZ.currencies)
_COMPANIES = ["博世", "阿斯利康", "西门子", "德国妥思", "一家日本企业"]


@st.composite
def _amounts(draw):  # type: ignore[no-untyped-def]
    """(written number, magnitude unit, exact value) as articles write them."""
    if draw(st.booleans()):
        whole = draw(st.integers(1, 99_999))
        frac = draw(st.one_of(st.none(), st.integers(1, 99)))
        unit = draw(st.sampled_from(["", *MAGNITUDES]))
        text = f"{whole:,}" if draw(st.booleans()) else str(whole)
        plain = str(whole) if frac is None else f"{whole}.{frac}"
        return text + ("" if frac is None else f".{frac}"), unit, Decimal(plain)
    n = draw(st.integers(1, 9999))
    style = draw(st.sampled_from(STYLES[:4]))
    unit = draw(st.sampled_from(["", "万", "亿", "万亿"]))
    text = chinese_numeral(n, style)
    assume(unit or len(text) >= 2)  # a lone 五美元 is not read as an amount, on purpose
    return text, unit, Decimal(n)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(_COMPANIES), _amounts(), st.sampled_from(_CURRENCIES))
@example("博世", ("4.75", "亿", Decimal("4.75")), "美元")
@example("博世", ("二十", "", Decimal(20)), "百慕大元")
def test_properties_find_amounts_reads_value_and_currency(company: str, amount, currency: str) -> None:  # type: ignore[no-untyped-def]
    num, unit, value = amount
    assume(not (currency == "元" and not unit and not num[0].isdigit()))  # 二十元 without 万/亿: by design not money
    written = f"{num}{unit}{currency}"
    sentence = f"{company}投资{written}。"
    sents = segment(Article(id="t", path="t.txt", text=sentence))
    found = [(m.surface, m.get("value"), m.get("currency")) for s in sents for m in find_amounts(s, _GAZ)]
    expected = value * (UNITS[unit] if unit else 1)
    assert found == [(written, decimal_str(expected), _GAZ.currencies[currency])]


# --------------------------------------------------------------------------- names
_TRAD_SIMP = [("無", "无"), ("錫", "锡"), ("區", "区"), ("國", "国"), ("業", "业"), ("園", "园"), ("開", "开"),
              ("發", "发"), ("經", "经"), ("濟", "济"), ("術", "术"), ("產", "产"), ("電", "电"), ("車", "车"),
              ("華", "华"), ("資", "资"), ("醫", "医"), ("藥", "药"), ("蘇", "苏"), ("廣", "广"), ("東", "东"),
              ("門", "门"), ("會", "会"), ("協", "协"), ("學", "学"), ("灣", "湾"), ("鐵", "铁"), ("機", "机"),
              ("場", "场"), ("體", "体"), ("廠", "厂"), ("際", "际"), ("馬", "马"), ("貿", "贸"), ("設", "设"),
              ("創", "创"), ("新", "新"), ("德", "德"), ("中", "中"), ("投", "投"), ("州", "州"), ("（", "("),
              ("）", ")"), ("Ａ", "A"), ("ｂ", "b"), ("１", "1")]


@FAST
@given(st.lists(st.sampled_from(_TRAD_SIMP), min_size=1, max_size=12))
@example([("無", "无"), ("錫", "锡"), ("（", "("), ("國", "国"), ("）", ")")])
def test_properties_normalise_name_maps_traditional_to_simplified(pairs: list[tuple[str, str]]) -> None:
    trad = "".join(t for t, _ in pairs)
    simp = "".join(s for _, s in pairs)
    assert (normalise_name(trad), normalise_name(simp)) == (simp, simp)


@FAST
@given(st.text(max_size=30))
@example("無錫（國家） 軟件園")
@example("Ｂ．Ｂｒａｕｎ 贝朗")
def test_properties_normalise_name_is_idempotent(name: str) -> None:
    once = normalise_name(name)
    assert normalise_name(once) == once


# --------------------------------------------------------------------------- the reader: detection and fuzzing
def _excerpts(text: str):  # type: ignore[no-untyped-def]
    lines = [ln.strip() for ln in text.splitlines() if len(ln.strip()) >= 12]
    return st.sampled_from(lines).flatmap(
        lambda ln: st.tuples(st.integers(0, len(ln) - 12), st.integers(12, 200)).map(lambda ab: ln[ab[0]:ab[0] + ab[1]]))


_BIG5_SOURCE = (UNSEEN / "articles" / "104_nanjing-jiangbei-tsmc-hant.txt").read_bytes().decode("big5")
_GB_SOURCE = "\n".join([(UNSEEN / "articles" / "105_guangzhou-dev-district-fdi-bulletin.txt").read_bytes().decode(
    "gb18030")] + [(ARTICLES / n).read_text(encoding="utf-8") for n in ("001_7ec756358fadecaf.txt",
                                                                          "002_0bafd40c7c1bd641.txt")])
# GB2312 level 1: the 3,755 common Simplified characters.
def _gb2312(a: int, b: int) -> str:
    try:
        return bytes([a, b]).decode("gb2312")
    except UnicodeDecodeError:
        return ""


_GB_LEVEL1 = [c for a in range(0xB0, 0xD8) for b in range(0xA1, 0xFF) if (c := _gb2312(a, b))]


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@FAST
@given(st.text(alphabet=st.sampled_from(_GB_LEVEL1 + list("，。、；：“”（）0123456789ABC \n")), min_size=1,
               max_size=80))
@example("苏州工业园区")
def test_properties_decode_detects_gb18030(text: str) -> None:
    data = text.encode("gb18030")
    assume(text.strip() and not _valid_utf8(data))
    assert decode(data) == (text, "gb18030")


@FAST
@given(_excerpts(_BIG5_SOURCE))
@example("無錫高新區對英合作，阿斯利康在華投資")
def test_properties_decode_detects_big5_traditional(text: str) -> None:
    data = text.encode("big5")
    assume(not _valid_utf8(data))
    assert decode(data) == (text, "big5")


@FAST
@given(_excerpts(_GB_SOURCE))
def test_properties_decode_detects_gb18030_article_text(text: str) -> None:
    data = text.encode("gb18030")
    assume(not _valid_utf8(data))
    assert decode(data) == (text, "gb18030")


_PRINTABLE = st.characters(blacklist_categories=("Cs", "Cc", "Co", "Cn"), blacklist_characters="\ufeff\ufffd")


@FAST
@given(st.text(alphabet=_PRINTABLE, min_size=1, max_size=200), st.sampled_from(["utf-16", "utf-8-sig", "utf-8"]))
def test_properties_decode_round_trips_unicode(text: str, encoding: str) -> None:
    assume(text.strip())
    data = text.encode(encoding)
    expected = "utf-8" if encoding == "utf-8" else encoding
    assert decode(data) == (text, expected)


_BOMS = [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"]


@FUZZ
@given(st.sampled_from(_BOMS), st.binary(max_size=3000))
@example(b"", b"\x00" * 40)
@example(b"\xff\xfe", b"\x00")
def test_properties_fuzz_decode_returns_text_or_input_error(bom: bytes, data: bytes) -> None:
    try:
        text, enc = decode(bom + data, "fuzz.txt")
    except InputError as err:
        assert err.path == "fuzz.txt" and err.reason
        return
    assert (isinstance(text, str), bool(text.strip()), enc in {"utf-8", "utf-8-sig", "utf-16", "utf-32", "utf-16-le",
                                                                "utf-16-be", "gb18030", "big5"}) == (True, True, True)


_MARKUP = st.lists(st.sampled_from(list("<>!-[]/=\"' &;#x?abcdehilmoprstyDOCTYPE\n中文") +
                                   ["<![", "<!--", "-->", "<script>", "</script>", "<style>", "<title>", "<p>",
                                    "&amp;", "<!DOCTYPE", "]]>", "<![CDATA[", "<![if ", "<![endif]>"]),
                   max_size=40).map("".join)


@FUZZ
@given(_MARKUP)
@example("<![foo bar]>x")
@example("<![#s'pC r")
def test_properties_fuzz_html_to_text_never_raises(source: str) -> None:
    text, title = html_to_text(source)
    assert (isinstance(text, str), isinstance(title, str)) == (True, True)


@pytest.fixture(scope="module")
def fuzz_dir():  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


@FUZZ
@given(st.one_of(st.binary(max_size=2000), _MARKUP.map(lambda s: s.encode("utf-8"))),
       st.sampled_from(["a.txt", "a.md", "a.html", "文章 1.htm"]))
def test_properties_fuzz_read_article_returns_article_or_input_error(fuzz_dir: Path, data: bytes,
                                                                     name: str) -> None:
    path = fuzz_dir / name
    path.write_bytes(data)
    try:
        art = read_article(path)
    except InputError as err:
        assert err.reason
        return
    assert (isinstance(art, Article), bool(art.text.strip()), art.id) == (True, True, path.stem)


# --------------------------------------------------------------------------- the pipeline on random text
_WORDS = ["德国", "博世", "阿斯利康", "在", "苏州工业园区", "无锡高新区", "投资", "5", "亿", "美元", "元", "，", "。", "、",
          "等", "“", "”", "(", ")", "（", "）", "\n", "\n\n", "2024年", "3月", "5日", "今年", "去年", "该公司", "园区",
          "有限公司", "集团", "与", "签署", "合作备忘录", "平台", "中英", "二十", "点", "超", "约", "累计", "！", " ",
          "<", ">", "=", "@", "'", '"', "无錫", "開發區", "项目", "落户", "总投资", "公司", "研究院", "中国", "日本",
          "株式会社", "A", "1,200", "万", "千万", "1.5", "万亿", "多", "以上", "——", "…", "：", "；", "?"]
_TEXT = st.one_of(st.lists(st.sampled_from(_WORDS), max_size=40).map("".join), st.text(max_size=120))


def _run(text: str, date: str) -> ArticleResult:
    return process(Article(id="fuzz", path="fuzz.txt", text=text, date=date), _GAZ)


@FUZZ
@given(_TEXT, st.sampled_from(["", "2024", "2024-03", "2024-03-05", "1999-12-31"]))
def test_properties_fuzz_process_raises_only_kgerror(text: str, date: str) -> None:
    try:
        result = _run(text, date)
    except KGError:
        return
    assert isinstance(result, ArticleResult)


@FUZZ
@given(_TEXT, st.sampled_from(["", "2024", "2024-03-05"]))
@example("德国博世在苏州工业园区投资5亿美元。", "2024")
def test_properties_fuzz_process_never_fails_and_keeps_provenance(text: str, date: str) -> None:
    """Stricter: no stage may fail at all (a KGError here wraps a bug), and every evidence span quotes the text."""
    result = _run(text, date)
    spans = [(f.evidence.quote, text[f.evidence.start:f.evidence.end]) for f in result.facts]
    assert [q for q, t in spans if q.replace("\n", "") != t.replace("\n", "")] == []
