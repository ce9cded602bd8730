"""Find mentions in sentences: gazetteer names, names marked by patterns, amounts, dates, sector words.

Finding is kept apart from choosing: ``find_candidates`` returns every candidate,
``resolve_overlaps`` keeps the best non-overlapping set, ``resolve_references``
links bare words (园区, 该公司, 该平台) to what they stand for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache
from urllib.parse import quote

from kg import lexicon as L
from kg._context import ParkSighting, context_park
from kg.gazetteer import Gazetteer, iter_matches, normalise_name
from kg.model import EntityType, Mention, Sentence, Source
from kg.quantities import CN_NUM, UNITS, decimal_str, parse_number, resolve_date

_PARK = EntityType.PARK.value
_COMPANY = EntityType.COMPANY.value
_INSTITUTION = EntityType.INSTITUTION.value
_COUNTRY = EntityType.COUNTRY.value
_AGREEMENT = EntityType.AGREEMENT.value

ENTITY_KINDS = {t.value for t in EntityType}
_PRIORITY = {Source.GAZETTEER: 2, Source.CURATION: 2, Source.PATTERN: 1, Source.COREFERENCE: 0}


@lru_cache(maxsize=65_536)
def pattern_key(etype: str, name: str) -> str:
    """Key of an entity found by pattern: its type and its percent-encoded name."""
    return f"{etype.lower()}/x-{quote(name, safe='')}"


def _m(s: Sentence, start: int, end: int, kind: str, key: str = "", source: Source = Source.GAZETTEER,
       country: str = "", **data: str) -> Mention:
    return Mention(
        article_id=s.article_id, sentence=s.index, start=start, end=end, surface=s.norm[start:end],
        kind=kind, key=key, source=source, country=country,
        data=tuple(sorted((k, v) for k, v in data.items() if v)),
    )


# --------------------------------------------------------------------------- amounts
def _amount_regex(g: Gazetteer) -> re.Pattern[str]:
    return g.cached("amount_regex", lambda: _build_amount_regex(g))  # type: ignore[no-any-return]


def _build_amount_regex(g: Gazetteer) -> re.Pattern[str]:
    names = sorted(set(g.currencies) | {"元人民币", "人民币", "元", "美元", "欧元", "日元", "英镑", "港元"}, key=len, reverse=True)
    cur = "|".join(re.escape(n) for n in names)
    units = "|".join(sorted(UNITS, key=len, reverse=True))
    return re.compile(
        rf"(?P<num>[0-9][0-9,]*(?:\.[0-9]+)?|[{CN_NUM}]+(?:[亿万][{CN_NUM}]*)+(?=[^亿万]|$)|[{CN_NUM}]+(?:点[{CN_NUM}]+)?|(?<=[超逾近约达])(?=[亿万])|上(?=[亿万])|数(?=[十百千万亿]))"
        rf"\s*(?P<more>[余多])?\s*(?P<unit>{units})?\s*(?:多)?(?P<cur>{cur})"
    )


def find_amounts(s: Sentence, g: Gazetteer) -> list[Mention]:
    """Money amounts in a sentence, with currency and qualifier.

    Each mention's data holds ``value`` (decimal text in currency units),
    ``currency`` (ISO 4217), ``qualifier`` and ``context`` (``investment``,
    ``statistic`` or ``other``).
    """
    out = []
    text = s.norm
    for m in _amount_regex(g).finditer(text):
        num, unit, cur = m.group("num"), m.group("unit") or "", m.group("cur")
        if num in ("", "上"):
            if not unit:
                continue
            num = "1"
        if num == "数":
            continue  # "several hundred million": no figure
        if cur == "元" and not unit and not re.match(r"[0-9]", num) and not re.search("[万亿]", num):
            continue
        if re.fullmatch(f"[{CN_NUM}]+", num) and not unit and len(num) < 2:
            continue
        try:
            value = parse_number(num, unit)
        except (ValueError, KeyError):
            continue
        if value <= 0:
            continue
        code = g.currencies.get(cur) or {"元人民币": "CNY", "人民币": "CNY", "元": "CNY", "美元": "USD",
                                         "欧元": "EUR", "日元": "JPY", "英镑": "GBP", "港元": "HKD"}.get(cur, "")
        if cur == "元":  # 新台币189.9亿元, 港币10亿元: the currency written before the figure
            lead = g.cached("currency_lead", lambda: re.compile(r"(" + "|".join(
                re.escape(c) for c in sorted(g.currencies, key=len, reverse=True) if not c.endswith("元") and len(c) >= 2)
                + r")\s*$")).search(text, max(0, m.start() - 6), m.start())
            if lead:
                code = g.currencies[lead.group(1)]
        if not code:
            continue
        start = m.start()
        qualifier = _qualifier(text, start, m.end(), m.group("num"))
        if m.group("more") and qualifier == "exact":
            qualifier = "over"  # 40余亿元, 10多亿元: more than the figure
        out.append(_m(s, start, m.end(), "amount", value=decimal_str(value), currency=code,
                      qualifier=qualifier,
                      context=_amount_context(text, start)))
    return out


def _qualifier(text: str, start: int, end: int, num: str) -> str:
    before = text[max(0, start - 3):start]
    after = text[end:end + 2]
    if num == "上":
        return "over"
    for words, q in L.QUALIFIERS:
        if any(before.endswith(w) for w in words) or any(after.startswith(w) for w in ("以上", "左右", "以下") if w in words):
            return q
    clause = _clause_before(text, start)
    if "协议" in clause[-10:]:
        return "agreed"
    if "累计" in clause[-12:]:
        return "cumulative"
    if "总投资" in clause[-10:] or "总额" in clause[-6:]:
        return "total"
    return "exact"


def _clause_before(text: str, pos: int) -> str:
    cut = max((m.end() for m in L.CLAUSE_SPLIT.finditer(text, 0, pos)), default=0)
    return text[cut:pos]


# A zero-width match at every place one of the words starts: the last one is the largest rfind of any word.
_STATISTIC_AT = re.compile("(?=" + "|".join(map(re.escape, L.STATISTIC_WORDS)) + ")")
_INVESTMENT_AT = re.compile("(?=" + "|".join(map(re.escape, L.INVESTMENT_WORDS)) + ")")


def _last_start(rx: re.Pattern[str], text: str) -> int:
    """Where the last occurrence of any of ``rx``'s words starts in ``text`` (-1 if none).

    >>> _last_start(_INVESTMENT_AT, "投资金额与增资"), _last_start(_INVESTMENT_AT, "营收")
    (5, -1)
    """
    last = -1
    for m in rx.finditer(text):
        last = m.start()
    return last


def _amount_context(text: str, start: int) -> str:
    clause = _clause_before(text, start)
    stat = _last_start(_STATISTIC_AT, clause)
    inv = _last_start(_INVESTMENT_AT, clause)
    if stat > inv or (stat >= 0 and inv >= 0 and stat >= inv - 2):
        return "statistic"
    if inv >= 0:
        return "investment"
    after = text[start:start + 30]
    if re.match(r"[^，,。；;]{0,16}的[^，,。；;]{0,20}(项目|工厂|基地|厂房|投资|资本预算|资本支出|预算)", after):
        return "investment"
    return "other"


# --------------------------------------------------------------------------- dates
_DATE_RX = re.compile(r"(?:[〇零一二三四五六七八九]{4}年(?:[一二三四五六七八九十]{1,3}月(?:[一二三四五六七八九十]{1,3}[日号])?)?|(?:19|20)\d{2}年(?:\d{1,2}月(?:\d{1,2}[日号])?)?|(?:今年|去年|明年|前年|当年)(?:\d{1,2}月(?:\d{1,2}[日号])?)?)")


def find_dates(s: Sentence, article_date: str) -> list[Mention]:
    out = []
    for m in _DATE_RX.finditer(s.norm):
        iso = resolve_date(m.group(0), article_date)
        if iso:
            out.append(_m(s, m.start(), m.end(), "date", value=iso))
    return out


# --------------------------------------------------------------------------- dictionary
def _inside_province(text: str, pos: int, g: Gazetteer) -> int:
    """How far before ``pos`` a Chinese place starts whose name holds a country's name (内蒙古 holds 蒙古), or 0."""
    places = g.cached("provinces_holding_countries", lambda: tuple(sorted(
        c for c in g.cities if c not in g.city_country and any(c[i:].startswith(n) for n in g.country_names
                                                                 if len(n) >= 2 for i in range(1, len(c))))))
    return next((i for c in places for i in range(1, len(c)) if pos >= i and text.startswith(c, pos - i)), 0)


def find_dictionary(s: Sentence, g: Gazetteer) -> list[Mention]:
    """Gazetteer names, country names and sector keywords in a sentence."""
    out = []
    text = s.norm
    for start, end, kind, entries in iter_matches(g, text):
        if kind == "sector":
            out.append(_m(s, start, end, "sector", key=entries[0][0]))
            continue
        if kind == "currency":
            continue
        if kind == "country":
            if text.startswith("国际", end - 1):
                continue  # 中法国际汽车博览城, 中德国际合作产业园: the 国 is that of 国际, not of 法国
            if _inside_province(text, start, g):
                continue  # 内蒙古久泰新材料: 蒙古 inside a Chinese province is no country
            key = entries[0][0]
            out.append(_m(s, start, end, _COUNTRY, key=key, country=key.split("/")[1]))
            continue
        keys = {k for k, _ in entries}
        if len(keys) > 1:
            continue  # AmbiguousEntity: refuse to guess between two gazetteer entries
        key, weak = entries[0]
        ent = g.entities.get(key)
        if ent is None:
            continue
        if ent.type is EntityType.COMPANY and _person_context(text, start, end):
            continue
        if ent.type is EntityType.COMPANY and end - start <= 2 and _inside_longer_name(text, start, end, g):
            continue
        ext = _extend_company(text, end, g) if ent.type is EntityType.COMPANY else end
        declared = _SHORT_FORM.match(text, ext)  # 中新广州知识城(下称“知识城”): the article's own short form
        short = (declared.group(1) or declared.group(2)) if declared else ""
        # A Sino-foreign joint venture (东风本田) invests for its foreign partner, as a venture the article defines does
        partner = next((p for p in ent.partners if p in g.entities and g.entities[p].country not in ("", "CN")), "")
        out.append(_m(s, start, ext, ent.type.value, key=key,
                      country=g.entities[partner].country if partner else ent.country, weak="1" if weak else "",
                      extended="1" if ext != end else "", parent=partner, role="joint_venture" if partner else "",
                      short=short if short and short != text[start:ext] and _abbreviates(short, text[start:ext], g) else ""))
    return out


def _inside_longer_name(text: str, start: int, end: int, g: Gazetteer) -> bool:
    """Whether a short name is part of a longer proper name the dictionary knows (布勒 in 德布勒森, a city;
    大福 in 周大福). A country or city before it (韩国现代, one word to jieba) leaves it a name."""
    lo = max(0, start - 3)
    pos = lo
    for word, flag in _tokens(text[lo:end + 3]):
        w_end = pos + len(word)
        if pos <= start < w_end:
            # a word that begins before the name and runs to or past its end (现代汽车 begins with 现代: kept)
            before = word[:start - pos]
            return (pos < start and w_end >= end and len(word) >= 3 and flag in ("nrt", "nr", "ns")
                    and before not in g.country_names and before not in g.cities)
        pos = w_end
    return False


_EXTENSIONS_SORTED = tuple(sorted(set(L.COMPANY_EXTENSIONS + L.COMPANY_SUFFIXES), key=len, reverse=True))
_ORG_SUFFIXES_SORTED = tuple(sorted(L.COMPANY_SUFFIXES + L.INSTITUTION_SUFFIXES, key=len, reverse=True))


@lru_cache(maxsize=16)
def _suffix_regex(suffixes: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(x) for x in sorted(suffixes, key=len, reverse=True)))


def _generic_regex(g: Gazetteer) -> re.Pattern[str]:
    def build() -> re.Pattern[str]:
        words = sorted({w for w in set(L.GENERIC_NAME_WORDS) | set(g.sector_keywords) if w}, key=len, reverse=True)
        return re.compile("|".join(re.escape(w) for w in words))
    return g.cached("generic_regex", build)  # type: ignore[no-any-return]


def _generic_start_regex(g: Gazetteer) -> re.Pattern[str]:
    def build() -> re.Pattern[str]:
        words = sorted({w for w in set(L.GENERIC_NAME_WORDS) | set(g.sector_keywords) if len(w) >= 2},
                       key=len, reverse=True)
        return re.compile("(?:" + "|".join(re.escape(w) for w in words) + ")")
    return g.cached("generic_start_regex", build)  # type: ignore[no-any-return]


class _Affixes:
    """Words looked up at the start or the end of a text: one set probe per word length, not a scan of the words."""

    __slots__ = ("lengths", "words")

    def __init__(self, words: Iterable[str]) -> None:
        self.words = frozenset(w for w in words if w)
        self.lengths = tuple(sorted({len(w) for w in self.words}, reverse=True))

    def prefix(self, text: str, start: int = 0) -> str:
        """The longest word that ``text[start:]`` starts with, or ''.

        >>> _Affixes(["德国", "德国北威"]).prefix("在德国北威州", 1)
        '德国北威'
        """
        for n in self.lengths:
            w = text[start:start + n]
            if len(w) == n and w in self.words:
                return w
        return ""

    def suffix(self, text: str) -> str:
        """The longest word that ``text`` ends with, or ''."""
        for n in self.lengths:
            if n <= len(text) and text[-n:] in self.words:
                return text[-n:]
        return ""


def _country_affixes(g: Gazetteer) -> _Affixes:
    return g.cached("country_affixes", lambda: _Affixes(g.country_names))  # type: ignore[no-any-return]


def _city_affixes(g: Gazetteer) -> _Affixes:
    return g.cached("city_affixes", lambda: _Affixes(c for c in g.cities if len(c) >= 2))  # type: ignore[no-any-return]


def _stop_affixes(g: Gazetteer) -> _Affixes:
    return g.cached("stop_affixes", lambda: _Affixes(_stops(g)))  # type: ignore[no-any-return]


_EXTENSION_AFFIXES = _Affixes(_EXTENSIONS_SORTED)
_NAME_STOP_AFFIXES = _Affixes(L.NAME_STOP_WORDS)
_LEADING_VERB_AFFIXES = _Affixes(v for v in L.LEADING_VERBS if len(v) > 1)


def _stops(g: Gazetteer) -> list[str]:
    return g.cached("stops", lambda: sorted(set(L.NAME_STOP_WORDS) | {c for c in g.cities if len(c) >= 2},  # type: ignore[no-any-return]
                                            key=len, reverse=True))


_TITLES = ("总经理", "董事长", "总裁", "首席执行官", "首席", "经理", "主席", "先生", "女士", "博士", "教授", "市长", "部长",
           "大使", "总监", "创始人", "负责人", "代表", "总理", "总统", "首相", "国王", "女王", "议长", "省长", "州长", "外长",
           "领事", "书记", "主任", "会长", "理事长", "院长", "校长")  # 德国总理默克尔 is no 默克 (Merck)


def _person_context(text: str, start: int, end: int) -> bool:
    """A name inside a person's name (马库斯·克诺尔) or right after a title is a person, not a company."""
    before = text[max(0, start - 6):start]
    after = text[end:end + 1]
    if before.endswith(("·", "•", "・")) or after in ("·", "•", "・"):
        return True
    return before.endswith(_TITLES) and not text.startswith(("集团", "公司"), end)


def _extend_company(text: str, end: int, g: Gazetteer) -> int:
    """Grow a company mention over words that still belong to its name (参天制药, 甲骨文(中国)软件)."""
    changed = True
    steps = 0
    while changed and steps < 3:
        changed = False
        steps += 1
        for n in _EXTENSION_AFFIXES.lengths:  # longest first; a word refused below lets a shorter one try
            ext = text[end:end + n]
            if len(ext) == n and ext in _EXTENSION_AFFIXES.words:
                nxt = end + n
                if re.match(r"[园区城坊港]|基地|中心", text[nxt:nxt + 2]):
                    continue  # 日本电产工业园: the park's name, not the company's
                if is_common_word(text[max(0, end - 2):end + 1]):
                    continue  # 现代化工厂 is a modern plant: 现代化 is a word, 化工 no extension of 现代
                # Do not swallow a facility phrase: 博世新能源汽车部件 keeps 博世 alone.
                if ext in ("投资", "国际") and not text.startswith(("公司", "集团"), nxt):
                    continue
                if ext in ("能源", "材料", "技术", "健康", "生物") and not text.startswith(
                        ("公司", "集团", "有限", "(", "股份", "、", "，", ",", "等")) and nxt < len(text):
                    continue
                end = nxt
                changed = True
                break
    return end


# --------------------------------------------------------------------------- patterns
def _generic_lead(stem: str, g: Gazetteer) -> int:
    """Length of the descriptive words a name starts with (民营企业 in 民营企业华立)."""
    rx = g.cached("generic_lead", lambda: re.compile("(?:" + "|".join(
        re.escape(w) for w in sorted({w for w in L.GENERIC_NAME_WORDS if len(w) >= 2}, key=len, reverse=True)) + ")+"))
    m = rx.match(stem)
    return m.end() if m else 0


def _is_place_name(word: str, g: Gazetteer) -> bool:
    """A Chinese city or county written alone: a known city, or one word the dictionary tags as a place."""
    if word in g.cities:
        return True
    toks = _tokens(word) if len(word) >= 2 and word not in g.country_names else ()
    return len(toks) == 1 and toks[0][1] == "ns"


def _is_generic(core: str, g: Gazetteer, min_rest: int = 2) -> bool:
    """True when a name's stem is made only of descriptive words (先进医疗器械, 生命健康)."""
    return len(_non_generic_rest(core, g)) < min_rest


_NOT_COUNTED_IN_NAMES = re.compile(r"[()（）·\-—0-9+、]")


def _non_generic_rest(core: str, g: Gazetteer) -> str:
    """What is left of ``core`` without its descriptive words and punctuation (memoised per gazetteer)."""
    memo: dict[str, str] = g.cached("non_generic_rest", dict)
    rest = memo.get(core)
    if rest is None:
        place = _city_affixes(g).prefix(core)  # 大理创新: 大理 is a city, not 大 (big) and 理
        rest = place + _NOT_COUNTED_IN_NAMES.sub("", _generic_regex(g).sub("", core[len(place):]))
        if len(memo) < 200_000:
            memo[core] = rest
    return rest


_STOP_FLAGS = frozenset(("v", "vd", "vg", "d", "p", "c", "r", "rr", "rz", "u", "uj", "ul", "uz", "ud", "ug", "uv", "t", "f",
               "y", "e", "o", "q", "k", "i", "ad", "an"))
_VERBAL_NOUNS = {"合作", "服务", "改革", "建设", "加工", "招商", "发展", "管理", "交流", "推进", "培育", "开发", "投资",
                 "生产", "研发", "制造", "运营", "创新", "升级", "转型", "整合", "规划", "策划", "引进", "落户"}
_JOINT_WORDS = frozenset(("合资", "合营", "组建", "三方", "双方", "共同", "联合", "合作", "出资", "成立", "设立", "签署",
                          "签约", "投资设立", "收购", "并购", "控股"))
_FUNCTION_FLAGS = frozenset(("p", "c", "r", "rr", "rz", "u", "uj", "ul", "uz", "ud", "ug", "uv", "y", "e", "o"))
_NOT_NAME_CHAR = re.compile(r"[^" + L.CJK + r"A-Za-z0-9()（）·&\-]")
_NAME_VERBS = frozenset(L.LEADING_VERBS) | frozenset(L.SUBJECT_TRIGGERS) | frozenset(L.OBJECT_TRIGGERS)
_NAME_STOP_WORDS = frozenset(("等", "之", "其", "各", "该", "这", "此", "一般", "上述", "前述", "所述", "这些"))
# Words (and single characters) that end a name where they stand before it.
# Single characters only when they are function words (为 ends 华为, 新 starts 新松).
_EDGE_WORDS = (frozenset(w for w in _NAME_VERBS | _NAME_STOP_WORDS if len(w) > 1)
               | frozenset("在于由向与和及的是对将把从到并且也已等之其各该这此被赴"))


def _word_edge_before(text: str, i: int) -> bool:
    """True if no name can run on leftwards from ``i``: the text starts there, or a non-name character
    or an edge word comes before it (a quick check that saves the tokenizer most of its calls).

    >>> _word_edge_before("落户苏州工业园区", 2), _word_edge_before("，苏州", 1), _word_edge_before("华为苏州", 2)
    (True, True, False)
    """
    if i == 0 or _NOT_NAME_CHAR.match(text, i - 1):
        return True
    return any(text[max(0, i - n):i] in _EDGE_WORDS for n in (1, 2, 3, 4))


# Patterns built from the lexicon's constants, compiled once.
_LOCAL_SUBSIDIARY = re.compile(r"[A-Za-z" + L.CJK + r"]{0,8}?\(([" + L.CJK + r"]{2,4})\)[" + L.CJK
                               + r"]{0,8}?(有限公司|有限责任公司)")
_LOCAL_SUBSIDIARY_BARE = re.compile(r"[" + L.CJK + r"]{0,6}?(?:有限公司|有限责任公司)")
_LINE_KAISHA = re.compile(r"(?:(?![与和及、的在])[A-Za-z" + L.CJK + r"]){1,6}?株式会社")
_REGION_STEM = re.compile(r"(全国|全省|全市|[" + L.CJK + r"]{2,3}[省市])")
_FOREIGN_STATE = re.compile(rf"[{L.CJK}]{{1,4}}?[州省](?=[{L.CJK}]{{2}})")
_NAME_FIRST_CHAR = re.compile(rf"[{L.CJK}A-Za-z]")
_NAME_RUN = re.compile(rf"(?:[{L.CJK}A-Za-z0-9·&\-]|(?<=[0-9])\.(?=[0-9])){{1,12}}")
_NAME_CHAR = re.compile(rf"[{L.CJK}A-Za-z0-9·&\-]")
_PLATFORM_END = re.compile(rf"({'|'.join(L.PLATFORM_SUFFIXES)})$")
_TITLED_AGREEMENT = re.compile(rf"《([^《》]{{2,40}}(?:{'|'.join(L.AGREEMENT_NOUNS)}|规划|纲要|宣言))》")
_SIGNED_AGREEMENT = re.compile(
    rf"(?:{'|'.join(L.SIGN_VERBS)})(?:了)?(?P<name>[{L.CJK}]{{0,10}}?(?:{'|'.join(L.AGREEMENT_NOUNS)}))")
# A full name that declares its short form, as Chinese reports do on first mention:
# 中国玻璃控股有限公司（简称“中玻”）, 泰达苏伊士经贸合作区（以下简称“泰达合作区”）.
_SHORT_FORM = re.compile(r"[(（]\s*(?:以下|下文)?(?:简称|下称)(?:为)?\s*(?:[“\"「『]([^”\"」』()（）]{2,12})[”\"」』]|"
                         r"([^“”\"「」『』()（）,，、；;：:\s]{2,12})(?=[)）]))")
_LAST_ITEM_ETC = re.compile(rf"([{L.CJK}A-Za-z0-9]{{2,8}}?)等")
_BILATERAL = re.compile(r"[^\s(（]{1,3}[(（]")
_NAME_FLAGS_OK_M = re.compile(r"^[^0-9亿万千百十个家年月日次批项多]+$")


@lru_cache(maxsize=1)
def _jieba():  # type: ignore[no-untyped-def]
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    jieba.initialize()
    tags = jieba.posseg.dt.word_tag_tab
    return jieba.dt, jieba.dt.FREQ, tags


_HMM = True  # the HMM splits unknown names better than the dictionary alone


@lru_cache(maxsize=100_000)
def _tokens(text: str) -> tuple[tuple[str, str], ...]:
    """Words of ``text`` with their dictionary part of speech ('x' for a word the dictionary lacks).

    Segmentation is jieba's; tags come from its dictionary rather than its HMM tagger,
    which is several times slower and adds little at a name's edge.
    """
    seg, _, tags = _jieba()
    return tuple((w, tags.get(w, "x")) for w in seg.cut(text, HMM=_HMM))


def is_common_word(name: str) -> bool:
    """True for an ordinary dictionary word (风度, 双向), which is unlikely to be a company name."""
    _, freq, _ = _jieba()
    return (freq.get(name) or 0) >= 40


def _name_start(text: str, stem_end: int, g: Gazetteer, max_len: int = 20, conj_ok: bool = False,
                company: bool = False, legal: bool = False, park: bool = False) -> int | None:
    """Start of a name whose stem ends at ``stem_end`` (where its suffix begins), or None.

    Walks back over the words before the suffix (jieba) and stops at verbs,
    adverbs, prepositions, conjunctions, pronouns, numbers and time words,
    at punctuation, and at the project's list of leading verbs. A stretch
    after 与/和 that is only descriptive (食品与营养健康研究院) walks on.
    """
    lo = max(0, stem_end - max_len)
    window = text[lo:stem_end]
    cut = max((m.end() for m in _NOT_NAME_CHAR.finditer(window)), default=0)
    window = window[cut:]
    lo += cut
    if not window:
        return None
    toks = _tokens(window)
    start = len(window)
    verbs = _NAME_VERBS
    i = len(toks) - 1
    if company:  # 中国玻璃控股有限公司, 中非泰达投资股份有限公司: the kind of company, before its legal form
        while i >= 0 and toks[i][0] in L.COMPANY_KIND_VERBS:
            start -= len(toks[i][0])
            i -= 1
    kind_start = start
    while i >= 0:
        word, flag = toks[i]
        place = word in g.cities or word in g.country_names
        stop = not place and (word in verbs or word in _NAME_STOP_WORDS
                or (flag == "vn" and word in _VERBAL_NOUNS and not company)
                or (flag in _STOP_FLAGS and word not in ("(", ")"))
                or (flag == "m" and not _NAME_FLAGS_OK_M.match(word)))
        if stop and park and start == len(window) and word in _VERBAL_NOUNS and word not in verbs and word != "合作":
            stop = False  # 大理创新工业园区: a verbal noun right before the suffix is part of the park's name
        if stop and legal and flag.startswith("v") and len(word) >= 2 and word not in verbs and word not in _JOINT_WORDS:
            stop = False  # 韩一理化株式会社, 都市更新股份有限公司: a registered name may hold what jieba reads as a verb
        if not stop and legal and start < len(window) and word.endswith(_LEGAL_FORMS):
            stop = True  # 东丽株式会社与旭化成纤维株式会社: a legal form ends the name before
        if not stop and word in ("企业", "公司", "集团", "厂商") and start < kind_start:
            stop = True  # 汽车内饰企业韩一理化株式会社: the description ends where the name begins
        if stop and not company and (
                (word == "投资" and i + 1 < len(toks) and toks[i + 1][0] == "企业")
                or (word in ("外商", "境外", "海外", "台商", "外资") and i + 2 < len(toks)
                    and toks[i + 1][0] == "投资" and toks[i + 2][0] == "企业")):
            stop = False  # 浙江省境外投资企业协会, 外商投资企业协会: who its members are belongs to the name
        if stop and word == "新" and i + 1 < len(toks) and toks[i + 1][1] == "nrt" and start < len(window):
            stop = False  # 新莱昂州政府, 新南威尔士州: 新 opens a transliterated place name
        if stop and word in ("东", "西", "南", "北") and i + 1 < len(toks) and toks[i + 1][1] == "ns" and start < len(window):
            stop = False  # 西太湖科技产业园: the quarter of a place belongs to its name
        if stop and word in _QUARTERS and i > 0 and (toks[i - 1][1] in ("ns", "nrt") or toks[i - 1][0] in g.cities) and (
                i + 1 >= len(toks) or toks[i + 1][0] not in ("城市", "地区", "省份")):
            stop = False  # 德布勒森南部工业园区: a place's quarter, after the place, belongs to the name
        if not stop and word in ("城市", "地区", "省份") and i > 0 and toks[i - 1][0] in _QUARTERS:
            stop = True  # 匈牙利东部城市德布勒森市政府: where the city lies is said before its name
        if stop and word == "合作" and start < len(window):
            # 粤澳合作中医药科技产业园, 苏宿合作园: two or three one-character place names, then 合作
            pair = 0
            while i - 1 - pair >= 0 and pair < 3 and len(toks[i - 1 - pair][0]) == 1 and toks[i - 1 - pair][1] in (
                    "j", "ns", "nr", "n") and toks[i - 1 - pair][0] not in L.NAME_BAD_CHARS:
                pair += 1
            if pair >= 2:
                start -= len(word) + pair
                i -= 1 + pair
                continue
        if stop:
            if (conj_ok and word in ("与", "和", "及") and i > 0
                    and (_is_generic(window[start:], g) or len(window) - start <= 3)
                    and toks[i - 1][1].startswith("n")):
                start -= len(word)
                i -= 1
                continue
            break
        start -= len(word)
        i -= 1
    if legal:
        # A registered name starts with its place and may hold verbs (澳门都市更新股份有限公司,
        # 澳门投资发展股份有限公司): from the last place before the walk's stop, if nothing but name lies between.
        offsets, pos = [], 0
        for word, flag in toks:
            offsets.append((pos, word, flag))
            pos += len(word)
        for p in _places_regex(g).finditer(window):
            if p.start() < start and p.end() - p.start() >= 2 and not any(
                    at >= p.start() and (flag in _FUNCTION_FLAGS or flag == "m" or word in L.NAME_BAD_CHARS
                                         or word in _JOINT_WORDS)
                    for at, word, flag in offsets):
                start = p.start()
                break
    if start >= kind_start:
        return None  # no trade name before the kind of company (投资有限公司)
    name_start = lo + start
    if name_start > 0 and text[name_start - 1] == "中" and (_BILATERAL.match(text, name_start) or (
            text[name_start] in g.country_short and text[name_start] != "中" and stem_end - name_start >= 3
            and _glued_zhong(text, name_start - 1))):
        name_start -= 1  # 中德(太仓)…; 中法科技产业园 after 建设中, which jieba reads as one word: the 中 of a bilateral name
    # A country or city inside the stretch starts the name there (企业匈牙利柒柒集团 -> 匈牙利柒柒集团),
    # unless what comes before it is itself a named body (江南大学无锡…研究院).
    stem = text[name_start:stem_end]
    hit = _places_regex(g).search(stem, 1) if len(stem) > 1 else None
    first = (hit.start(), hit.group(0)) if hit else None
    if first is not None:
        pre = stem[: first[0]]
        bilateral = re.fullmatch(r"中[" + L.CJK + r"]{1,2}", pre) is not None and all(
            c in g.country_short or any(n.startswith(c) for n in g.country_names if len(n) >= 2) for c in pre[1:])
        if not pre.endswith(("大学", "学院", "集团", "公司", "研究院")) and not re.search(r"[()（）]", pre) and not bilateral:
            name_start += first[0]  # (中瑞镇江生态产业园 keeps its 中瑞: the two countries of the park)
    return name_start


_MAKING_WORDS = ("研制", "研发", "生产", "制造", "加工", "装配")
_PRODUCT_ADJECTIVES = ("高端", "高性能", "高效", "新型", "精密", "智能", "绿色")
_PARK_PART_STEM = re.compile(r"(?:高新区|开发区|经开区|园区|新区|保税区|综保区|自贸区)(?:主|核心|起步|先行|启动)?")
_QUARTERS = frozenset(("东部", "西部", "南部", "北部", "中部", "东南部", "西南部", "东北部", "西北部"))
# 匈牙利东部城市德布勒森市政府: where in the country a city lies, said before the city's name
_QUARTER_OF_COUNTRY = re.compile(r"(?:东|西|南|北|中|东南|西南|东北|西北)部(?:城市|地区|省份|港口城市|工业城市)")


def _glued_zhong(text: str, at: int) -> bool:
    """Whether jieba reads the 中 at ``at`` as the end of the word before it (建设中) or as a word of place
    on its own (规划建设 中 法科技…): either way the walk back stopped at it, not at a name."""
    lo = max(0, at - 3)
    toks = _tokens(text[lo:at + 1])
    return bool(toks) and toks[-1][0].endswith("中") and (len(toks[-1][0]) >= 2 or toks[-1][1] == "f")


def _word_at_start(name: str) -> bool:
    """Whether the name opens with a word of two characters or more that is a noun (对外经济贸易大学), so
    that its first character is not the function word it would be alone (对, 在, 与)."""
    word, flag = _tokens(name)[0]
    return len(word) >= 2 and flag.startswith("n")


def _places_regex(g: Gazetteer) -> re.Pattern[str]:
    """Country and city names of two characters or more, longest first."""
    return g.cached("places_regex", lambda: re.compile("|".join(re.escape(p) for p in sorted(
        {n for n in g.country_names if len(n) >= 2} | {c for c in g.cities if len(c) >= 2}, key=len, reverse=True))))


_PARK_RX = re.compile("|".join(re.escape(x) for x in L.PARK_SUFFIXES))
_INST_RX = re.compile("|".join(re.escape(x) for x in L.INSTITUTION_SUFFIXES))
_COMP_RX = re.compile("|".join(re.escape(x) for x in L.COMPANY_SUFFIXES))
_CUES = re.compile("|".join(re.escape(x) for x in (
    *L.PARK_SUFFIXES, *L.INSTITUTION_SUFFIXES, *L.COMPANY_SUFFIXES, *L.SIGN_VERBS, *L.PLATFORM_SUFFIXES,
    "“", "「", "中", "对")))


def find_patterns(s: Sentence, g: Gazetteer, known: Sequence[Mention]) -> list[Mention]:
    """Names the gazetteer does not hold but the text marks (suffixes, country prefixes, quotes)."""
    out: list[Mention] = []
    text = s.norm
    if not _CUES.search(text) and not any(k.kind in ENTITY_KINDS for k in known):
        return out  # no suffix, quote, signing or compound anywhere: nothing a pattern could find
    if _PARK_RX.search(text):
        out += _suffix_names(s, g, L.PARK_SUFFIXES, EntityType.PARK, known)
    if _INST_RX.search(text):
        out += _suffix_names(s, g, L.INSTITUTION_SUFFIXES, EntityType.INSTITUTION, known)
    if _COMP_RX.search(text):
        out += _suffix_names(s, g, L.COMPANY_SUFFIXES, EntityType.COMPANY, known)
    if any(k.kind == _COUNTRY for k in known):
        out += _country_prefixed(s, g, known)
    out += _platforms_and_agreements(s, g)
    out += _country_compounds(s, g)
    if any(v in text for v in L.SIGN_VERBS):
        out += _signing_cities(s, g, known)
    if "与" in text or "和" in text:
        out += _partner_slot_names(s, g, known)
    if "等" in text and ("、" in text or "家" in text):
        lists = _country_lists(text, g, known)
        out += _listed_companies(s, g, known, lists)
        for a, b, country in lists:
            for i, m in enumerate(out):  # 旭化成纤维株式会社、岩佐织物株式会社等日本企业: named by form, of the list's country
                if m.kind == _COMPANY and not m.country and a <= m.start and m.end <= b:
                    out[i] = replace(m, country=country)
                elif m.kind == _INSTITUTION and a <= m.start and m.end <= b and text.count("、", a, b):
                    name = m.get("name") or m.surface  # 高品医学检验实验室 listed among 等…企业 is a firm
                    out[i] = replace(m, kind=_COMPANY, key=pattern_key("company", name), country=m.country or country,
                                     data=tuple(kv for kv in m.data if kv[0] != "inst_kind"))
    stateless = [i for i, m in enumerate(out) if m.kind == _COMPANY and not m.country]
    if len(stateless) == 1:
        capital = _capital_country(text, g)
        if capital:  # 荣顺医疗设备(浙江)有限公司的新厂，也是…又一个落地的日资项目: the one firm is that country's
            out[stateless[0]] = replace(out[stateless[0]], country=capital)
    for i, m in enumerate(out):  # 台资的长春颖霆科技有限公司: the capital said before a firm named after a Chinese city
        cap = re.search(r"(\S)资的$", text[max(0, m.start - 3):m.start]) if m.kind == _COMPANY and m.country in ("", "CN") else None
        code = g.country_short.get(cap.group(1), "") if cap else ""
        if code and code != "CN":
            out[i] = replace(m, country=code)
    # Known company + (place) + 有限公司: a local subsidiary of the group.
    for k in known:
        if k.kind != _COMPANY:
            continue
        m = _LOCAL_SUBSIDIARY.match(text, k.end)
        city = m.group(1) if m else ""
        if not m:  # 礼来苏州制药有限公司: the group, a Chinese city, its line, the legal form
            city = _city_affixes(g).prefix(text, k.end)
            m = _LOCAL_SUBSIDIARY_BARE.match(text, k.end + len(city)) if city else None
        kaisha = None
        if not m:  # 旭化成纤维株式会社: the group, its line, the Japanese legal form; the group's, not a local firm
            m = kaisha = _LINE_KAISHA.match(text, k.end)
        if m:
            end = m.end()
            name = text[k.start:end]
            out = [o for o in out if not (o.kind == _COMPANY and o.start == k.start and o.end == end)]  # this says more
            out.append(_m(s, k.start, end, _COMPANY, key=pattern_key("company", name),
                          source=Source.PATTERN, country=k.country, name=name, parent=k.key,
                          **({} if kaisha else {"role": "subsidiary", "city": city})))
    return out


def _abbreviates(short: str, stem: str, g: Gazetteer) -> bool:
    """A declared short form is a name when built from the name's own characters (中玻 of 中国玻璃控股),
    or when it is no word of the language (奥特斯, the brand of 奥地利科技与系统技术股份公司).

    (以下简称“公司”) or (简称“合资公司”) name a role, and would claim every 公司 of the article.
    """
    if is_common_word(short):
        return False
    if sum(c in stem for c in set(short)) >= 2:
        return True
    role = short.endswith(("公司", "集团", "企业", "项目", "协议", "合同", "基地", "工厂", "园区", "股东", "方"))
    return not (role or _is_generic(short, g) or _generic_start_regex(g).match(short))


_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "株式会社")
_REGISTERED_WITH_PLACE = frozenset(("HK", "MO", "TW"))


# The marks that number a report's items: （三）, 二、, 2、, ①
ITEM_MARKS = r"(?:[(（][一二三四五六七八九十0-9]{1,3}[)）]|[一二三四五六七八九十]{1,3}[、.．]|[0-9]{1,2}[、．](?![0-9])|[①-⑳])"
_ITEM_MARK_RX = re.compile(ITEM_MARKS)
_HEADING_LEAD = re.compile(rf"(?:^|[：:])\s*(?:{ITEM_MARKS}|[0-9]{{1,2}}\.\s)\s*$")  # and 1. with a space
_HEADING_TAIL = re.compile(r"\s*(?:[(（][^)）]{1,6}[)）])?[。：:]?\s*")


def item_heading(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is the whole heading of a numbered item (1. 台商新兴产业园区。, （四）双阳物流园区（二期）。)."""
    return _HEADING_LEAD.search(text, 0, start) is not None and _HEADING_TAIL.fullmatch(text, end) is not None


def _suffix_names(s: Sentence, g: Gazetteer, suffixes: Sequence[str], etype: EntityType,
                  known: Sequence[Mention]) -> list[Mention]:
    out = []
    text = s.norm
    for m in _suffix_regex(tuple(suffixes)).finditer(text):
        end = m.end()
        suffix = m.group(0)
        cover = min((k.start for k in known if k.kind in ENTITY_KINDS and k.start <= m.start() and end <= k.end),
                    default=None)
        if cover is not None and _word_edge_before(text, cover):
            continue  # a dictionary name, and nothing before it can lengthen it: skip the tokenizer
        new_start = _name_start(text, m.start(), g, conj_ok=suffix in ("研究院", "研究所", "研究中心", "学院", "实验室",
                                                                          "协会", "联合会", "商会", "促进会", "工商会",
                                                                          *_LEGAL_FORMS, "股份公司"),
                                company=etype is EntityType.COMPANY, legal=suffix in _LEGAL_FORMS,
                                park=etype is EntityType.PARK)
        if new_start is None:
            continue
        if etype is EntityType.COMPANY and suffix in (*_LEGAL_FORMS, "股份公司") and new_start > 0 and text[new_start - 1] in "与和&":
            # 奥地利科技与系统技术股份公司: a name in two halves, the first starting with its country
            cs = max(text.rfind(c, 0, new_start - 1) for c in "，,。；;：:！？!?()（）“”、 ") + 1
            first = text[cs:new_start - 1]
            if 2 < len(first) <= 10 and _country_affixes(g).prefix(first[:-1]) and not first.endswith(
                    L.COMPANY_SUFFIXES + L.INSTITUTION_SUFFIXES) and not any(
                    k.kind in ENTITY_KINDS and k.kind != _COUNTRY and k.start < new_start - 1 and cs < k.end for k in known):
                new_start = cs
        mark = _ITEM_MARK_RX.match(text, new_start, end)
        if mark and end - mark.end() > len(suffix) + 1:
            new_start = mark.end()  # (一)海盐经济开发区: the item's number is no part of the name
        new_start -= _inside_province(text, new_start, g)  # 内蒙古久泰新材料有限公司 starts with its province, not 蒙古
        if etype is EntityType.PARK and new_start > 2 and text[new_start - 1] in "—–-":
            # 东莞—香港国际机场物流园: two places joined by a dash head one park's name, in the first place
            place = next((text[new_start - 1 - n:new_start - 1] for n in (4, 3, 2)
                          if text[new_start - 1 - n:new_start - 1] in g.cities), "")
            new_start -= len(place) + 1 if place else 0
        if etype is EntityType.PARK and suffix.endswith("区") and text.startswith("域", end):
            continue  # 投资区域, 园区域: 区域 "area", no park
        branch = ""
        if etype is EntityType.PARK and suffix == "分园" and _is_place_name(text[new_start:m.start()], g):
            # 香港科学园深圳分园: the branch of a park in a city is one name, and it stands in that city
            head_park = next((k for k in (*out, *known) if k.kind == _PARK and k.end == new_start), None)
            if head_park is not None:
                branch = text[new_start:m.start()]
                new_start = head_park.start
        dated = _DATE_LEAD.match(text, new_start, end)
        if dated and end - dated.end() > len(suffix):
            new_start = dated.end()  # 2006年鸿海集团旗下…: the date is no part of the name
        name = text[new_start:end]
        stem = name[: -len(suffix)]
        lead = _generic_lead(stem, g)
        if lead and len(stem) - lead >= 2 and etype is not EntityType.PARK:
            new_start += lead  # 民营企业华立集团 -> 华立集团
            name = text[new_start:end]
            stem = name[: -len(suffix)]
        if _is_generic(stem, g) and not re.search(r"\([^)]{2,}\)", stem) and not _is_place_name(stem, g) and not (
                etype is EntityType.PARK and item_heading(text, new_start, end)):
            continue  # (新昌 is a county, though 新 is a descriptive word; a park heading its item is named)
        if suffix == "政府" and not (stem in g.country_names or stem in g.cities or _is_place_name(stem, g)):
            continue  # 塞尔维亚政府 is a party; 当地政府, 两国政府 name no one
        if etype is EntityType.COMPANY and stem in g.country_names and suffix not in ("银行", "交易所"):
            continue  # 韩国株式会社LG化学: a country and a legal form, the name comes after (新加坡交易所 is a name)
        if etype is EntityType.PARK and _PARK_PART_STEM.fullmatch(stem):
            continue  # 高新区主园区, 开发区核心区: a part of the park the article is about, named by its kind
        part = _PARK_PART_STEM.match(stem) if etype is EntityType.PARK else None
        if part and len(stem) - part.end() <= 4 and suffix in ("片区", "园", "园区", "区"):
            continue  # 在园区湖东片区: a quarter of the park the article is about, which stands for it
        if _REGION_STEM.fullmatch(stem) or stem in g.cities:
            if etype is EntityType.PARK and suffix in ("高新区", "开发区", "经开区", "园区", "自贸区", "综保区"):
                continue  # 江苏省高新区: a class of parks, not one park
        if re.search(r"最|首个|首家|第一|一批|多家|各类|这个|该", name):
            continue
        closer = stem.rfind("等")
        if closer > 0 and (closer == len(stem) - 1 or _is_generic(stem[closer + 1:], g, min_rest=1)):
            continue  # 强生、参天制药、丹纳赫等跨国公司: a list closed by its kind, not a name
        if etype is EntityType.PARK and re.match(r"[”\"」』]?项目", text[end:end + 3]):
            continue  # 无人驾驶汽车示范区项目, “太空生态城”项目: the name of a project, not a park
        if etype is EntityType.COMPANY and re.search(r"(?:[0-9一二三四五六七八九十百千两]|一|某|几|多|每)家$",
                                                      text[max(0, new_start - 2):new_start]):
            continue  # 一家德国咨询顾问公司, 近30家台湾上市公司: firms described or counted, not named
        copula = re.match(r"(?:这就是|这也是|这是|那是|就是|正是|也是|即是|系|即)", name)
        if copula and len(name) - copula.end() - len(suffix) >= 2:
            new_start += copula.end()  # 这是荣顺医疗设备(浙江)有限公司的新厂
            name = text[new_start:end]
            stem = name[: -len(suffix)]
        if name[0] in L.NAME_BAD_START and not _country_affixes(g).prefix(name) and not _city_affixes(g).prefix(
                name) and not _word_at_start(name):
            continue
        if etype is EntityType.COMPANY and suffix == "公司" and len(stem) < 3:
            continue
        if any(k.start <= new_start and end <= k.end for k in known if k.kind in ENTITY_KINDS):
            continue  # already a gazetteer name
        site_of = next((k.key for k in known if etype is EntityType.PARK and k.kind == _COMPANY and (
            k.end == new_start or (k.start == new_start and k.end < end))), "")
        if any(k.kind in ENTITY_KINDS and k.kind != _COUNTRY and k.end == end and k.start > new_start
               and text[new_start:k.start] in g.country_names for k in known):
            continue  # 美国查尔斯河实验室 is the known 查尔斯河实验室, with its country before it
        if new_start > 0 and text[new_start - 1] == "在" and name.startswith("华"):
            continue  # 本田及其在华投资公司: its company in China, no name
        inner = [k for k in known if k.kind == _PARK and new_start <= k.start and k.end <= end]
        if inner and not (etype is EntityType.COMPANY and suffix in _LEGAL_FORMS) and _is_generic(text[max(k.end for k in inner):end - len(suffix)], g) and not (
                inner[0].kind == _PARK and etype is EntityType.PARK and suffix in (
                    "综保区", "综合保税区", "保税区", "片区")):
            continue  # 苏州BioBAY + 先进园区: the known name is the whole name
        country = _name_country(name, g) if not branch else ("CN" if branch in g.cities else _name_country(branch, g))
        if etype is EntityType.PARK and not country:
            country = _transliterated_place_country(stem, new_start, known)
        short_hit = _SHORT_FORM.match(text, end)
        short = (short_hit.group(1) or short_hit.group(2)) if short_hit else ""
        data: dict[str, str] = {"name": name, "short": short if short and _abbreviates(short, stem, g) else "",
                                # 施耐德电气无锡绿色智能产业园, 台塑园区: a firm's own site, a park but no host of its own
                                "site_of": site_of}
        known_head = any(k.kind == _COMPANY and k.start == new_start and k.end < end for k in known)
        if etype is EntityType.COMPANY and country and country != "CN" and not known_head and not (
                suffix in _LEGAL_FORMS and country in _REGISTERED_WITH_PLACE):
            # 美国苹果公司 is 苹果公司 from the US; a name registered in Hong Kong, Macao or Taiwan keeps
            # its place (澳门投资发展股份有限公司)
            prefix = _country_affixes(g).prefix(name)
            if prefix and len(name) - len(prefix) >= 4:
                rest = name[len(prefix):]
                rest = rest[_foreign_state_len(rest, g):]
                rest_start = end - len(rest)
                same = [k for k in known if k.kind == _COMPANY and k.start == rest_start and k.end <= end]
                if same and _only_extensions(text[max(k.end for k in same):end]):
                    continue  # 美国霍尼韦尔公司 is 霍尼韦尔 itself
                if prefix.endswith(("资", "企")):
                    rest = re.sub(r"^(?:企业|公司|厂商)", "", rest)  # 德资企业克劳斯玛菲机械有限公司
                core = re.sub(r"(?:集团)?(?:股份)?(?:有限)?(?:责任)?(?:公司|集团)$", "", rest)
                core = re.sub(r"投资|置业|实业|控股", "", core)
                if core and not _is_generic(core, g):  # 柬埔寨国际投资开发集团有限公司 keeps its country: the rest says nothing
                    data["name"] = rest
                    data["prefixed"] = "1"
        if etype is EntityType.INSTITUTION and suffix in ("广域市", "特别市") and country and country != "CN":
            prefix = _country_affixes(g).prefix(name)
            if prefix and len(name) - len(prefix) >= 3:
                data["name"] = name[len(prefix):]  # 韩国仁川广域市 is 仁川广域市, of Korea
                data["prefixed"] = "1"
        if etype is EntityType.COMPANY and suffix in _LEGAL_FORMS:
            # 合肥统一企业有限公司: a Chinese city, a known group, a legal form: the group's local company
            group = next((k for k in known if k.kind == _COMPANY and new_start < k.start and k.end <= end
                          and _city_affixes(g).prefix(text[new_start:k.start]) == text[new_start:k.start].removesuffix("市")
                          and _only_extensions(text[k.end:end])), None)
            if group is not None:
                data.update(role="subsidiary", parent=group.key, city=text[new_start:group.start].removesuffix("市"))
                country = group.country or country
        # A known entity at the very start: a part of it (无锡高新区综保区) or its subsidiary.
        head = sorted((k for k in known if k.start == new_start and k.end < end and k.kind in ENTITY_KINDS),
                      key=lambda k: -(k.end - k.start))
        if head:
            h = head[0]
            if h.kind == _PARK and etype is EntityType.PARK:
                data["parent"] = h.key
            elif h.kind == _COMPANY and etype is EntityType.COMPANY:
                middle = text[h.end:end - len(suffix)]
                if not middle or all(_only_extensions(middle) for _ in (0,)):
                    continue  # 日本电产株式会社 is 日本电产 itself
                data["parent"] = h.key
                country = country or h.country
            elif h.kind == _COUNTRY and not branch:
                country = h.country
        if etype is EntityType.PARK and head and head[0].kind == _COMPANY:
            country = "CN"  # a park named after a company (日本电产工业园) is not a park abroad
        if etype is EntityType.PARK:
            data["park_kind"] = _park_kind(name, suffix, country)
        elif etype is EntityType.INSTITUTION:
            data["inst_kind"] = _inst_kind(suffix)
        key = pattern_key(etype.value, data["name"])
        if data.get("short"):
            # 奥地利科技与系统技术股份公司(简称奥特斯): a short form the gazetteer knows names the whole
            known_short = [k for k, weak in g.names.get(normalise_name(data["short"]), ()) if not weak
                           and g.entities[k].type is etype]
            if len(known_short) == 1:
                key, country = known_short[0], g.entities[known_short[0]].country or country
        out.append(_m(s, new_start, end, etype.value, key=key, source=Source.PATTERN, country=country, **data))
    return out


def _transliterated_place_country(stem: str, start: int, known: Sequence[Mention]) -> str:
    """The country of a park named after a transliterated place (德布勒森南部工业园区): the foreign country
    the sentence names before it, if it names one."""
    toks = _tokens(stem)
    if not toks or toks[0][1] != "nrt" or len(toks[0][0]) < 3:
        return ""
    before = [k for k in known if k.kind == _COUNTRY and k.end <= start]
    return before[-1].country if before and before[-1].country not in ("", "CN") else ""


def _foreign_state_len(text: str, g: Gazetteer, stops: bool = False) -> int:
    """Length of a foreign state or province at the start of ``text`` (北威州 in 北威州伯曼集团), else 0."""
    state = _FOREIGN_STATE.match(text)
    if not state:
        return 0
    word = state.group(0)
    rest = text[state.end():]
    if _city_affixes(g).suffix(word) or rest.startswith(("政府", "人民", "首", "总")):
        return 0
    if (stops and _stop_affixes(g).prefix(rest)) or _NAME_STOP_AFFIXES.prefix(rest):
        return 0
    return state.end()


def _only_extensions(text: str) -> bool:
    """True when ``text`` is made only of words that extend a company name (科技, (中国), 株式会社 …)."""
    rest = text
    while rest:
        ext = _EXTENSION_AFFIXES.prefix(rest)
        if not ext:
            return False
        rest = rest[len(ext):]
    return True


def _name_country(name: str, g: Gazetteer) -> str:
    n = _country_affixes(g).prefix(name)
    if n:
        return g.country_names[n]
    if name.startswith(("香港",)):
        return "HK"
    if name.startswith(("澳门",)):
        return "MO"
    if name.startswith(("台湾",)):
        return "TW"
    city = _city_affixes(g).prefix(name)
    if city:
        return g.city_country.get(city, "CN")  # 阿布扎比港务局 is of the Emirates, 威海市政府 of China
    if name.startswith(("中国", "全国", "国家", "北京", "上海")):
        return "CN"
    return ""


def _park_kind(name: str, suffix: str, country: str) -> str:
    if country and country != "CN":
        return "abroad"
    if re.match(r"中[^\s(（]{0,3}[(（]", name) or re.match(r"中[英美德法日韩新意荷瑞欧以俄白澳奥丹芬比]", name):
        if suffix in ("示范区", "合作区", "产业园", "产业园区", "生态园", "工业园", "创新园", "合作园", "产业合作园"):
            return "cooperation"
    for suffixes, kind in L.PARK_KIND_BY_SUFFIX:
        if suffix in suffixes:
            return kind
    return "other"


def _inst_kind(suffix: str) -> str:
    for suffixes, kind in L.INSTITUTION_KIND_BY_SUFFIX:
        if suffix in suffixes:
            return kind
    return "government"


def _country_prefixed(s: Sentence, g: Gazetteer, known: Sequence[Mention]) -> list[Mention]:
    """Country name + an unknown name: 芬兰美卓, 德国妥思, 英国牛津投资公司."""
    out = []
    text = s.norm
    stops = _stops(g)
    stops_rx = g.cached("stops_regex", lambda: re.compile("|".join(re.escape(w) for w in stops)))
    for k in known:
        if k.kind != _COUNTRY or k.country == "CN":
            continue
        i = k.end
        if text.startswith("方", k.end) or k.surface.endswith("方"):
            continue  # 日方当时公布的计划: the Japanese side, not a Japanese firm
        if re.search(r"(?:一|某|几|多|这|那|每)[家个所]$|^某", text[max(0, k.start - 2):k.start]):
            continue  # 一家德国咨询顾问公司: a description of some firm, not its name
        if k.surface.endswith(("资", "企")):
            # 德资企业博泽, 日资企业XX: the adjective and a head noun, then the name.
            head = re.match(r"(?:企业|公司|集团|制造商|厂商|药企|车企)", text[i:])
            if not head:
                continue
            i += head.end()
        if i >= len(text) or text[i] in L.NAME_BAD_START or not _NAME_FIRST_CHAR.match(text[i]):
            continue
        if any(o.start == i and o.kind in ENTITY_KINDS for o in known):
            continue  # a known name follows
        if any(o.kind in ENTITY_KINDS and o.kind != _COUNTRY and o.start <= k.start and o.end > k.end
               for o in known):
            continue  # the country is part of a known name (日本电产)
        if any(o.kind == _COUNTRY and o.start <= k.start and k.end <= o.end and o.end - o.start > k.end - k.start
               for o in known):
            continue  # 印度 in 印度尼西亚, 厄瓜多 in 厄瓜多尔: the longer country is the one written
        # A foreign state or city between country and name (德国北威州伯曼集团): skip over it.
        quarter = _QUARTER_OF_COUNTRY.match(text, i)
        if quarter:
            i = quarter.end()
        i += _foreign_state_len(text[i:], g, stops=True)
        if text.startswith("株式会社", i):  # 韩国株式会社LG化学: the legal form written first, then the name
            i += len("株式会社")
            if any(o.start == i and o.kind in ENTITY_KINDS for o in known):
                continue
        money = g.cached("currency_regex", lambda: re.compile("|".join(re.escape(c) for c in sorted(
            g.currencies, key=len, reverse=True)))).match(text, k.start)
        if money and money.end() > k.end:
            continue  # 瑞士法郎 is money, not a Swiss company
        j = i
        suffix_hit = ""
        run = _NAME_RUN.match(text[i:])
        if run:
            for suf in _ORG_SUFFIXES_SORTED:
                p = run.group(0).find(suf, 2)
                if p >= 2 and not any(c in L.NAME_BAD_CHARS for c in run.group(0)[:p]):
                    if not suffix_hit or p + len(suf) < j - i:
                        j = i + p + len(suf)
                        suffix_hit = suf
        while not suffix_hit and j < len(text) and j - i < 12:
            if not _NAME_CHAR.match(text[j]):
                break
            if j - i >= 2 and stops_rx.match(text, j):
                break
            ext = next((x for x in ("科技", "电子", "医疗", "制药", "化学", "化工", "集团", "控股", "股份", "精密", "光电",
                                     "汽车", "机械", "电气", "工业", "生物", "能源")
                        if text.startswith(x, j) and j - i >= 2), "")
            if ext:
                j += len(ext)
                suffix_hit = ext
                break
            j += 1
        product = ""
        if not suffix_hit and re.match(r"(?:新工厂|工厂|生产基地|项目|基地|工程)", text[j:j + 4]):
            # 韩国科玛保健食品工厂: the brand, then what the plant makes, then the plant; 德国威伊艾姆高端电机研制项目:
            # the brand, then how and what the project makes (words peeled off the end while two characters remain)
            sector_words = g.cached("sector_words_longest_first", lambda: sorted(g.sector_keywords, key=len, reverse=True))
            while True:
                w = next((w for w in (*_MAKING_WORDS, *sector_words) if text.endswith(w, i, j) and j - len(w) - i >= 2), "")
                if not w and product:
                    w = next((w for w in _PRODUCT_ADJECTIVES if text.endswith(w, i, j) and j - len(w) - i >= 2), "")
                if not w:
                    break
                product = product or w
                j -= len(w)
        name = text[i:j]
        if len(name) < 2 or len(name) > 12 or any(c in L.NAME_BAD_CHARS for c in name):
            continue
        if _stop_affixes(g).prefix(name) or _LEADING_VERB_AFFIXES.prefix(name):
            continue
        if not suffix_hit:
            nxt = text[j:j + 1]
            # Without a suffix, the name must sit in an entity slot: a list, an investment or a facility.
            if not (nxt in ("、", "，", ",", "等", "。", "与", "和", "及", "在", "的", "将", "于", "已")
                    or _stop_affixes(g).prefix(text, j) or product):
                continue
            if len(name) > 8 or is_common_word(name):
                continue
        if _is_generic(name[: len(name) - len(suffix_hit)] if suffix_hit else name, g):
            continue
        if not suffix_hit and (re.search(r"\d|时间|方面|政府|人民|首相|总统|总理|大使|领事|企业|公司$", name)
                               or any(w in name for w in L.NOT_IN_BARE_NAMES)):
            continue
        if re.search(r"[市县州省区镇村港岛湾]$|十大|百强|500强|^前|^[只仅共约有]|[一二两三四五六七八九十百千万几数多余]+[家个名位批]|"
                     r"签订|签署|投资|设立|建设|宣布", name) and suffix_hit not in (
                "集团", "公司", "有限公司", "股份有限公司", "控股集团"):
            continue  # a place, a ranking or a clause, not a name
        if not suffix_hit or suffix_hit in ("科技", "电子", "医疗", "制药", "化学", "化工", "汽车", "机械", "生物"):
            if _generic_start_regex(g).match(name):
                continue  # 德国新材料车体项目: a description, not a name
        if not suffix_hit and all(flag in ("v", "vn") for _, flag in _tokens(name)):
            continue  # 台资企业转移承接基地: what the place does, not a name
        etype = EntityType.INSTITUTION if suffix_hit in L.INSTITUTION_SUFFIXES else EntityType.COMPANY
        data: dict[str, str] = {"name": name, "prefixed": "1"}
        if etype is EntityType.INSTITUTION:
            data["inst_kind"] = _inst_kind(suffix_hit)
        out.append(_m(s, k.start, j, etype.value, key=pattern_key(etype.value, name), source=Source.PATTERN,
                      country=k.country, **data))
    return out


_LIST_COUNT = re.compile(r"等(?:[0-9一二三四五六七八九十百千万两]+(?:余|多)?[家个])?$")
_LIST_HEAD = re.compile(r"[^，,。；;：:！？!?()（）“”\s]{0,6}?(?:企业|公司|集团|药企|车企|厂商|银行|财团)")
_CAPITAL = re.compile(r"([^\s，,。；;、\d])(?:资(?:企业|项目|公司|工厂|厂商)|企(?!业|划|图|及))")
_LIST_CLOSE = re.compile(r"等(?:[0-9一二三四五六七八九十百千万两]+(?:余|多)?[家个])?(?:知名|龙头|重点|大型|优质|一批)?(?:企业|公司|集团)")
_LIST_ITEM = re.compile(rf"[{L.CJK}A-Za-z0-9&·\-]{{2,10}}")


def _capital_country(text: str, g: Gazetteer) -> str:
    """The one country a sentence gives its firms by an adjective of capital (日资企业, 德企, 台资项目), or ''."""
    codes = {g.country_short.get(h.group(1), "") for h in _CAPITAL.finditer(text)}
    codes.discard("CN")
    return codes.pop() if len(codes) == 1 and "" not in codes else ""


def _country_lists(text: str, g: Gazetteer, known: Sequence[Mention]) -> list[tuple[int, int, str]]:
    """Lists of names closed by 等 and one foreign country's firms, as (start, end, country) of the items:
    乐康瑞德、滕氏医疗、哈尼塔等以色列高科技企业, or 等知名企业 in a sentence about 日资企业."""
    lists: list[tuple[re.Match[str], str]] = []
    for k in known:
        if k.kind != _COUNTRY or k.country in ("", "CN"):
            continue
        count = _LIST_COUNT.search(text, 0, k.start)
        if count is not None and _LIST_HEAD.match(text, k.end):
            lists.append((count, k.country))
    capital = _capital_country(text, g)
    if capital:
        for close in _LIST_CLOSE.finditer(text):
            lists.append((close, capital))
    return [(max(text.rfind(c, 0, count.start()) for c in "，,。；;：:！？!?()（）“”") + 1, count.start(), country)
            for count, country in lists]


def _counted(text: str, end: int) -> bool:
    """Whether the 等 at ``end`` counts the firms (东普雷等四家日资企业): then one name alone is a list."""
    return re.match(r"等[0-9一二三四五六七八九十百两]+(?:余|多)?家", text[end:]) is not None


def _listed_companies(s: Sentence, g: Gazetteer, known: Sequence[Mention],
                      lists: list[tuple[int, int, str]]) -> list[Mention]:
    """A list closed by 等 + a foreign country's companies: 乐康瑞德、滕氏医疗、哈尼塔等以色列高科技企业,
    or closed by 等 + companies in a sentence about one country's firms (日资企业就包括黑田精工、津上精密等知名企业).

    Each item the gazetteer does not know becomes a company of that country.
    """
    out: list[Mention] = []
    text = s.norm
    for a, count_start, country in lists:
        items = text[a:count_start].split("、")
        if len(items) < 2 and not _counted(text, count_start):
            continue
        pos = a
        for n, item in enumerate(items):
            start, end = pos, pos + len(item)
            pos = end + 1
            if n == 0:  # the first item may follow a verb: 吸引了乐康瑞德、…
                cut = 0
                for word, flag in _tokens(item):
                    if word in _NAME_VERBS or flag in _STOP_FLAGS or word in ("了", "有", "包括", "如", "就"):
                        cut += len(word)
                        continue
                    break
                start += cut
                item = item[cut:]
            if not _LIST_ITEM.fullmatch(item) or any(c in "的是在了将对为与和及其这那之" for c in item):
                continue
            if any(o.kind in ENTITY_KINDS and o.start <= start and end <= o.end for o in known):
                continue  # a name the gazetteer or another rule already has
            if any(o.start <= start and end <= o.end for o in out):
                continue
            if is_common_word(item) or _is_generic(item, g) or re.search(r"\d", item) and not re.search("[A-Za-z]", item):
                continue
            out.append(_m(s, start, end, _COMPANY, key=pattern_key("company", item), source=Source.PATTERN,
                          country=country, name=item, listed="1"))
    return out


_BUSINESS_ENDINGS = ("医药", "生物", "药业", "科技", "制药", "电子", "汽车", "股份", "智能", "医疗", "能源", "控股", "集团",
                     "半导体", "新材料", "光电", "机器人", "环境", "物流")
_PARTNER_SLOT = re.compile(rf"(?<=[与和、])([{L.CJK}]{{2,5}}?(?:{'|'.join(_BUSINESS_ENDINGS)}))"
                           r"(?=[、和与]|(?:开展|达成|成立|签署|签订|合作|共建|建立|组建|联合|共同|合资))")


def _partner_slot_names(s: Sentence, g: Gazetteer, known: Sequence[Mention]) -> list[Mention]:
    """Names after 与 that end in a business word and cooperate: 与和铂医药达成…, 与康泰生物成立…."""
    out = []
    text = s.norm
    for m in _PARTNER_SLOT.finditer(text):
        a, b = m.span(1)
        if any(k.start < b and a < k.end for k in known if k.kind in ENTITY_KINDS):
            continue
        name = m.group(1)
        if _is_generic(name, g) or is_common_word(name) or name[0] in "的在等及其该这":
            continue
        clause_end = next((i for i in range(b, len(text)) if text[i] in "，,。；;！？"), len(text))
        if not re.search(r"开展|达成|成立|签署|签订|合作|共建|建立|组建|联合|合资", text[b:clause_end]):
            continue  # 细胞基因和合成生物、…: a list of fields, not partners
        out.append(_m(s, a, b, _COMPANY, key=pattern_key("company", name), source=Source.PATTERN,
                      name=name, partner="1"))
    return out


_BUILD_VERB = re.compile("|".join(L.BUILD_VERBS))


def _signing_cities(s: Sentence, g: Gazetteer, known: Sequence[Mention]) -> list[Mention]:
    """A city that signs, written as the city (威海市与韩国仁川广域市签署…备忘录): its government as a party.

    Only a Chinese city written with 市 right next to 与/和/同 in a sentence that signs; 威海市人民政府 is
    found by its suffix, and 威海市经济技术开发区 is a park.
    """
    text = s.norm
    rx = g.cached("signing_city", lambda: re.compile(
        "(" + "|".join(re.escape(c) for c in sorted((c for c in g.cities if len(c) >= 2), key=len, reverse=True)) + ")市"))
    out = []
    for hit in rx.finditer(text):
        start, end = hit.span()
        before, after = text[max(0, start - 1):start], text[end:end + 1]
        if not (after in ("与", "和", "同") or before in ("与", "和", "同")):
            continue
        if any(k.start < end and start < k.end for k in known if k.kind in ENTITY_KINDS):
            continue  # inside a known name
        name = text[start:end]
        out.append(_m(s, start, end, _INSTITUTION, key=pattern_key("institution", name), source=Source.PATTERN,
                      country="CN", name=name, inst_kind="government"))
    return out


def _platforms_and_agreements(s: Sentence, g: Gazetteer) -> list[Mention]:
    out = []
    text = s.norm
    suffix = "|".join(L.PLATFORM_SUFFIXES)
    for m in L.QUOTED.finditer(text):
        name = m.group(1)
        if _PLATFORM_END.search(name) and not _is_generic(_PLATFORM_END.sub("", name), g):
            out.append(_m(s, m.start(1), m.end(1), _AGREEMENT,
                          key=pattern_key("agreement", name), source=Source.PATTERN, name=name, agr_kind="platform"))
    platform_rx = g.cached("platform_regex", lambda: re.compile(
        rf"中[{re.escape(''.join(sorted(g.country_short)) or '英美德法日韩新意')}]{{1,3}}[{L.CJK}]{{2,10}}?(?:{suffix})"))
    for m in platform_rx.finditer(text):
        name = m.group(0)
        if _BUILD_VERB.search(name, 2):
            continue  # 在中新广州知识城建设创新中心: a place, then what is built there, not a platform's name
        out.append(_m(s, m.start(), m.end(), _AGREEMENT, key=pattern_key("agreement", name),
                      source=Source.PATTERN, name=name, agr_kind="platform"))
    for m in _TITLED_AGREEMENT.finditer(text):
        name = m.group(1)  # a named agreement in book-title marks: 《中新天津生态城框架协议》
        out.append(_m(s, m.start(1), m.end(1), _AGREEMENT, key=pattern_key("agreement", name), source=Source.PATTERN,
                      name=name, agr_kind="agreement"))
    for m in _SIGNED_AGREEMENT.finditer(text):
        name = m.group("name")
        if len(name) < 2:
            continue
        out.append(_m(s, m.start("name"), m.end("name"), _AGREEMENT,
                      key=f"agreement/{s.article_id}-{s.index}-{m.start('name')}", source=Source.PATTERN,
                      name=name, agr_kind="agreement"))
    return out


_COMPOUND_NEXT = (
    "两国", "合作", "政府", "双方", "关系", "友好", "联合", "共建", "经贸", "投资", "贸易", "互联互通", "健康",
    "创新", "商务", "企业", "产业", "国际", "绿色", "生命", "(", "·", "-", "经济", "科技", "文化", "建交",
)


def _country_compounds(s: Sentence, g: Gazetteer) -> list[Mention]:
    """One-character country forms in compounds: 中英合作, 中新两国, 对英投资."""
    if not g.country_short:
        return []
    out = []
    text = s.norm
    rx = g.cached("compound_regex", lambda: re.compile(
        "(中|对)([" + "".join(re.escape(c) for c in g.country_short if len(c) == 1) + "]{1,3})")
        if any(len(c) == 1 for c in g.country_short) else None)
    if rx is None:
        return []
    for m in rx.finditer(text):
        after = text[m.end():]
        if m.group(1) == "中" and not after.startswith(_COMPOUND_NEXT):
            continue
        if m.group(1) == "对" and not after.startswith(("合作", "投资", "贸易", "出口", "进出口", "文化", "交流")):
            continue
        for i, c in enumerate(m.group(2)):
            code = g.country_short.get(c)
            if code:
                p = m.start(2) + i
                out.append(_m(s, p, p + 1, "country_short", key=f"country/{code}", country=code))
        if m.group(1) == "中":
            out.append(_m(s, m.start(1), m.start(1) + 1, "country_short", key="country/CN", country="CN"))
    return out


# --------------------------------------------------------------------------- orchestration
def resolve_overlaps(mentions: Sequence[Mention]) -> list[Mention]:
    """Keep the best non-overlapping entity mentions (longer, then gazetteer over pattern); other layers pass."""
    ents = [m for m in mentions if m.kind in ENTITY_KINDS]
    rest = [m for m in mentions if m.kind not in ENTITY_KINDS]
    ents.sort(key=lambda m: (m.sentence, -(m.end - m.start), -_PRIORITY[m.source], bool(m.get("extended")), m.start))
    taken: dict[int, list[tuple[int, int]]] = {}
    kept = []
    for m in ents:
        spans = taken.setdefault(m.sentence, [])
        if any(m.start < e and s < m.end for s, e in spans):
            continue
        spans.append((m.start, m.end))
        kept.append(m)
    return sorted(kept + rest, key=lambda m: (m.sentence, m.start, m.end))


_AMOUNT_LEAD = re.compile(r"[0-9０-９.一二三四五六七八九十百千两]+\s*(?:亿|万)?\s*(?:美元|欧元|日元|英镑|港元|元|人民币|新台币)$")


def _enumerated(s: Sentence, mentions: list[Mention], g: Gazetteer) -> list[Mention]:
    """Unknown items listed with known companies (A、B、C等) are companies too.

    Items are split on 、; a run of clean items (short names, no function words)
    that holds at least one gazetteer company makes its unknown items companies.
    """
    out = []
    text = s.norm
    known = {(m.start, m.end): m for m in mentions if m.kind in ENTITY_KINDS}
    for clause in re.finditer(r"[^，,；;：:。！？!?—]+", text):
        a, b = clause.span()
        if "、" not in text[a:b]:
            continue
        items = [(a + it.start(), a + it.end()) for it in re.finditer(r"[^、]+", text[a:b])]
        run: list[tuple[int, int, Mention | None]] = []

        def flush(run: list[tuple[int, int, Mention | None]]) -> None:
            if any(m is not None and m.kind == _COMPANY and (m.source is Source.GAZETTEER or (
                    m.get("name") or m.surface).endswith(L.COMPANY_SUFFIXES)) for _, _, m in run):
                for ia, ib, m in run:
                    if m is None:
                        name = text[ia:ib]
                        out.append(_m(s, ia, ib, _COMPANY, key=pattern_key("company", name),
                                      source=Source.PATTERN, name=name, enumerated="1"))
            run.clear()

        for idx, (ia, ib) in enumerate(items):
            if idx == len(items) - 1:
                mm = _LAST_ITEM_ETC.match(text[ia:ib])
                if mm:
                    ib = ia + mm.end(1)
            hit = known.get((ia, ib))
            if hit is None:
                # The first item may carry lead-in words: keep a known name that ends it.
                tail = [m for (x, y), m in known.items() if y == ib and ia <= x]
                if idx == 0 and tail:
                    hit = tail[0]
            de = text.rfind("的", ia, ib) if hit is None else -1
            if de > ia and _AMOUNT_LEAD.search(text, ia, de):
                # 总投资15亿美元的实联化工、10亿美元的敏实集团: an item described by its sum before its name
                ia = de + 1
                hit = known.get((ia, ib))
            name = text[ia:ib]
            clean = hit is not None or (
                2 <= len(name) <= 8 and not any(c in L.NAME_BAD_CHARS for c in name)
                and name not in g.country_names and not _is_generic(name, g, min_rest=1)
                and not re.search(r"[0-9.%]", name) and not any(x < ib and ia < y for x, y in known))
            if not clean or (hit is not None and hit.kind != _COMPANY):
                flush(run)
                continue
            run.append((ia, ib, hit))
            if idx == len(items) - 1 or ib < items[idx][1]:
                flush(run)
        flush(run)
    return out


def find_candidates(s: Sentence, g: Gazetteer, article_date: str = "") -> list[Mention]:
    """Every candidate mention in one sentence (overlapping; see ``resolve_overlaps``)."""
    known = find_dictionary(s, g)
    amounts = find_amounts(s, g)
    if amounts:  # 7.7亿瑞典克朗　斯凯孚 (the space folded away): 克朗斯 begins inside the money, so it is no name
        known = [k for k in known if not any(a.start < k.start < a.end < k.end for a in amounts)]
    pats = find_patterns(s, g, known)
    return known + pats + amounts + find_dates(s, article_date)


_OWNED_BY = re.compile(r"(?:公司|集团)?旗下(?:的)?")
_NOT_OWNED_NAME = re.compile(r"子公司|全资|控股|下属|品牌|企业|公司|工厂|项目|基金|多家|一家|又|最")
_OWNED_NAME = re.compile(r"([\u4e00-\u9fffA-Za-z]{2,8}?)(?=投资|斥资|出资|在|于|将|已|也|与|和|落户|建设|设立|签|，|,|、|的|等|$)")


def _owned_companies(s: Sentence, ms: list[Mention], g: Gazetteer) -> list[Mention]:
    """A company named right after another's 旗下 (明基集团旗下达方电子, 淡马锡公司旗下的星桥控股公司) is the
    group's own company, and the one that acts in the sentence: it gets the group as parent (and its country when
    it has none) with the role ``owned`` (it invests as itself, unlike a local subsidiary), the group is marked
    ``owner``. A name there needs no legal form: 旗下 says it is a company."""
    text = s.norm
    if "旗下" not in text:
        return ms
    out = list(ms)
    for m in ms:
        hit = _OWNED_BY.match(text, m.end) if m.kind == _COMPANY else None
        if not hit or hit.end() == m.end:
            continue
        at = hit.end()
        owned = next((o for o in out if o.kind == _COMPANY and o.start == at), None)
        if owned is None:
            nm = _OWNED_NAME.match(text, at)
            name = nm.group(1) if nm else ""
            if (not name or name[0] in L.NAME_BAD_START or _generic_lead(name, g) or _is_generic(name, g)
                    or is_common_word(name) or _NOT_OWNED_NAME.match(name)
                    or any(o.start < at + len(name) and at < o.end for o in out if o.kind in ENTITY_KINDS)):
                continue
            owned = _m(s, at, at + len(name), _COMPANY, key=pattern_key(_COMPANY, name), source=Source.PATTERN,
                       country=m.country, name=name)
            out.append(owned)
        if owned.key == m.key:
            continue  # 鸿海集团旗下富士康: one group under two names
        i = out.index(owned)
        if not owned.get("parent"):
            out[i] = replace(owned, country=owned.country or m.country,
                             data=tuple(sorted(dict(owned.data, parent=m.key, role="owned").items())))
        j = out.index(m)
        out[j] = replace(m, data=tuple(sorted(dict(m.data, owner="1").items())))
    out.sort(key=lambda x: (x.start, x.end))
    return out


def extract_mentions(sentences: Sequence[Sentence], g: Gazetteer, article_date: str = "") -> list[Mention]:
    """Mentions of one article, overlaps resolved and references linked.

    Examples
    --------
    >>> from kg.model import Article
    >>> from kg.segment import segment
    >>> from kg.gazetteer import default
    >>> art = Article(id="t", path="t.txt", text="芬兰卡瓦在苏州工业园区投资建设亚太区研发制造基地。")
    >>> sorted({(m.get("name"), m.country) for m in extract_mentions(segment(art), default()) if m.kind == "Company"})
    [('卡瓦', 'FI')]
    """
    per_sentence: list[list[Mention]] = []
    for s in sentences:
        cands = resolve_overlaps(find_candidates(s, g, article_date))
        cands = resolve_overlaps(cands + _enumerated(s, cands, g))
        per_sentence.append(_owned_companies(s, cands, g))
    per_sentence = _rematch_found_names(sentences, per_sentence, g)
    per_sentence = _unify_park_tails(per_sentence, g)
    per_sentence = _renamed_parks(sentences, per_sentence)
    mentions = [m for ms in per_sentence for m in ms]
    mentions = _filter_weak(mentions)
    return resolve_references(sentences, mentions, g)


def _rematch_found_names(sentences: Sequence[Sentence], per_sentence: list[list[Mention]],
                         g: Gazetteer) -> list[list[Mention]]:
    """A name found by pattern once is the same entity wherever else the article writes it."""
    found: dict[str, Mention] = {}
    for ms in per_sentence:
        for m in ms:
            if m.source is Source.PATTERN and m.kind in ENTITY_KINDS and not m.key.startswith("agreement/") or (
                    m.kind == _AGREEMENT and m.get("agr_kind") == "platform"):
                name = m.get("name") or m.surface
                if len(name) >= 2:
                    found.setdefault(name, m)
                if m.get("short"):
                    found.setdefault(m.get("short"), m)  # the short form it declared: 中玻 for 中国玻璃控股有限公司
                # 伯曼集团 named once, 伯曼 later: the short form without the company suffix is the same company.
                if m.kind == _COMPANY and name.endswith(("集团", "公司", "有限公司", "股份有限公司", "控股")):
                    stem = re.sub(r"(?:股份有限公司|有限公司|集团|公司|控股)$", "", name)
                    if len(stem) >= 2 and not is_common_word(stem) and not _is_generic(stem, g):
                        found.setdefault(stem, m)
            elif m.get("short") and m.kind in ENTITY_KINDS:
                found.setdefault(m.get("short"), m)  # a gazetteer name's declared short form: 知识城 for 中新广州知识城
    if not found:
        return per_sentence
    # The mention that says most (a country) stands for every mention of the same name.
    for ms in per_sentence:
        for m in ms:
            name = m.get("name") or m.surface
            if m.source is Source.PATTERN and name in found and m.country and not found[name].country \
                    and m.kind == found[name].kind:
                found[name] = m
    for stem, proto in list(found.items()):
        full = proto.get("name") or proto.surface
        if full != stem and full in found and found[full].country and not proto.country:
            found[stem] = found[full]
    unify = {name: m for name, m in found.items() if m.kind == _COMPANY}
    per_sentence = [[replace(m, key=unify[n].key, country=unify[n].country or m.country)
                     if m.source is Source.PATTERN and m.kind == _COMPANY
                     and (n := m.get("name") or m.surface) in unify and not m.get("role") else m
                     for m in ms] for ms in per_sentence]
    out = []
    names = sorted(found, key=len, reverse=True)
    for s, ms in zip(sentences, per_sentence, strict=True):
        extra = []
        for name in names:
            proto = found[name]
            at = s.norm.find(name)
            while at >= 0:  # every place the sentence writes it, left to right, not overlapping
                extra.append(Mention(
                    article_id=s.article_id, sentence=s.index, start=at, end=at + len(name), surface=name,
                    kind=proto.kind, key=proto.key, source=proto.source, country=proto.country, data=proto.data))
                at = s.norm.find(name, at + len(name))
        out.append(resolve_overlaps(ms + extra) if extra else ms)
    return out


def _unify_park_tails(per_sentence: list[list[Mention]], g: Gazetteer) -> list[list[Mention]]:
    """A park found by pattern whose name is the tail of another park the article names is that park.

    成都综合保税区双流园区 then 双流园区; 厦门火炬高技术产业开发区 (厦门火炬高新区) then 火炬高新区: the article
    drops the part the reader already knows. Only a tail that fits exactly one named park is taken.
    """
    first: dict[str, Mention] = {}
    for ms in per_sentence:
        for m in ms:
            if m.kind == _PARK and m.key not in first:
                first[m.key] = m
    if len(first) < 2:
        return per_sentence
    order = {key: i for i, key in enumerate(first)}  # with and without its 县, the park named first names both
    names: dict[str, tuple[str, str, list[str]]] = {}
    for key, m in first.items():
        ent = g.entities.get(key) if m.source is Source.GAZETTEER else None
        if ent is not None:
            names[key] = (normalise_name(ent.city) if ent.city else "", ent.label_zh, [ent.label_zh, *ent.aliases])
        else:
            names[key] = ("", m.get("name") or m.surface, [m.get("name") or m.surface])
    same: dict[str, str] = {}
    for key, m in first.items():
        tail = m.get("name") or m.surface
        if m.source is not Source.PATTERN or len(tail) < 4:
            continue
        bare = _without_unit(tail)
        fits = {other for other, (city, _, full) in names.items() if other != key and any(
            (len(n) > len(tail) and (n.endswith(tail) or (city and n == city + tail)))
            or (n != tail and _without_unit(n) == bare and order[other] < order[key]) for n in full)}
        if len(fits) == 1:
            same[key] = fits.pop()
    return _rekey_parks(per_sentence, {key: first[other] for key, other in same.items()})


def _rekey_parks(per_sentence: list[list[Mention]], protos: dict[str, Mention]) -> list[list[Mention]]:
    """Every park mention whose key ``protos`` holds becomes that park (its key, source, country and data)."""
    if not protos:
        return per_sentence
    return [[replace(m, key=protos[m.key].key, source=protos[m.key].source, country=protos[m.key].country,
                     data=protos[m.key].data) if m.kind == _PARK and m.key in protos else m for m in ms]
            for ms in per_sentence]


_DATE_LEAD = re.compile(r"(?:[0-9０-９]{2,4}年)?(?:[0-9０-９]{1,2}月)?(?:[0-9０-９]{1,2}日)?(?<=[年月日])")
_NOW_CALLED = re.compile(r"\s*[(（]\s*(?:今|现|现为|今为|现名|后更名为|已更名为)\s*")
_ONCE_CALLED = re.compile(r"\s*[(（]\s*(?:原|原名|原称|前身为|前身是)\s*")


def _renamed_parks(sentences: Sequence[Sentence], per_sentence: list[list[Mention]]) -> list[list[Mention]]:
    """A park's old name is the park: 淮安经济开发区（今淮安经济技术开发区）, 淮安经济技术开发区（原淮安经济开发区）.
    Every mention of the old name in the article takes the new name's key."""
    same: dict[str, Mention] = {}
    for s, ms in zip(sentences, per_sentence, strict=True):
        parks = [m for m in ms if m.kind == _PARK]
        for a, b in zip(parks, parks[1:], strict=False):
            if a.key == b.key or not s.norm.startswith((")", "）"), b.end):
                continue
            if _NOW_CALLED.fullmatch(s.norm, a.end, b.start):
                same.setdefault(a.key, b)
            elif _ONCE_CALLED.fullmatch(s.norm, a.end, b.start):
                same.setdefault(b.key, a)
    return _rekey_parks(per_sentence, same)


_UNIT_AFTER_PLACE = re.compile(r"^([\u4e00-\u9fff]{2,3}?)(?:县|市|区)(?=[\u4e00-\u9fff]{0,8}(?:开发区|园区|高新区|工业园|产业园))")


def _without_unit(name: str) -> str:
    """A park's name without the 县/市/区 after its place: 望城县经济开发区 and 望城经济开发区 are one park."""
    return _UNIT_AFTER_PLACE.sub(r"\1", name)


def _filter_weak(mentions: list[Mention]) -> list[Mention]:
    """Weak aliases (ordinary words such as 伯乐, 现代) count only with support in the article."""
    strong = {m.key for m in mentions if m.kind in ENTITY_KINDS and (not m.get("weak") or m.get("extended"))}
    out = []
    ents = [m for m in mentions if m.kind in ENTITY_KINDS]
    for i, m in enumerate(mentions):
        if m.get("weak") and m.key not in strong:
            prev = mentions[i - 1] if i else None
            supported = prev is not None and prev.sentence == m.sentence and prev.end == m.start and (
                prev.kind == _COUNTRY)
            # Listed with other companies (德国西门子、大陆等): the list says it is a company.
            # …only when the list carries a country (德国西门子、大陆), which makes the reading certain.
            neighbours = [o for o in ents if o is not m and o.sentence == m.sentence and not o.get("weak")
                          and o.kind == _COMPANY and (o.end + 1 == m.start or m.end + 1 == o.start)
                          and any(c.kind == _COUNTRY and c.sentence == o.sentence
                                  and c.end == o.start for c in mentions)]
            if neighbours and m.surface and m.end <= len(m.surface) + m.start:
                supported = supported or any(
                    (o.end + 1 == m.start or m.end + 1 == o.start) for o in neighbours)
            if not supported:
                continue
        out.append(m)
    return out


def _park_top_level(m: Mention, g: Gazetteer) -> bool:
    if m.source is Source.GAZETTEER:
        ent = g.entities.get(m.key)
        return ent is not None and ent.kind in L.TOP_LEVEL_PARK_KINDS and not ent.parent
    return m.get("park_kind") in L.TOP_LEVEL_PARK_KINDS and not m.get("parent")


def park_sightings(mentions: Sequence[Mention], sentences: Sequence[Sentence], g: Gazetteer) -> list[ParkSighting]:
    """Where parks are named. A park inside another counts as a park of its own (one the bare 园区 can stand
    for) when the headline names it and the article names it three times or more: it is what the article
    is about (中瑞镇江生态产业园开园在即, in a piece that also names 镇江新区)."""
    blocks = {s.index: s.block for s in sentences}
    norms = {s.index: s.norm for s in sentences}
    head = min((s.block for s in sentences), default=0)
    counts: dict[str, int] = {}
    headline: set[str] = set()
    for m in mentions:
        if m.kind == _PARK and m.source is not Source.COREFERENCE:
            counts[m.key] = counts.get(m.key, 0) + 1
            if blocks.get(m.sentence, 0) <= head + 1:
                headline.add(m.key)
    topics = {k for k in headline if counts[k] >= 3}
    out = []
    for m in mentions:
        if m.kind != _PARK or m.get("site_of"):
            continue  # a firm's own site is no park the context stands for
        ent = g.entities.get(m.key)
        name = ent.label_zh if ent else (m.get("name") or m.surface)
        if m.source is Source.COREFERENCE:
            top = True
            name = m.get("name") or name
        else:
            top = _park_top_level(m, g) or m.key in topics
        norm = norms.get(m.sentence, "")
        out.append(ParkSighting(m.sentence, blocks.get(m.sentence, 0), m.start, m.key, top, m.surface if not ent else name,
                                m.source is not Source.COREFERENCE, _ADMIN_AFTER.match(norm, m.end) is not None))
    return out


_ADMIN_AFTER = re.compile(r"\s*(?:党工委|管委会|管理委员会|管委)")
_REF_VERBS = ("落户", "入驻", "进驻", "位于", "落地", "选址", "扎根", "布局", "赴", "到", "来到", "走进", "学习")
_REF_BOUNDARY = set("，,。；;：:、“”\"（(）)的在是与和及为对将由让把被从向于该本全其这整")


_COREF_WORDS = [(w, re.compile(re.escape(w))) for w in sorted(L.PARK_COREF, key=len, reverse=True)]
_THAT_RX = re.compile(r"该(公司|集团|企业)|该平台")


def resolve_references(sentences: Sequence[Sentence], mentions: list[Mention], g: Gazetteer) -> list[Mention]:
    """Link 园区/开发区/度假区…, 该公司 and 该平台 to the park, company or platform they stand for."""
    by_sentence: dict[int, list[Mention]] = {}
    for m in mentions:
        by_sentence.setdefault(m.sentence, []).append(m)
    out = list(mentions)
    sightings = park_sightings(mentions, sentences, g)
    for s in sentences:
        ms = by_sentence.get(s.index, [])
        taken = [(m.start, m.end) for m in ms if m.kind in ENTITY_KINDS]
        for w, rx in _COREF_WORDS:
            if w not in s.norm:
                continue
            for hit in rx.finditer(s.norm):
                a, b = hit.span()
                if any(x < b and a < y for x, y in taken):
                    continue
                prev = s.norm[a - 1] if a else "，"
                if prev not in _REF_BOUNDARY and a != 0 and not s.norm[:a].endswith(_REF_VERBS):
                    continue
                compatible = L.PARK_COREF[w]
                key = ""
                if w == "园区":
                    # the bare 园区 stands first for a park called …园/…园区 named near by (中瑞镇江生态产业园),
                    # before a 新区 or 开发区 around it
                    near = [x for x in sightings if x.top_level and x.name.endswith(("园", "园区"))
                            and s.block - 3 <= x.block]
                    key = context_park(near, s.index, s.block, a)
                key = key or context_park(sightings, s.index, s.block, a, compatible)
                if not key:
                    continue
                ref = Mention(article_id=s.article_id, sentence=s.index, start=a, end=b, surface=w,
                              kind=_PARK, key=key, source=Source.COREFERENCE,
                              data=(("name", _name_of(key, mentions, g)),))
                out.append(ref)
                taken.append((a, b))
                sightings.append(ParkSighting(s.index, s.block, a, key, True, ref.get("name"), False))
                sightings.sort(key=lambda x: (x.sentence, x.pos))
        for hit in _THAT_RX.finditer(s.norm) if "该" in s.norm else ():
            a, b = hit.span()
            want = _AGREEMENT if hit.group(0) == "该平台" else _COMPANY
            prior = [m for m in out if m.kind == want and (m.sentence, m.start) < (s.index, a)
                     and s.index - m.sentence <= 2 and m.source is not Source.COREFERENCE]
            if want == _AGREEMENT:
                prior = [m for m in prior if (m.get("name") or m.surface).endswith("平台")] or prior
            if prior:
                p = max(prior, key=lambda m: (m.sentence, m.start))
                out.append(Mention(article_id=s.article_id, sentence=s.index, start=a, end=b, surface=hit.group(0),
                                   kind=want, key=p.key, source=Source.COREFERENCE, country=p.country, data=p.data))
    return sorted(out, key=lambda m: (m.sentence, m.start, m.end))


def _name_of(key: str, mentions: Sequence[Mention], g: Gazetteer) -> str:
    ent = g.entities.get(key)
    if ent:
        return ent.label_zh
    for m in mentions:
        if m.key == key:
            return m.get("name") or m.surface
    return ""


__all__ = ["extract_mentions", "find_candidates", "resolve_overlaps", "resolve_references", "pattern_key",
           "park_sightings", "find_amounts", "normalise_name"]
