"""Turn mentions into facts: investments, outbound investments, cooperations, hierarchy, statistics.

Rules work on clauses (split at commas, semicolons and dashes; 、 keeps lists
together) and name no particular company, park or sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from kg import lexicon as L
from kg._context import context_park
from kg.extract import ENTITY_KINDS, ITEM_MARKS, _city_affixes, item_heading, park_sightings
from kg.gazetteer import Gazetteer, normalise_name
from kg.model import Amount, Article, Entity, EntityType, Evidence, Fact, Mention, Sentence, Source

_PARK = EntityType.PARK.value
_COMPANY = EntityType.COMPANY.value
_INSTITUTION = EntityType.INSTITUTION.value
_COUNTRY = EntityType.COUNTRY.value
_AGREEMENT = EntityType.AGREEMENT.value

_ORG = {_COMPANY, _INSTITUTION}
_PARTY = _ORG | {_PARK, _COUNTRY}
_CLAUSE = re.compile(r"[^，,；;：:！？!?—]+")
_PUNCT = re.compile(r"[，,；;。：:]")
_SIGN = re.compile("|".join(L.SIGN_VERBS))
_SIGN_OR_INVEST = re.compile("|".join(L.SIGN_VERBS + ("投资", "合资", "共建")))
_FACILITY_PHRASE = re.compile(rf"([{L.CJK}A-Za-z0-9、]{{0,16}}?(?:{'|'.join(sorted(L.FACILITY_NOUNS, key=len, reverse=True))}))")
_PLATFORM_VERB = re.compile("|".join(L.PLATFORM_VERBS))


def _evidence(article: Article, s: Sentence) -> Evidence:
    return Evidence(article.id, s.start, s.end, article.text[s.start:s.end])


def _clauses(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _CLAUSE.finditer(text)]


def _clause_of(spans: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    for a, b in spans:
        if a <= pos < b:
            return a, b
    return 0, 0


def _masked(text: str, mentions: Sequence[Mention]) -> str:
    """The sentence with entity names blanked out, so that 投资 inside 牛津投资公司 is not a trigger."""
    chars = list(text)
    for m in mentions:
        if m.kind in ENTITY_KINDS:
            for i in range(m.start, min(m.end, len(chars))):
                chars[i] = "□"
    return "".join(chars)


def _foreign(m: Mention, g: Gazetteer) -> bool:
    country = m.country
    if not country and m.source is Source.GAZETTEER:
        ent = g.entities.get(m.key)
        country = ent.country if ent else ""
    return bool(country) and country != "CN"


def _investor_key(m: Mention) -> str:
    """A local subsidiary invests on behalf of its group, a joint venture on behalf of its foreign partner."""
    if m.get("role") in ("subsidiary", "joint_venture") and m.get("parent"):
        return m.get("parent")
    return m.key


_JV_BY = re.compile(r"\s*(?:[(（][^)）]{0,24}[)）])?\s*由[^\s，,。；;]{0,4}$")
_JV_AND = re.compile(r"\s*(?:[(（][^)）]{0,16}[)）])?\s*(?:与|和|及|、)\s*[^\s，,。；;]{0,4}$")
_JV_MADE = re.compile(r"\s*(?:[(（][^)）]{0,16}[)）])?\s*(?:双方)?(?:共同|各自)?(?:合资|出资|投资)(?:组建|成立|设立|创办|兴建)?")
_JV_NAMED = re.compile(r"(?:合资|出资)(?:组建|成立|设立|创办)的(?:合资)?(?:公司|企业)?\s*[—\-–:：]*\s*$")


def _joint_venture_partners(sentences: Sequence[Sentence], by_s: dict[int, list[Mention]],
                            g: Gazetteer) -> dict[str, tuple[str, str]]:
    """Joint ventures the article defines, with their one foreign partner: {venture key: (partner key, country)}.

    神龙公司由中国东风汽车公司与法国标致雪铁龙集团合资组建; A与B共同出资设立的合资公司——C.
    A venture that is foreign itself, or that has no foreign partner or two, is left alone.
    """
    out: dict[str, tuple[str, str]] = {}
    for s in sentences:
        text = s.norm
        if "合资" not in text and "出资" not in text:
            continue
        comps = [m for m in by_s.get(s.index, []) if m.kind == _COMPANY]
        for i, venture in enumerate(comps):
            if _foreign(venture, g) or venture.key in out:
                continue
            pair: list[Mention] = []
            later = [c for c in comps[i + 1:] if c.key != venture.key]
            if len(later) >= 2 and _JV_BY.match(text[venture.end:later[0].start]) and _JV_AND.match(
                    text[later[0].end:later[1].start]) and _JV_MADE.match(text, later[1].end):
                pair = later[:2]  # A由B与C合资组建
            earlier = [c for c in comps[:i] if c.key != venture.key]
            if not pair and len(earlier) >= 2 and _JV_NAMED.search(text[:venture.start]) and _JV_AND.match(
                    text[earlier[-2].end:earlier[-1].start]):
                pair = earlier[-2:]  # B与C共同出资设立的合资公司——A
            foreign = [p for p in pair if _foreign(p, g)]
            if len(foreign) == 1:
                partner = foreign[0]
                ent = g.entities.get(partner.key)
                out[venture.key] = (_investor_key(partner), partner.country or (ent.country if ent else ""))
    return out


# Firms that settled, listed after 包括 (落户开发区的日资企业，就包括A、B、C等知名企业).
_SETTLED_INCLUDE = re.compile(r"(?:落户|入驻|引进|投资|进驻|集聚|聚集)[^。；;]{0,24}(?:企业|公司|项目|外资)[，,]?\s*"
                              r"(?:就|主要|则|还)?(?:包括|有|如)")


# 投资 in the name of an event or a mood (投资说明会, 投资环境, 投资信心) is no one investing.
_EVENT_NOUNS = re.compile(r"(?:投资|招商|签约)(?:说明会|推介会|洽谈会|环境|促进会?|峰会|论坛|机会|热情|信心|意愿|"
                          r"考察团?|大会|活动|仪式|总裁|副总裁|总监|经理|主管|负责人|合伙人|官|部)")  # …投资总裁: a title


_ACQUIRES = re.compile(r"[^，,。；;□]{0,10}?(?:要约收购|收购|并购|入股|受让|增持)")
_STAKE = re.compile(r"[^，,。；;□]{0,10}?(?:[0-9.]+\s*[%％]|全部|部分|多数|控股)?的?(?:股份|股权)")


def _chinese_target(masked: str, at: int, ms: Sequence[Mention], buyer: Mention, g: Gazetteer) -> bool:
    """Whether what is bought at ``at`` is a Chinese firm or a stake in one: a firm whose country is China or not
    given, a name that starts with a Chinese city (重庆啤酒), or shares (荣盛石化10%的股份)."""
    nxt = next((o for o in ms if o.start >= at and o.kind in ENTITY_KINDS), None)
    if nxt is not None and nxt.start - at <= 1:
        return nxt.kind == _COMPANY and nxt.country in ("", "CN") and nxt.key != buyer.key
    if nxt is not None and nxt.kind == _COUNTRY and nxt.start - at <= 12:
        return False  # 收购韩国AVISTA: a firm abroad
    return bool(_STAKE.match(masked, at)) or bool(_city_affixes(g).prefix(masked, at))


# A firm named as the employer of someone (罗氏制药全球首席执行官特蕾莎·格雷厄姆) who only attends or speaks.
_EMPLOYER = re.compile(r"[^，,。；;□]{0,8}?(?:首席执行官|首席运营官|首席财务官|副总裁|总裁|董事长|总经理|CEO|负责人|代表)")
_ATTENDS = re.compile(r"出席|参加|见证|致辞|发言|会见|陪同|参观|观礼|到场")


def _is_investor(m: Mention, text: str, masked: str, ms: Sequence[Mention], clause: tuple[int, int],
                 g: Gazetteer) -> str:
    """Why a company mention is investing here ('' when it is not)."""
    a, b = clause
    before = masked[a:m.start]
    # A partner listed after 与/和 (与信达、宜联等开展合作) is not the investor, unless the other side
    # is a park or a government (园区管委会与X签署协议: X invests).
    lead = re.sub(r"[□、]+", "", before)
    if re.search(r"(?:与|和|同|跟|携手)$", lead) or re.search(r"(?:与|和|同|跟)[□、]*$", before):
        conj = max(before.rfind(c) for c in ("与", "和", "同", "跟", "携手"))
        counter = [o for o in ms if o.end <= a + conj and o.kind in ENTITY_KINDS]
        gov = re.search(r"(管委会|政府|人民政府|管理委员会|商务局|发改委)$", text[a:a + conj])
        if not ((counter and counter[-1].kind == _PARK) or gov or (
                counter and counter[-1].kind == _INSTITUTION)):
            return ""
        if not _SIGN_OR_INVEST.search(masked[m.end:b]):
            return ""
        if re.search(r"合作协议|备忘录|合作框架", text[m.end:b]) and not re.search(
                r"投资|项目|落户|增资|工厂|基地|建厂|设立|亿|万", text[a:]):
            return ""  # a cooperation agreement with the park (联合研发战略合作协议), not an investment
        return "signed"
    # A facility abroad (在德国…总部) is not an investment in China.
    if before.endswith("在") and m.get("prefixed") and m.country not in ("", "CN"):
        return ""
    if re.search(r"在□+[^，,。；;]{0,6}$", before) and any(o.kind == _COUNTRY and o.country != "CN"
                                                        and a <= o.start < m.start for o in ms):
        return ""
    if any(before.rstrip("□、").endswith(v) for v in L.SERVICE_VERBS):
        return ""
    if re.search(r"(?:并购|收购|购买|兼并)[□]*$", before):
        return ""  # 迪尚集团投资4190万美元并购韩国AVISTA服装: the firm bought, not the one investing
    if re.search(r"(?:采用|使用|选用|配备|采购|搭载|引进)了?[^，,。；;□]{0,12}$", before) and re.match(
            r"[^，,。；;]{0,6}(?:生产线|设备|技术|系统|产品|机器人|包装线|装备)", masked[m.end:b]):
        return ""  # 新厂区将采用…最快的利乐包装生产线: the firm supplies the line, it does not invest
    if before.endswith("包括") and masked.startswith("在内", m.end):
        return ""  # 为包括LG新能源在内的园区企业提供绿电: one example of those served
    if re.match(r"[^，,。；;□]{0,6}(?:工厂|基地|厂)的(?:姊妹|姐妹)", masked[m.end:b]):
        return ""  # 德国安贝格电子制造工厂的姊妹工厂: the plant abroad that the new one is modelled on
    if re.search(r"继[^，,。；;继]*$", before) and re.match(r"[^，,。；;]*?之后", masked[m.end:b]):
        return ""  # LG化学继韩国梧仓工厂、美国霍兰德工厂之后的第三个基地: what the new one is compared with
    bought = _ACQUIRES.match(masked, m.end)
    if bought and _chinese_target(masked, bought.end(), ms, m, g):
        return "acquirer"  # 嘉士伯宣布其要约收购重庆啤酒: buying a Chinese firm is investing in China
    if _EMPLOYER.match(masked, m.end) and _ATTENDS.search(masked, m.end, b):
        return ""  # 罗氏制药中国总裁边欣等出席启动仪式: the firm's people attend; the firm does nothing here
    # Scope of the company as subject: to the next company in the sentence, or the sentence end.
    nxt = min((o.start for o in ms if o.kind == _COMPANY and o.start > m.end
               and masked[m.end:o.start].strip("□、等") != ""), default=len(text))
    scope = masked[m.end:nxt]
    own = masked[m.end:b]
    nominal = "的(?:布局|落地|建设|扎根|升级|打造)"  # …的布局: a noun, not the company acting
    own_verbal = _EVENT_NOUNS.sub("□", re.sub(nominal, "的□", own))
    scope = _EVENT_NOUNS.sub("□", re.sub(nominal, "的□", scope))
    if any(t in own_verbal for t in L.SUBJECT_TRIGGERS):
        return "subject"
    if re.fullmatch(r"[^□，,。；;]{0,6}(?:与|和|同)□+(?:合作|携手|联手)", own) and re.match(
            r"[，,]\s*(?:将|拟|计划|共同)?(?:投资|出资|斥资|增资)", masked[b:]):
        return "subject"  # 空气化工产品公司此次与久泰合作，投资40余亿元…承建: its verb opens the next clause
    # A 与 <park or government> 签署/签约 …: the company signs an investment with the park.
    conj = re.match(r"\s*(?:[(（]?[^()（）与和同，,。；;]{0,24}[)）])?\s*(?:与|和|同)", own)  # (简称奥特斯)与两江新区签署协议
    if conj:
        counter = [o for o in ms if o.start >= m.end + conj.end() and o.kind in (_PARK, _INSTITUTION)
                   and o.start - (m.end + conj.end()) <= 1]
        if counter and _SIGN.search(own) and re.search(
                r"投资|项目|落户|增资|工厂|基地|建设|设立", text):
            return "signed"
    if any(before.endswith(t) or t in before for t in L.OBJECT_TRIGGERS):
        return "object"
    if re.search(r"(?:入驻|进驻)了?[□、]*$", before) and re.match(r"[□、]*等", masked[m.end:b]):
        return "object"  # 目前已入驻钜闽机械、凹凸机械等台资机械企业: the firms the park lists as settled
    settled = _SETTLED_INCLUDE.search(masked, 0, m.start)
    if settled and re.fullmatch(r"[□、]*", masked[settled.end():m.start].replace("等", "")):
        return "object"  # 早年落户开发区的日资企业，就包括黑田精工、津上精密…
    near = re.sub(r"^[□、等]+", "", own)[:18]
    if any(f in near for f in L.FACILITY_NOUNS):
        return "facility"
    if "投资" in before and re.search(r"[0-9一二三四五六七八九十百千万亿]+(?:万|亿)?(?:美元|欧元|元|日元|英镑)", before):
        return "amount"
    if own.strip("□") == "" or re.fullmatch(r"[□、等]*", own):
        if any(t in scope for t in L.SUBJECT_TRIGGERS):
            return "subject"
    elif any(t in scope for t in ("扎根", "落户", "投资", "设立", "建成", "布局")) and not re.search(r"[与和同跟]", own):
        return "subject"
    else:
        first = min((scope.find(t) for t in L.SUBJECT_TRIGGERS if t in scope), default=-1)
        between = [o for o in ms if o.kind in (_PARK, _INSTITUTION)
                   and m.end <= o.start < m.end + max(first, 0)
                   and not re.search(r"(?:位于|在|于|落户|入驻)$", masked[max(0, o.start - 3):o.start])]
        if first >= 0 and not between and not re.search(r"[与和同跟]", scope[:first]):
            return "subject"
    return ""


def _sector_terms(m: Mention, s: Sentence, ms: Sequence[Mention], clause: tuple[int, int], in_list: bool) -> str:
    """The sector words the article uses around an investment (OLED面板, 车载锂离子电池), at most three."""
    a, b = clause
    sec = [x for x in ms if x.kind == "sector" and a <= x.start < b and not _inside_other(x, ms, m)]
    if in_list:
        item_start = max([a] + [i + 1 for i in range(a, m.start) if s.norm[i] == "、"])
        tail = s.norm.find("等", m.end, b)
        sec = [x for x in sec if item_start <= x.start < m.start or (tail >= 0 and x.start >= tail)]
    sec = [x for x in sec if not any(y is not x and y.start <= x.start and x.end <= y.end for y in sec)]
    words = list(dict.fromkeys(x.surface for x in sorted(sec, key=lambda x: abs(x.start - m.start))))
    return "、".join(words[:3])


def _sectors(m: Mention, s: Sentence, ms: Sequence[Mention], clause: tuple[int, int], g: Gazetteer,
             in_list: bool) -> tuple[str, ...]:
    """Sectors of an investment: words next to the company, then its clause, the group's own sector, the sentence."""
    sec = [x for x in ms if x.kind == "sector"]
    a, b = clause
    # Overlapping keywords: keep the longest (新能源汽车 over 新能源).
    sec = [x for x in sec if not any(y is not x and y.start <= x.start and x.end <= y.end and
                                     (y.end - y.start) > (x.end - x.start) for y in sec)]
    item_start = max([a] + [i + 1 for i in range(a, m.start) if s.norm[i] == "、"])
    own_end = m.end if m.get("extended") else m.start
    own = [x for x in sec if item_start <= x.start < own_end]
    if in_list:
        lst_end = s.norm.find("等", m.end, b)
        tail_from = lst_end if lst_end >= 0 else m.end
        after = [x for x in sec if tail_from <= x.start < b and not _inside_other(x, ms, m)]
    else:
        after = sorted((x for x in sec if m.end <= x.start < b), key=lambda x: x.start)
        after += sorted((x for x in sec if a <= x.start < item_start), key=lambda x: -x.start)
    ordered = own + after
    keys: list[str] = []
    ent = g.entities.get(m.get("parent") or m.key)
    if ent is not None and ent.sector:
        keys.append(ent.sector)  # the group's own line of business first
    for x in ordered:
        if x.key not in keys:
            keys.append(x.key)
    if not keys:
        counts: dict[str, int] = {}
        for x in sec:
            counts[x.key] = counts.get(x.key, 0) + 1
        keys = sorted(counts, key=lambda k: -counts[k])[:1]
    return tuple(keys[:2])


def _inside_other(x: Mention, ms: Sequence[Mention], me: Mention) -> bool:
    return any(o is not me and o.kind in ENTITY_KINDS and o.start <= x.start < o.end for o in ms)


def _status(text: str) -> str:
    found = ""
    for words, status in L.STATUS_WORDS:
        if any(w in text for w in words):
            found = status
    return found


def _activity(masked: str, text: str, m: Mention, clause: tuple[int, int]) -> str:
    a, b = clause
    seg = text[m.end:b]
    hit = _FACILITY_PHRASE.search(seg)
    if not hit:
        return ""
    phrase = hit.group(1)
    phrase = re.sub(r"^.*?(?:设立|建设|建成|新建|扩建|增设|启动|打造|落地)(?:了|其)?", "", phrase)
    phrase = re.sub(r"^(?:在|其在)?(?:亚洲|全球|中国|亚太)?", "", phrase) if len(phrase) > 6 else phrase
    return phrase.strip("、")


def relate(article: Article, sentences: Sequence[Sentence], mentions: Sequence[Mention], g: Gazetteer) -> list[Fact]:
    """Facts stated by one article.

    Examples
    --------
    >>> from kg.segment import segment
    >>> from kg.extract import extract_mentions
    >>> from kg.gazetteer import default
    >>> art = Article(id="t", path="t.txt", text="芬兰卡瓦在苏州工业园区投资2亿美元建设亚太研发制造基地。")
    >>> ss = segment(art)
    >>> [(f.kind, f.parties, f.amount.value) for f in relate(art, ss, extract_mentions(ss, default()), default())]
    [('investment', ('company/x-%E5%8D%A1%E7%93%A6', 'park/suzhou-industrial-park'), '200000000')]
    """
    by_s: dict[int, list[Mention]] = {}
    for m in mentions:
        by_s.setdefault(m.sentence, []).append(m)
    sightings = park_sightings(mentions, sentences, g)
    ventures = _joint_venture_partners(sentences, by_s, g)
    if ventures:  # 神龙公司 (Dongfeng and PSA) builds a plant: PSA's money, through the joint venture
        by_s = {i: [replace(m, country=ventures[m.key][1], data=tuple(sorted(
                        [kv for kv in m.data if kv[0] not in ("parent", "role")]
                        + [("parent", ventures[m.key][0]), ("role", "joint_venture")])))
                    if m.kind == _COMPANY and m.key in ventures and not m.get("role") else m for m in ms]
                for i, ms in by_s.items()}
    items = _independent_items(sentences, sightings, g)
    sightings = _heading_parks(sentences, by_s, sightings)
    facts: list[Fact] = []
    guessed: list[tuple[Fact, int, int]] = []  # investments whose park is not named in their sentence
    stated: list[tuple[Fact, int, int]] = []  # and those whose park is
    topic: Mention | None = None
    last_block = 0
    last_inv: tuple[Fact, int, int] | None = None
    for s in sentences:
        ms = by_s.get(s.index, [])
        if not ms:
            continue
        ev = _evidence(article, s)
        if any(m.get("owner") for m in ms):
            ms = _without_owners(ms)  # 淡马锡公司旗下的星桥控股公司与…签约: the owner is no party, its company is
        masked = _masked(s.norm, ms)
        spans = _clauses(s.norm)
        date = _sentence_date(ms) or s.date_hint
        outbound = _outbound(s, ms, masked, sightings, g, ev, date)
        # an item of a report on parks in several cities has only its own parks as context
        seen = [x for x in sightings if x.block == s.block] if s.block in items else sightings
        found = _investments(article, s, ms, masked, spans, seen, g, ev, date)
        named = {m.key for m in ms if m.kind == _PARK}
        for f in found:
            stands = f.parties[1] in named or f.activity == "acquisition"  # a firm bought stands where it is
            (stated if stands else guessed).append((f, s.index, s.block))
        if not found and not outbound and last_inv is not None:
            found = _continued_investment(s, ms, masked, last_inv, ev, date, g)
        if found:
            last_inv = (found[-1], s.index, s.block)
        elif last_inv is not None and any(m.kind == _COMPANY and m.key != last_inv[0].parties[0]
                                          and m.get("parent") != last_inv[0].parties[0] for m in ms):
            last_inv = None  # another company takes the stage
        facts += found
        facts += outbound
        facts += _cooperations(s, ms, masked, sightings, g, ev, date, topic)
        companies = [m for m in ms if m.kind == _COMPANY and m.source is not Source.COREFERENCE]
        if companies:
            topic = companies[0]
        elif s.block != last_block:
            topic = topic if s.block - last_block <= 1 else None
        last_block = s.block
        facts += _shareholders(s, ms, ev, date, g)
        facts += _co_developers(s, ms, masked, ev, date) + _signing_officials(ms, masked, ev, date)
        facts += _hierarchy(s, ms, sightings, g, ev)
        facts += _statistics(s, ms, sightings, ev, date)
    facts += _park_name_cooperations(article, sentences, mentions, g)
    return _dedupe(_drop_foreign_to_foreign(_drop_guessed_hosts(facts, guessed, stated), mentions, g))


_HOLDS = re.compile(r"[^，,。；;□]{0,12}?(?:合计|共同|分别)?(?:持股|持有|占股|出资占比?|股比为?)[^，,。；;□]{0,6}?[0-9.]+\s*[%％]")


def _shareholders(s: Sentence, ms: list[Mention], ev: Evidence, date: str, g: Gazetteer) -> list[Fact]:
    """Firms that each hold a share of one company (东风汽车集团持股50%，本田…合计持股50%) are joint-venture
    partners, when a foreign and a Chinese firm, or two foreign firms, are among them."""
    text = s.norm
    if "%" not in text and "％" not in text:
        return []
    holders: list[Mention] = []
    for m in ms:
        held = _HOLDS.match(text, m.end) if m.kind == _COMPANY else None
        if held and all(h.key != m.key for h in holders) and not any(
                o.kind == _COMPANY and m.end <= o.start < held.end() for o in ms):
            holders.append(m)
    if len(holders) < 2 or not any(_foreign(h, g) for h in holders):
        return []
    return [Fact(kind="cooperation", parties=(a.key, b.key), evidence=ev, detail="joint_venture", date=date)
            for i, a in enumerate(holders) for b in holders[i + 1:]]


_CO_DEVELOP = re.compile(r"由([^，,。；;]{2,48}?)(?:联手|携手|共同|合作|联合)(?:开发|建设|运营|打造|开发建设|投资建设|规划建设)")
def _co_developers(s: Sentence, ms: list[Mention], masked: str, ev: Evidence, date: str) -> list[Fact]:
    """Partners that develop something together (泰中罗勇工业园由华立集团与泰国安美德集团联手开发)."""
    out: list[Fact] = []
    for hit in _CO_DEVELOP.finditer(masked):
        a, b = hit.span(1)
        orgs = [m for m in ms if m.kind in _ORG and a <= m.start < b]
        if len(orgs) >= 2 and re.search(r"[与和、及同]", masked[orgs[0].end:orgs[-1].start]):
            out += [Fact(kind="cooperation", parties=(x.key, y.key), evidence=ev, detail="partnership", date=date)
                    for i, x in enumerate(orgs) for y in orgs[i + 1:] if x.key != y.key]
    for hit in _BUILDS_WITH.finditer(masked):  # 双日株式会社计划投资十五亿元，与襄阳高新区共同建设…产业园
        partner = next((m for m in ms if m.kind in (*_ORG, _PARK) and m.start == hit.start(1)), None)
        if partner is None:
            continue
        subject = [m for m in ms if m.kind in _ORG and m.end <= hit.start() and m.key != partner.key]
        if subject:
            out.append(Fact(kind="cooperation", parties=(subject[-1].key, partner.key), evidence=ev,
                            detail="partnership", date=date))
    return out


_BUILDS_WITH = re.compile(r"(?<![由□])与(□+)(?:共同|联合|携手)(?:开发|建设|运营|打造|开发建设|投资建设|规划建设)")


_OFFICIAL = r"[^，,。；;□]{0,12}?(?:书记|主任|总裁|首席[^，,。；;□]{0,4}官|总经理|董事长|局长|区长|市长|省长|部长|主席|代表)[^，,。；;□]{0,16}?"
_OFFICIALS_SIGN = re.compile(r"(□+)" + _OFFICIAL + r"(?:与|和|同)(□+)" + _OFFICIAL
                             + r"(?:在[^，,。；;]{0,10}?上|共同|分别)?(?:签字|签约|签署)")


def _signing_officials(ms: list[Mention], masked: str, ev: Evidence, date: str) -> list[Fact]:
    """Two people who sign for their organisations (舍弗勒大中华区首席运营官…与湘潭经开区党工委书记…在协议上签字):
    the organisations sign with each other."""
    out: list[Fact] = []
    for hit in _OFFICIALS_SIGN.finditer(masked):
        x = next((m for m in ms if m.start == hit.start(1) and m.kind in _ORG | {_PARK}), None)
        y = next((m for m in ms if m.start == hit.start(2) and m.kind in _ORG | {_PARK}), None)
        if x is not None and y is not None and x.key != y.key:
            out.append(Fact(kind="cooperation", parties=(x.key, y.key), evidence=ev, detail="agreement", date=date))
    return out


def _without_owners(ms: list[Mention]) -> list[Mention]:
    """``ms`` for finding parties: a group named only as an owner (新加坡淡马锡公司旗下的星桥控股公司), with the
    country written on it, becomes part of the company it owns, which now starts where the group's name did."""
    out = list(ms)
    for o in [m for m in ms if m.get("owner")]:
        owned = next((m for m in out if m.kind == _COMPANY and m.get("role") == "owned" and m.get("parent") == o.key
                      and m.start >= o.end), None)
        if owned is None:
            continue
        country = next((m for m in out if m.kind == _COUNTRY and m.end == o.start), None)
        start = country.start if country is not None else o.start
        out = [replace(m, start=start) if m is owned else m for m in out if m is not o and m is not country]
    return out


_ITEM_MARK = re.compile(r"\s*" + ITEM_MARKS)


def _heading_parks(sentences: Sequence[Sentence], by_s: dict[int, list[Mention]], sightings: Sequence) -> list:
    """A park that is a numbered item's whole heading (1. 台商精密机械产业园。) is the place of the item's text,
    whatever its kind: the sightings, with such a park counted as top-level."""
    heads = set()
    for s in sentences:
        parks = [m for m in by_s.get(s.index, []) if m.kind == _PARK]
        if len(parks) == 1 and item_heading(s.norm, parks[0].start, parks[0].end):
            heads.add((s.index, parks[0].start))
    return [replace(x, top_level=True) if (x.sentence, x.pos) in heads else x for x in sightings]


def _independent_items(sentences: Sequence[Sentence], sightings: Sequence, g: Gazetteer) -> set[int]:
    """Blocks that open with an item mark (（三）, 二、, ①) in an article naming top-level parks in two cities or
    more (a province's report on its projects): each item is about its own place, not the park of the item before.
    """
    cities = set()
    for x in sightings:
        ent = g.entities.get(x.key) if x.top_level else None
        city = normalise_name(ent.city) if ent is not None and ent.city else (
            _city_affixes(g).prefix(x.name) if x.top_level else "")
        if city:
            cities.add(city)
    if len(cities) < 2:
        return set()
    first: dict[int, Sentence] = {}
    for s in sentences:
        first.setdefault(s.block, s)
    return {b for b, s in first.items() if _ITEM_MARK.match(s.norm)}


def _drop_foreign_to_foreign(facts: list[Fact], mentions: Sequence[Mention], g: Gazetteer) -> list[Fact]:
    """A foreign firm's plant in a park abroad (奔驰、宝马… near CATL's plant in Debrecen) is outside the graph's
    subject, Sino-foreign cooperation: only Chinese money may go to a park abroad."""
    country = {m.key: m.country for m in mentions if m.kind in (_PARK, _COMPANY) and m.country}

    def home(key: str) -> str:
        ent = g.entities.get(key)
        return (ent.country if ent is not None else "") or country.get(key, "")

    def abroad(key: str) -> bool:
        ent = g.entities.get(key)
        is_park = key.startswith("park/") and (ent is None or ent.type is EntityType.PARK)
        return is_park and home(key) not in ("", "CN")

    return [f for f in facts if not (f.kind == "investment" and abroad(f.parties[1]) and home(f.parties[0]) != "CN")]


def _drop_guessed_hosts(facts: list[Fact], guessed: list[tuple[Fact, int, int]],
                        stated: list[tuple[Fact, int, int]]) -> list[Fact]:
    """An investment with no amount whose park came from the context gives way to the same investor's
    investment in a park its own sentence names, two sentences away at most (日本松下的项目也落户大连。
    …松下…选址大连保税区汽车产业园区: the project is in that park, not in the park the article is about).
    """
    drop = set()
    for f, index, block in guessed:
        if f.amount is None and any(
                o.parties[0] == f.parties[0] and o.parties[1] != f.parties[1] and abs(i - index) <= 2 and abs(b - block) <= 1
                for o, i, b in stated):
            drop.add(id(f))
    return [f for f in facts if id(f) not in drop] if drop else facts


def _park_name_cooperations(article: Article, sentences: Sequence[Sentence], mentions: Sequence[Mention],
                            g: Gazetteer) -> list[Fact]:
    """A park named 中X… (中德生态园, 中新天津生态城, 中白工业园) is a cooperation with country X."""
    out: list[Fact] = []
    seen: set[str] = set()
    by_index = {s.index: s for s in sentences}
    named: set[str] | None = None  # the countries the article names, made when first needed
    for m in mentions:
        if m.kind != _PARK or m.source is Source.COREFERENCE or m.key in seen:
            continue
        ent = g.entities.get(m.key)
        name = m.get("name") or m.surface
        hit = re.match(r"中([^\s(（]{1,3}?)(?=[(（]|[" + L.CJK + r"]{2})", name)
        if not hit and ent is not None:
            hit = re.match(r"中([^\s(（]{1,3}?)(?=[(（]|[" + L.CJK + r"]{2})", ent.label_zh)
        if not hit:
            continue
        if named is None:
            named = {o.country for o in mentions if o.kind == _COUNTRY and o.country}
        codes = [g.country_short.get(c, "") or _named_country(c, named, g) for c in hit.group(1)]
        if not codes or not all(codes):
            continue
        seen.add(m.key)
        s = by_index[m.sentence]
        kind = "intergovernmental" if (ent and ent.kind == "cooperation") or m.get("park_kind") == "cooperation" else "bilateral"
        for code in codes:
            if code != "CN":
                out.append(Fact(kind="cooperation", parties=(m.key, f"country/{code}"), evidence=_evidence(article, s),
                                detail=kind))
    return out


def _named_country(short: str, named: set[str], g: Gazetteer) -> str:
    """An ambiguous one-character short (瑞: 瑞士 or 瑞典) read through the countries the article names."""
    by_first: dict[str, set[str]] = g.cached("countries_by_first_char", lambda: _countries_by_first_char(g))
    hits = by_first.get(short, set()) & named
    return hits.pop() if len(hits) == 1 else ""


def _countries_by_first_char(g: Gazetteer) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for name, code in g.country_names.items():
        if len(name) >= 2:
            out.setdefault(name[0], set()).add(code)
    return out


def _sentence_date(ms: Sequence[Mention]) -> str:
    for m in ms:
        if m.kind == "date":
            return m.get("value")
    return ""


def _names_place_of(masked: str, park: Entity) -> bool:
    """Whether the sentence sends its subject to the park's own town (在平湖, 落户嘉兴 for 平湖经济技术开发区)."""
    places = {p for p in (park.city, park.label_zh[:2], park.label_zh[:3]) if p and len(p) >= 2}
    return any(re.search(r"(?:在|落户|来到|扎根|到|于)" + re.escape(p), masked) for p in places)


def _city_rx(g: Gazetteer) -> str:
    """A city of the gazetteer, not the first word of a park's name (武汉, not 武汉经开区), as group 1."""
    return (r"(" + "|".join(re.escape(c) for c in sorted((c for c in g.cities if len(c) >= 2), key=len, reverse=True))
            + r")(?:市)?(?![" + L.CJK + r"]{0,2}(?:区|园|城|港))")


def _city_destination(masked: str, g: Gazetteer) -> str:
    """The city the sentence sends its subject to by name (落户武汉, 来到武汉, 在烟台投资), or ''."""
    rx = g.cached("city_destination", lambda: re.compile(r"(?:落户|来到|扎根|进驻|入驻|落地|布局|到|在|于)" + _city_rx(g)))
    hit = rx.search(masked)
    if not hit:  # □济南研发中心举行奠基仪式: the firm's centre is named after the city it stands in
        hit = g.cached("city_facility", lambda: re.compile(r"(?<=□)" + _city_rx(g) + r"(?=研发中心|工厂|生产基地|基地|新厂)")).search(masked)
    if not hit:
        return ""
    inner = g.cached("city_after_province", lambda: re.compile(r"(?:省)?" + _city_rx(g)))
    deeper = inner.match(masked, hit.end(1))  # 在湖北孝感建成工厂: a province, then the city in it
    return deeper.group(1) if deeper else hit.group(1)


_TOWN = re.compile(rf"(?:在|于|落户|位于|落地|选址)[{L.CJK}]{{2,4}}?[镇乡](?![长区])")


def _host(s: Sentence, ms: Sequence[Mention], m: Mention, clause: tuple[int, int], masked: str,
          sightings: Sequence, g: Gazetteer) -> str:
    a, b = clause
    parks = [p for p in ms if p.kind == _PARK and not _sibling(masked, p, m) and not p.get("site_of")]
    # 落户浦东张江: a park written right before another only says where that one lies
    parks = [p for p in parks if not any(q.start == p.end and q.key != p.key for q in parks)]
    in_clause = [p for p in parks if a <= p.start < b]
    if re.search(r"(?:在|对)(?:中国|华|国内)(?![^，,。；;]{0,4}(?:最大|首个|首家|第一|单笔))[^，,。；;]{0,6}(?:投资|增资)",
                 s.norm) and not parks:
        host = context_park(sightings, s.index, s.block, m.start)
        ent = g.entities.get(host) if host else None
        if ent is None or not _names_place_of(masked, ent):
            return "country/CN"
        return host  # 日本电产在平湖追加投资…是其在中国单次投资最大的项目: the park of 平湖, not China at large
    if in_clause:
        return min(in_clause, key=lambda p: abs(p.start - m.start)).key
    if parks:
        return min(parks, key=lambda p: abs(p.start - m.start)).key
    if _TOWN.search(masked, a, b):
        return "country/CN"  # 维他奶…生产中心在常平镇签约: a plant placed in a town, not in the park the article is about
    siblings = {p.key for p in ms if p.kind == _PARK and _sibling(masked, p, m)}
    host = context_park(sightings, s.index, s.block, m.start)
    city = _city_destination(masked, g) if not parks else ""
    if city and host:
        ent = g.entities.get(host)
        if ent is not None and ent.city and normalise_name(ent.city) not in (city, city + "市") and ent.province != city:
            return "country/CN"  # 在烟台投资兴业 in an article about a park in Changzhou: not that park
    if host in siblings:
        return ""
    if not host and sightings:
        # Only specialised zones (an FTZ area, a bonded zone) are named: take the article's most named one.
        counts: dict[str, int] = {}
        for sight in sightings:
            counts[sight.key] = counts.get(sight.key, 0) + 1
        host = max(sorted(counts), key=lambda k: counts[k])
    if not host and not any(o.kind == _PARK for o in ms):
        # No park named in the whole article: the investment goes to China as a whole, unless it goes abroad.
        abroad = any(o.kind == _COUNTRY and o.country not in ("", "CN") and masked[max(0, o.start - 1):o.start] in ("在", "于", "赴")
                     for o in ms)
        return "" if abroad else "country/CN"
    return host


_AGGREGATE = re.compile(r"等\s*\d+\s*个(?:重点|签约|外资|合作)?项目|共\s*\d+\s*个项目|\d+\s*个项目(?:集中)?签约|"
                        r"[0-9两二三四五六七八九十]+个(?:签约)?项目[^，,。；;]{0,8}(?:总额|合计|总计|共计)|"
                        r"[0-9一二三四五六七八九十两]+(?:个|家)(?:项目|企业)[^，,。；;]{0,6}(?:合计|总计|共计)|"
                        r"等\s*[0-9一二三四五六七八九十百两]+(?:余|多)?(?:家|个)[^。；;]{0,40}(?:合计|总计|共计)|"
                        r"(?:签约|引进|落户|集聚|签下)\s*[0-9一二三四五六七八九十百两]+\s*个[^，,。；;]{0,20}项目")


def _continued_investment(s: Sentence, ms: list[Mention], masked: str, last: tuple[Fact, int, int], ev: Evidence,
                          date: str, g: Gazetteer) -> list[Fact]:
    """A sentence that goes on about the last investment (本阶段计划投资80亿美元…) adds its amounts to it."""
    fact, index, block = last
    if s.index - index > 3 or s.block - block > 1 or _AGGREGATE.search(masked):
        return []
    if re.search(r"[0-9一二三四五六七八九十百千万两]+(?:余|多)?家", masked) or (re.search(r"累计|总额|合计|共计|总计", masked) and any(
            m.kind == _COUNTRY and re.match(r"(?:资|籍|商)?(?:企业|公司|厂商|外企)", s.norm[m.end:m.end + 4]) for m in ms)):
        # 日本在大连设立的企业已超过五千家…; 法国企业在无锡累计投资总额达6.74亿美元: many firms' money, not the last one's
        # (…是美国企业在华独资建设的第一个重大石化项目 describes the one firm)
        return []
    if re.search(r"国产|民营|本土|内资|也投资|亦投资|也将投资|也计划投资", s.norm):
        return []  # 国产品牌联想图像投资10亿元…: another, unnamed investor's money
    if any(m.kind == _COMPANY and m.key != fact.parties[0] for m in ms):
        return []
    investor = g.entities.get(fact.parties[0])
    home = investor.country if investor is not None else ""
    if re.search(r"中方|走出去|对外投资|境外|海外投资", s.norm) or any(
            m.kind == _COUNTRY and m.country not in ("CN", home) for m in ms):
        return []  # Chinese money going abroad, not the foreign investor's (the investor's own country may be named)
    amounts = [x for x in ms if x.kind == "amount" and x.get("context") == "investment"]
    if not amounts:
        return []
    parks = [m for m in ms if m.kind == _PARK]
    host = parks[0].key if parks else fact.parties[1]
    out = []
    for x in amounts:
        out.append(Fact(kind="investment", parties=(fact.parties[0], host), evidence=ev, sectors=fact.sectors,
                        amount=Amount(x.get("value"), x.get("currency"), x.get("qualifier") or "exact"),
                        date=date, status=_status(masked) or fact.status, activity=fact.activity))
    return out


def _sibling(text: str, p: Mention, m: Mention) -> bool:
    """A park listed in the same 、-series as the company is a fellow item, not its host."""
    lo, hi = (p.end, m.start) if p.start < m.start else (m.end, p.start)
    between = text[lo:hi]
    if "、" not in between:
        return False
    if re.fullmatch(r"[□、等]*(?:[^□、，,；;。]{0,8}[、])?[□、等]*", between):
        return True
    # 美国TRW、香港招商局软件与创意产业园以及中欧生态科技园…等一批项目: items of one list that 等…项目 closes
    return (p.start > m.start and between.startswith("、") and re.search(r"[，,；;。]", between) is None
            and len(between) <= 30 and re.match(r"[^，,。；;]{0,12}等[^，,。；;]{0,6}(?:项目|企业|公司)", text[p.end:]) is not None)


def _investments(article: Article, s: Sentence, ms: list[Mention], masked: str, spans: list[tuple[int, int]],
                 sightings: Sequence, g: Gazetteer, ev: Evidence, date: str) -> list[Fact]:
    companies = [m for m in ms if m.kind == _COMPANY and _foreign(m, g)]
    if not companies:
        return []
    text = s.norm
    investors: list[tuple[Mention, str, tuple[int, int]]] = []
    for m in companies:
        clause = _clause_of(spans, m.start)
        why = _is_investor(m, text, masked, ms, clause, g)
        if why:
            investors.append((m, why, clause))
    co, co_end = _co_investors(masked, companies)
    for m in co:
        if not any(inv[0] is m for inv in investors):
            investors.append((m, "co_investor", _clause_of(spans, m.start)))
    if not investors:
        return []
    amounts = [x for x in ms if x.kind == "amount" and x.get("context") != "statistic"]
    if _AGGREGATE.search(masked):
        # 10个项目集中签约，协议总投资额达10.7亿欧元: a total over several projects, nobody's own amount.
        amounts = [x for x in amounts if any(inv[2][0] <= x.start < inv[2][1] for inv in investors)
                   and len(investors) == 1]
    all_companies = [m for m in ms if m.kind == _COMPANY]
    owner: dict[int, list[Mention]] = {}
    for amt in amounts:
        prior = [c for c in all_companies if c.start < amt.start]
        chosen = None
        if prior:
            last = max(prior, key=lambda c: c.start)
            inv = next((x for x in investors if x[0] is last), None)
            if inv is None and len({x[0].key for x in investors}) == 1 and investors[0][0].end <= last.start and re.fullmatch(
                    r"\s*(?:此次|本次|曾|曾经|已|还|又|也|将)?(?:与|和|同)\s*", masked[investors[0][0].end:last.start]) and re.match(
                    r"[^，,。；;]{0,4}(?:共同|联合|合资)?(?:投资|出资)|(?:合作|携手|联手)[，,]\s*(?:将|拟|计划|共同)?(?:投资|出资)",
                    masked[last.end:amt.start]):
                inv = investors[0]  # 采埃孚与北汽福田将共同投资8亿元, A此次与B合作，投资…: the one foreign investor's project
            if inv is not None:
                same_clause = inv[2][0] <= amt.start < inv[2][1]
                clause_has_subject = any(
                    o.kind in (_PARK, _COMPANY, _INSTITUTION)
                    and _clause_of(spans, o.start) == _clause_of(spans, amt.start) and o.start < amt.start
                    and o is not last for o in ms)
                if same_clause or (inv[1] in ("subject", "facility", "signed") and not clause_has_subject):
                    chosen = inv
        else:
            same = [inv for inv in investors if inv[2][0] <= amt.start < inv[2][1]]
            head = _clause_of(spans, amt.start)
            if same:
                chosen = same[0]
            elif re.fullmatch(r"[^□]{0,4}", masked[head[0]:amt.start]) and re.fullmatch(
                    r"\s*", masked[amt.end:head[1]]):
                chosen = investors[0]  # a headline figure: "10亿欧元：赛诺菲…"
            elif amt.get("qualifier") != "cumulative" and len({i[0].key for i in investors}) == 1 and all(
                    c.key == investors[0][0].key or c.start > amt.end and c.country not in ("", "CN")
                    for c in all_companies) and re.search(
                    r"(?:总投资|投资额|计划投资|初期投资|一期投资)[^，,。；;]{0,4}$", masked[head[0]:amt.start]):
                chosen = investors[0]  # 初期总投资约5亿美元，是LG化学…的生产基地: the one company the sentence names
        if co and amt.start > co_end and not any(c.start > co_end and c.start < amt.start for c in all_companies):
            for m in co:  # 由A、B和C共同投资组建，项目总投资二十亿元: the venture's figure, for each partner
                owner.setdefault(id(m), []).append(amt)
        elif chosen is not None:
            owner.setdefault(id(chosen[0]), []).append(amt)
    facts = []
    for m, why, clause in investors:
        in_list = "、" in text[clause[0]:clause[1]]
        host = _host(s, ms, m, clause, masked, sightings, g)
        if why == "acquirer" and not any(p.kind == _PARK for p in ms):
            host = "country/CN"  # a Chinese firm bought stands in no park the article names
        if not host:
            continue
        sectors = _sectors(m, s, ms, clause, g, in_list)
        own_amounts = owner.get(id(m), [])
        status = _status(masked[clause[0]:clause[1]]) or _status(masked)
        act = "acquisition" if why == "acquirer" else _activity(masked, text, m, clause)
        base = {"parties": (_investor_key(m), host), "evidence": ev, "sectors": sectors, "date": date,
                "status": status, "activity": act}
        extra = [("sector_terms", _sector_terms(m, s, ms, clause, in_list))]
        if m.get("role") in ("subsidiary", "joint_venture"):
            extra.append(("via", m.key))
        base["extra"] = tuple((k, v) for k, v in extra if v)
        if not own_amounts:
            facts.append(Fact(kind="investment", **base))  # type: ignore[arg-type]
        for amt in own_amounts:
            facts.append(Fact(kind="investment", amount=Amount(amt.get("value"), amt.get("currency"),
                                                               amt.get("qualifier") or "exact"), **base))  # type: ignore[arg-type]
    return facts


_CO_INVESTED = re.compile(r"由((?:□|[(（][^)）]{0,16}[)）]|[、与和及]|旗下的?|[，,](?=[与和]))+)"
                          r"(?:等[^，,。；;]{0,6}?(?:企业|公司|集团|厂商|财团))?(?:双方|三方|多方)?(?:共同|联合)?(?:投资|出资|合资)")


def _co_investors(masked: str, foreign: Sequence[Mention]) -> tuple[list[Mention], int]:
    """The foreign firms of a venture's partners (由福汽集团、德国戴姆勒股份公司和台湾中华汽车…共同投资组建,
    由泰国正大集团与新加坡新吉丰公司共同投资的…项目), and where their verb ends."""
    for hit in _CO_INVESTED.finditer(masked):
        a, b = hit.span(1)
        inside = [m for m in foreign if a <= m.start < b and not m.get("owner")]  # 帝人集团旗下的…: the group acts through it
        if inside:
            return inside, hit.end()
    return [], -1


def _outbound(s: Sentence, ms: list[Mention], masked: str, sightings: Sequence, g: Gazetteer, ev: Evidence,
              date: str) -> list[Fact]:
    facts = []
    text = s.norm
    targets = [m for m in ms if (m.kind == _COUNTRY and m.country not in ("CN", "")) or (
        m.kind == _PARK and m.country not in ("CN", ""))]
    if not targets:
        return []
    chinese = [m for m in ms if m.kind in (_PARK, _COMPANY)
               and (m.country == "CN" or (m.kind == _PARK and m.country in ("", "CN")))]
    for t in targets:
        pre = masked[max(0, t.start - 3):t.start]
        post = masked[t.end:t.end + 20]
        invest = pre.endswith(("对", "向", "赴", "在", "到")) and re.match(r"[^，,。；;]{0,8}(投资|设立|建设|建厂|并购|收购)", post)
        # 宁德时代匈牙利工厂: a Chinese firm's plant named after the foreign country it stands in
        invest = invest or (any(c.kind == _COMPANY and c.end == t.start for c in chinese) and t.kind == _COUNTRY
                            and re.match(r"(?:新|超级)?(?:电池)?(?:工厂|生产基地|基地|项目|厂)", post))
        centre = re.match(r"[□、]*(?:等)?(?:异地|海外|离岸|境外)?(?:创新中心|研发中心|孵化器|办事处|联络处|分中心)", post)
        if centre:
            lead = masked[:t.start]
            if not re.search(r"(成立|设立|建设|布局|建成)[□、]*$", lead):
                centre = None
        if not (invest or centre):
            continue
        subject = [c for c in chinese if c.start < t.start]
        src = subject[-1].key if subject else context_park(sightings, s.index, s.block, t.start)
        if not src:
            continue
        amts = [x for x in ms if x.kind == "amount" and x.start > t.start and x.get("context") != "statistic"]
        amount = None
        if amts and invest:
            x = amts[0]
            amount = Amount(x.get("value"), x.get("currency"), x.get("qualifier") or "exact")
        to = t.key
        projects = re.search(r"投资项目(\d+)个", text[t.end:])
        facts.append(Fact(kind="outbound", parties=(src, to), evidence=ev, amount=amount, date=date,
                          activity="overseas innovation centre" if centre else "investment",
                          detail=f"projects={projects.group(1)}" if projects else ""))
    return facts


def _parties_before(ms: Sequence[Mention], pos: int, kinds: set[str] = _PARTY) -> list[Mention]:
    return [m for m in ms if m.kind in kinds and m.end <= pos]


def _cooperations(s: Sentence, ms: list[Mention], masked: str, sightings: Sequence, g: Gazetteer, ev: Evidence,
                  date: str, topic: Mention | None = None) -> list[Fact]:
    facts: list[Fact] = []
    text = s.norm
    # 美国波音公司: a country written right before an organisation's name is where it is from, not a party
    ents = [m for m in ms if m.kind in _PARTY and not (m.kind == _COUNTRY and any(
        o.start == m.end and o.kind in _ORG for o in ms))]

    def add(a: Mention | str, b: Mention | str, kind: str, agreement: str = "") -> None:
        ka = a if isinstance(a, str) else a.key
        kb = b if isinstance(b, str) else b.key
        if ka and kb and ka != kb:
            facts.append(Fact(kind="cooperation", parties=(ka, kb), evidence=ev, detail=kind, date=date,
                              agreement=agreement))

    # 1. A 与 B(、C) … 签署 … 协议/备忘录
    for agr in (m for m in ms if m.kind == _AGREEMENT and m.get("agr_kind") == "agreement"):
        verb = max((masked.rfind(v, 0, agr.start) for v in L.SIGN_VERBS), default=-1)
        if verb < 0:
            continue
        parties = _signatories(ents, masked, verb)
        pairs = [(p, q) for i, p in enumerate(parties) for q in parties[i + 1:]]
        if not parties:  # 与B、C签署 with the subject left out: the topic signs with each of them, not they together
            subject, others = _signed_with(ents, masked, verb, topic)
            parties = ([subject] if subject else []) + others
            pairs = [(subject, q) for q in others] if subject else []
        for p, q in pairs:
            add(p, q, "agreement", agr.key)
        for p in parties:
            add(p, agr.key, "party")
    # 1b. A 与 B 签约 (…项目) with no agreement named: still a signing between them
    agreements = [m for m in ms if m.kind == _AGREEMENT]
    for sv in re.finditer("|".join(L.SIGN_VERBS), masked):
        if any(sv.end() <= a.start <= sv.end() + 16 for a in agreements):
            continue  # done above, with the agreement
        parties = _signatories(ents, masked, sv.start())
        for i, p in enumerate(parties):
            for q in parties[i + 1:]:
                add(p, q, "agreement")
    # 2. A 与 B 联合发起 <platform>; 3. X 作为 <platform> 合作伙伴
    platforms = [m for m in ms if m.kind == _AGREEMENT and m.get("agr_kind") != "agreement"]
    for vm in _PLATFORM_VERB.finditer(masked):
        if not platforms:
            break
        before_v = [pf for pf in platforms if pf.end <= vm.start()]
        pf = before_v[-1] if before_v else platforms[0]
        pair = _pair_around_conj(ents, masked, 0, vm.start())
        if pair:
            add(pair[0], pair[1], "platform", pf.key)
            for p in pair:
                add(p, pf.key, "party")
        break
    for pf in platforms:
        if "合作伙伴" in masked or "成员" in masked:
            cut = masked.find("作为")
            subj = [e for e in ents if cut >= 0 and e.end <= cut]
            if subj:
                add(subj[-1], pf.key, "partner")
    # 4. A (率团)来访/访问/考察 B; A 组织 … 赴 B 参访
    for v in L.VISIT_VERBS:
        pos = masked.find(v)
        if pos < 0:
            continue
        before = [e for e in ents if e.end <= pos and e.kind in _ORG | {_PARK}]
        after = [e for e in ents if e.start >= pos + len(v) and e.kind in {_PARK} | _ORG]
        go = masked.rfind("赴", 0, pos)
        if go >= 0:
            after = [e for e in ents if e.start > go and e.end <= pos + len(v) + 20] or after
            before = [e for e in before if e.end <= go]
        if before and after:
            add(before[-1], after[0], "visit")
        break
    # 5. A … 与 B、C 等 (开展)… 合作
    for m in re.finditer(r"(?:与|和|同)(?:□*(?:投资主体|方面|一方))?([□、等]+)[^，,。；;]{0,20}?"
                         r"(?:合作|交流|对接|共同开发|共同建设|联合开发|共同投资|共建)",
                         masked):
        a0, b0 = m.span(1)
        partners = [e for e in ents if a0 <= e.start < b0 and e.kind in _ORG]
        leads = [e for e in ents if e.end <= m.start() and e.kind in _ORG]
        lead: Mention | str | None = leads[-1] if leads else topic
        if partners and lead:
            firsts: list[Mention | str] = [lead]
            if len(leads) >= 2 and re.fullmatch(r"[^，,。；;□]{0,2}联合", masked[leads[-2].end:leads[-1].start]):
                firsts.insert(0, leads[-2])  # 红豆集团联合华泰，与柬方共同开发: both with the partner
            for first in firsts:
                for p in partners:
                    add(first, p, "partnership")
    # 5b. joint ventures: 合资 with two or more companies in the sentence
    jv = re.search(r"合资|合营|共同投资|共同出资|联合投资", masked)
    group = _joint_partners(ents, masked, jv.start()) if jv else []
    if len(group) >= 2:  # A、B与C三方合资组建…: every two of them
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                add(a, b, "joint_venture")
    elif jv:
        comps = [e for e in ents if e.kind == _COMPANY]
        if len(comps) == 1 and topic and re.search(r"与[□]+[^，,。；;]{0,8}(?:成立|组建|设立)[^，,。；;]{0,10}合资", masked):
            add(topic, comps[0], "joint_venture")
        for i, a in enumerate(comps):
            for b in comps[i + 1:]:
                if a.key != b.key:
                    add(a, b, "joint_venture")
                    break
    # 5c. meetings: 与X(…)会谈/会见 while a delegation is out
    for mm in re.finditer(r"与([□、]+)[^，,。；;]{0,40}?(?:会谈|会见|座谈|洽谈)", masked):
        a0, b0 = mm.span(1)
        others = [e for e in ents if a0 <= e.start < b0 and e.kind in _ORG]
        home = next((e.key for e in ents if e.kind == _PARK), "") or context_park(
            sightings, s.index, s.block, mm.start())
        for o in others:
            if home:
                add(home, o, "visit")
    # 6. 中X(两国)(政府间)合作 / 对X合作: the park and country X
    shorts = [m for m in ms if m.kind == "country_short" and m.country != "CN"
              and re.match(r"[" + "".join(g.country_short) + r"]*(?:两国|合作|政府|双方|关系|友好|共建|经贸)", text[m.end:])]
    if shorts and re.search(r"合作|政府|两国|双方|友好", text):
        kind = "intergovernmental" if "政府间" in text or "两国政府" in text else "bilateral"
        park = next((e.key for e in ents if e.kind == _PARK), "") or context_park(
            sightings, s.index, s.block, shorts[0].start)
        for sh in shorts:
            if park:
                add(park, sh.key, kind)
    full = [e for e in ents if e.kind == _COUNTRY and e.country != "CN"]
    if full and re.search(r"与(?:[□]*)的?合作|合作(?:之门|伙伴|关系)", masked):
        park = next((e.key for e in ents if e.kind == _PARK), "")
        for c in full:
            if park:
                add(park, c.key, "bilateral")
    # 7. A 学习/借鉴/对标 B: one park taking another as its model
    if any(w in text for w in L.BENCHMARK_WORDS):
        parks = [e for e in ents if e.kind == _PARK]
        block_parks = [x for x in sightings if x.block == s.block and x.explicit]
        home = block_parks[0].key if block_parks else ""
        if not home and parks:
            home = context_park(sightings, s.index, s.block, 0)
        for p in parks:
            if home and p.key != home:
                add(home, p.key, "benchmark")
    return facts


def _signatories(ents: Sequence[Mention], masked: str, verb: int) -> list[Mention]:
    """Parties of a signing: A 与 B(、C) … 签署 (with 管委会/政府 tails allowed)."""
    cands = [e for e in ents if e.end <= verb]
    if not cands:
        return []
    clause_start = max((m.end() for m in _PUNCT.finditer(masked, 0, cands[-1].start)), default=0)
    cands = [e for e in cands if e.start >= clause_start]
    tail = r"\s*(?:党工委|管委会|管理委员会|政府|方面|代表)?\s*"
    for i in range(len(cands) - 1):
        between = masked[cands[i].end:cands[i + 1].start]
        # 中以常州创新园、华森医疗等与以色列趋势线孵化器签署…: names no list holds may stand between
        # (与□□波音公司: the masked word right before the second name is its home country, 美国波音公司)
        if re.fullmatch(tail + r"(?:、[^，,。；;□、与和]{1,10})*等?(?:宣布|正式|已经|已|将|曾|还|又|也|近日|日前)*(?:与|和|同|及)"
                        + r"\s*(?:□{2,5})?", between):  # (沃尔沃建筑设备宣布与山东临工…签约)
            group = [cands[i], cands[i + 1]]
            for j in range(i + 1, len(cands) - 1):
                if re.fullmatch(tail + r"[、和及]\s*", masked[cands[j].end:cands[j + 1].start]):
                    group.append(cands[j + 1])
                else:
                    break
            return group
    return []


def _joint_partners(ents: Sequence[Mention], masked: str, at: int) -> list[Mention]:
    """The companies and governments joined by 、/与/和 right before 合资 (A、B与C三方合资…)."""
    cands = [e for e in ents if e.end <= at and e.kind in _ORG]
    if not cands:
        return []
    last = cands[-1]
    if not re.fullmatch(r"[^，,。；;□]{0,6}", masked[last.end:at]):
        return []  # something else stands between the partners and 合资
    group = [last]
    joined = False
    for prev in reversed(cands[:-1]):
        between = masked[prev.end:group[0].start]
        link = re.fullmatch(r"\s*(?:党工委|管委会|管理委员会|政府|方面)?\s*(与|和|同|及|、|以及)\s*□*"
                            r"(?:[^，,。；;□]{0,14}的[^，,。；;□]{0,8}(?:企业|公司|集团|厂商|巨头|制造商))?\s*", between)
        # (北汽集团与韩国最大的汽车内饰企业韩一理化株式会社合资设立: a description may stand before the name)
        if not link:
            break
        joined = joined or link.group(1) in ("与", "和", "同")
        group.insert(0, prev)
    return group if joined else []


def _signed_with(ents: Sequence[Mention], masked: str, verb: int,
                 topic: Mention | None) -> tuple[Mention | None, list[Mention]]:
    """与B、C签署… with no signer right before 与: (the subject, [B, C]).

    The subject is the last party named earlier in the sentence, else the article's topic company. It is None
    when there is neither, or when it is one of those signed with
    (…代表团…与壳牌、罗格朗等6家企业签订投资协议: a delegation signs, not 罗格朗).
    """
    m = re.search(r"与([□、]+)[^，,。；;]{0,10}$", masked[:verb])
    if not m:
        return None, []
    others = [e for e in ents if m.start(1) <= e.start < m.end(1)]
    # 舍弗勒又在上海安亭与湖南省政府签署: the subject is earlier in the clause, only not right before 与;
    # 沙特阿美又宣布…：其全资子公司AOC与…签署: or earlier in the sentence, the group whose company signs
    own = [e for e in ents if e.end <= m.start() and e.kind in (_COMPANY, _INSTITUTION, _PARK)]
    if own and not any(o.key == own[-1].key for o in others):
        return own[-1], others
    if topic is None or any(o.key == topic.key for o in others):
        return None, others
    return topic, others


def _pair_around_conj(ents: Sequence[Mention], masked: str, lo: int, hi: int) -> tuple[Mention, Mention] | None:
    """The two parties joined by 与/和 before position ``hi`` (A 与 B …)."""
    cands = [e for e in ents if lo <= e.start and e.end <= hi]
    for i in range(len(cands) - 1, 0, -1):
        b, a = cands[i], cands[i - 1]
        between = masked[a.end:b.start]
        if re.fullmatch(r"\s*(?:党工委|管委会|管理委员会|政府|方面|代表)?\s*(?:与|和|同|及|、)\s*", between):
            return a, b
    return None


def _hierarchy(s: Sentence, ms: list[Mention], sightings: Sequence, g: Gazetteer, ev: Evidence) -> list[Fact]:
    facts = []
    for m in ms:
        if m.kind == _PARK and m.source is Source.PATTERN:
            parent = m.get("parent")
            if not parent and m.get("park_kind") == "subpark":
                explicit = [p for p in ms if p.kind == _PARK and p.key != m.key
                            and p.source is not Source.PATTERN and p.start < m.start]
                if explicit and re.search(r"建有|拥有|下辖|包括|辖区|区内|园内|位于|内的", s.norm[explicit[-1].end:m.start]):
                    parent = explicit[-1].key
                elif not explicit:
                    # A specialised park named inside a passage about one park belongs to that park.
                    parent = context_park(sightings, s.index, s.block, m.start, window=2)
            if parent and parent != m.key:  # (the park may head its own item, and so be the context)
                facts.append(Fact(kind="part_of", parties=(m.key, parent), evidence=ev))
        if m.kind == _COMPANY and m.get("role") in ("subsidiary", "owned") and m.get("parent"):
            facts.append(Fact(kind="subsidiary", parties=(m.key, m.get("parent")), evidence=ev))
            host = context_park(sightings, s.index, s.block, m.start)
            if host:
                facts.append(Fact(kind="located_in", parties=(m.key, host), evidence=ev))
    # "P 建有 A、B、C 等": gazetteer parks listed after a park that has them
    parks = [p for p in ms if p.kind == _PARK]
    for i, p in enumerate(parks):
        if re.match(r"(?:建有|拥有|下辖|包括|内有)", s.norm[p.end:p.end + 2]):
            for q in parks[i + 1:]:
                if q.key != p.key and q.source is Source.GAZETTEER:
                    ent = g.entities.get(q.key)
                    if ent is not None and ent.kind == "subpark":
                        facts.append(Fact(kind="part_of", parties=(q.key, p.key), evidence=ev))
    return facts


def _statistics(s: Sentence, ms: list[Mention], sightings: Sequence, ev: Evidence, date: str) -> list[Fact]:
    facts = []
    for x in ms:
        if x.kind != "amount" or x.get("context") != "statistic":
            continue
        clause_start = max([0] + [i + 1 for i in range(0, x.start) if s.norm[i] in "，,；;"])
        seg = s.norm[clause_start:x.start]
        word = max(((seg.rfind(w) + len(w), len(w), w) for w in L.STATISTIC_WORDS if w in seg),
                   default=(-1, 0, ""))[2]
        park = context_park(sightings, s.index, s.block, x.start)
        if park and word:
            facts.append(Fact(kind="statistic", parties=(park,), evidence=ev, detail=word, date=date,
                              amount=Amount(x.get("value"), x.get("currency"), x.get("qualifier") or "exact")))
    return facts


def _dedupe(facts: list[Fact]) -> list[Fact]:
    """One fact per (kind, parties, amount); an amount-less investment gives way to one with an amount.

    Of two statements of the same fact, the one that says more (sector words, facility) is kept, in the
    place of the first.
    """
    with_amount = {(f.parties) for f in facts if f.kind == "investment" and f.amount is not None}
    kept: dict[tuple, int] = {}
    out: list[Fact] = []

    def detail(f: Fact) -> int:
        return len(f.sectors) + 2 * any(k == "sector_terms" for k, _ in f.extra) + bool(f.activity)

    for f in facts:
        if f.kind == "investment" and f.amount is None and f.parties in with_amount:
            continue
        key = (f.kind, f.parties, f.amount.value if f.amount else "", f.amount.currency if f.amount else "",
               f.detail if f.kind != "investment" else "")
        if key in kept:
            i = kept[key]
            if detail(f) > detail(out[i]):
                out[i] = f
            continue
        kept[key] = len(out)
        out.append(f)
    return out


# --------------------------------------------------------------------------- entities
def collect_entities(article: Article, sentences: Sequence[Sentence], mentions: Sequence[Mention],
                     facts: Sequence[Fact], g: Gazetteer) -> list[Entity]:
    """One ``Entity`` per thing the article names or a fact needs (home countries, parents)."""
    by_index = {s.index: s for s in sentences}
    found: dict[str, Entity] = {}
    surfaces: dict[str, set[str]] = {}
    hant: dict[str, str] = {}
    for m in mentions:
        if m.kind not in ENTITY_KINDS and m.kind != "country_short":
            continue
        if m.source is Source.COREFERENCE:
            continue
        key = m.key
        if m.kind == "country_short":
            if key not in found and key in g.entities:
                found[key] = g.entities[key]
            continue
        s = by_index[m.sentence]
        orig = article.text[s.offsets[m.start]: s.offsets[m.end - 1] + 1] if m.end <= len(s.offsets) else m.surface
        if m.kind == _COUNTRY and m.key in g.entities:
            found.setdefault(key, g.entities[key])
            continue
        if key not in found:
            if m.source is Source.GAZETTEER and key in g.entities:
                found[key] = g.entities[key]
            else:
                found[key] = replace(_pattern_entity(m, g), evidence=_evidence(article, s))
        if m.kind == _COMPANY and m.surface != found[key].label_zh:
            name = m.surface
            if not (m.get("prefixed") or m.get("enumerated")) or name.startswith(found[key].label_zh) or (
                    name == m.get("short")):  # the declared short form (简称奥特斯) is how the article calls it
                surfaces.setdefault(key, set()).add(name)
        if m.kind != _COMPANY and m.surface != found[key].label_zh and not m.key.startswith(
                "agreement/") and m.source is Source.GAZETTEER:
            surfaces.setdefault(key, set()).add(m.surface)
        if orig != m.surface and re.search(r"[\u4e00-\u9fff]", orig) and "\n" not in orig:
            hant.setdefault(key, orig)
    for f in facts:
        for k in f.parties + ((f.agreement,) if f.agreement else ()):
            if k and k not in found and k in g.entities:
                found[k] = g.entities[k]
    # Parents, home countries
    for ent in list(found.values()):
        if ent.parent and ent.parent not in found and ent.parent in g.entities:
            found[ent.parent] = g.entities[ent.parent]
    for ent in list(found.values()):
        ck = f"country/{ent.country}" if ent.country else ""
        if ck and ck not in found and ck in g.entities and ent.type is not EntityType.COUNTRY:
            found[ck] = g.entities[ck]
    out = []
    for key, ent in found.items():
        extra = tuple(sorted(surfaces.get(key, set()) - set(ent.aliases) - {ent.label_zh}))
        h = hant.get(key, "")
        if extra or h:
            ent = Entity(**{**ent.__dict__, "aliases": ent.aliases + extra, "label_hant": ent.label_hant or h})
        out.append(ent)
    return out


def _pattern_entity(m: Mention, g: Gazetteer) -> Entity:
    etype = EntityType(m.kind)
    name = m.get("name") or m.surface
    kind = m.get("park_kind") or m.get("inst_kind") or m.get("agr_kind")
    parent = m.get("parent")
    sector = ""
    if parent and parent in g.entities:
        sector = g.entities[parent].sector
    return Entity(key=m.key, type=etype, label_zh=name, country=m.country, source=Source.PATTERN, kind=kind or "",
                  parent=parent, sector=sector, city=m.get("city"))


__all__ = ["relate", "collect_entities"]
