"""Parse Chinese money amounts and dates (pure functions, no pipeline state)."""

from __future__ import annotations

import calendar
import re
from decimal import Decimal, InvalidOperation

_DIGITS = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "贰": 2, "三": 3, "叁": 3, "四": 4, "肆": 4,
           "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
UNITS = {"万亿": Decimal(10) ** 12, "千亿": Decimal(10) ** 11, "百亿": Decimal(10) ** 10, "亿": Decimal(10) ** 8,
         "千万": Decimal(10) ** 7, "百万": Decimal(10) ** 6, "十万": Decimal(10) ** 5, "万": Decimal(10) ** 4,
         "千": Decimal(1000), "百": Decimal(100)}
CN_NUM = "零〇一二两三四五六七八九十百千壹贰叁肆伍陆柒捌玖拾佰仟"


def parse_chinese_integer(s: str) -> int:
    """Value of a Chinese numeral (with 万/亿 sections), or of a digit string.

    >>> [parse_chinese_integer(x) for x in ["五", "十二", "一百二十", "两千零五", "三千", "12", "一万二千", "三亿五千万"]]
    [5, 12, 120, 2005, 3000, 12, 12000, 350000000]
    """
    if s.isdigit():
        return int(s)
    if "亿" in s:
        high, _, low = s.partition("亿")
        return parse_chinese_integer(high or "一") * 100_000_000 + (parse_chinese_integer(low) if low else 0)
    if "万" in s:
        high, _, low = s.partition("万")
        return parse_chinese_integer(high or "一") * 10_000 + (parse_chinese_integer(low) if low else 0)
    if s and all(c in _DIGITS for c in s) and len(s) > 1:
        return int("".join(str(_DIGITS[c]) for c in s))  # 二〇二四: digit by digit
    total = 0
    current = 0
    for ch in s:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch in _SMALL_UNITS:
            total += (current or 1) * _SMALL_UNITS[ch]
            current = 0
        else:
            raise ValueError(f"not a Chinese numeral: {s!r}")
    return total + current


def parse_number(num: str, unit: str = "") -> Decimal:
    """A number with an optional Chinese magnitude unit, as an exact Decimal.

    >>> parse_number("4.75", "亿")
    Decimal('475000000.00')
    >>> parse_number("977.5", "万")
    Decimal('9775000.0')
    >>> parse_number("五", "亿")
    Decimal('500000000')
    >>> parse_number("1,200", "万")
    Decimal('12000000')
    """
    num = num.replace(",", "").replace("，", "")
    try:
        if re.fullmatch(r"[0-9]+(\.[0-9]+)?", num):
            value = Decimal(num)
        elif "点" in num:
            whole, frac = num.split("点", 1)
            value = Decimal(f"{parse_chinese_integer(whole)}.{''.join(str(_DIGITS[c]) for c in frac)}")
        else:
            value = Decimal(parse_chinese_integer(num))
    except (InvalidOperation, KeyError) as err:
        raise ValueError(f"not a number: {num!r}") from err
    if unit:
        value *= UNITS[unit]
    return value


def decimal_str(value: Decimal) -> str:
    """Canonical text of an amount: no exponent, no trailing zeros.

    >>> decimal_str(Decimal('475000000.00'))
    '475000000'
    >>> decimal_str(Decimal('9775000.50'))
    '9775000.5'
    """
    # format(..., "f") writes the exact value; Decimal.normalize() would round it to the
    # context's 28 significant digits.
    s = format(value, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


_FULL_DATE = re.compile(r"((?:19|20)\d{2})年(\d{1,2})月(?:(\d{1,2})[日号])?")
_YEAR = re.compile(r"((?:19|20)\d{2})年")
_REL = re.compile(r"(今年|去年|明年|前年|上年|当年)(?:(\d{1,2})月(?:(\d{1,2})[日号])?)?")
_MONTH_DAY = re.compile(r"(?<![0-9年])(\d{1,2})月(\d{1,2})[日号]")


_CN_YEAR = re.compile(r"([〇零一二三四五六七八九]{4})年(?:([一二三四五六七八九十]{1,3})月(?:([一二三四五六七八九十]{1,3})[日号])?)?")


def arabic_dates(text: str) -> str:
    """Dates written in Chinese numerals, rewritten with digits (二〇二一年一月二十九日 → 2021年1月29日).

    >>> arabic_dates("二〇一五年五月，签署协议")
    '2015年5月，签署协议'
    """
    def sub(m: re.Match[str]) -> str:
        year = "".join(str(_DIGITS[c]) for c in m.group(1))
        out = f"{year}年"
        if m.group(2):
            out += f"{parse_chinese_integer(m.group(2))}月"
            if m.group(3):
                out += f"{parse_chinese_integer(m.group(3))}日"
        return out

    return _CN_YEAR.sub(sub, text)


def resolve_date(text: str, article_date: str = "") -> str:
    """The first date stated in ``text``, as ISO with the precision given.

    Relative years (今年, 去年, 明年) resolve against ``article_date``.

    >>> resolve_date("将于今年11月14日登陆无锡", "2026-02")
    '2026-11-14'
    >>> resolve_date("自1993年以来")
    '1993'
    >>> resolve_date("2025年8月6日举行")
    '2025-08-06'
    >>> resolve_date("去年", "2024-03-01")
    '2023'
    >>> resolve_date("2023年2月29日")
    '2023-02'
    """
    year = int(article_date[:4]) if re.match(r"\d{4}", article_date or "") else None
    if "年" in text and _CN_YEAR.search(text):
        text = arabic_dates(text)
    candidates = []
    m = _FULL_DATE.search(text)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), m.group(3)
        if 1 <= mo <= 12:
            candidates.append((m.start(), _iso(y, mo, int(d) if d else None)))
    m = _REL.search(text)
    if m and year is not None:
        delta = {"今年": 0, "当年": 0, "去年": -1, "上年": -1, "明年": 1, "前年": -2}[m.group(1)]
        rel_mo = int(m.group(2)) if m.group(2) else None
        rel_d = int(m.group(3)) if m.group(3) else None
        if rel_mo is None or 1 <= rel_mo <= 12:
            candidates.append((m.start(), _iso(year + delta, rel_mo, rel_d)))
    if not candidates:
        m = _YEAR.search(text)
        if m:
            candidates.append((m.start(), m.group(1)))
    if not candidates and year is not None:
        m = _MONTH_DAY.search(text)
        if m and 1 <= int(m.group(1)) <= 12:
            candidates.append((m.start(), _iso(year, int(m.group(1)), int(m.group(2)))))
    if not candidates:
        return ""
    return min(candidates)[1]


def _iso(y: int, mo: int | None, d: int | None) -> str:
    if mo is None:
        return f"{y:04d}"
    if d is None or not 1 <= d <= calendar.monthrange(y, mo)[1]:
        # No such day (2月30日): keep the month rather than write an invalid xsd:date.
        return f"{y:04d}-{mo:02d}"
    return f"{y:04d}-{mo:02d}-{d:02d}"
