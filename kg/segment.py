"""Normalise article text for matching and split it into sentences.

The normalised text is Simplified (OpenCC ``t2s``), NFKC-folded, with PDF
hard line breaks joined, doubled headlines collapsed and image placeholders,
navigation lines and trailing sidebars removed. Every normalised character
keeps its offset in the original text, so evidence is always quoted from
what the article really says.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from kg.model import Article, Sentence

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TERMINAL = "。！？!?；;：:…．.】"
_PLACEHOLDER = re.compile(
    r"!\[[^\]\n]{0,200}\]\([^)\n]{0,500}\)|\[(?:图片|圖片|图|圖|视频|視頻|image|img)\]|<img[^>\n]{0,500}>",
    re.IGNORECASE,
)
_SENT_END = re.compile(r"[。！？!?；;]+[”」』\"']?|…{2,}")
_DATE_LINE = re.compile(r"^(20\d{2}|19\d{2})年(\d{1,2})月(\d{1,2})日(?:[-—至~]\d{1,2}日)?$")
_EDITOR_LINE = re.compile(r"^(?:责任编辑|责编|编辑|审核|校对|排版|监制|终审|初审|复审|来源|撰稿|文字|图片|摄影|美编)\s*[|｜:：]")
_BYLINE = re.compile(r"^[(（][^()（）]{0,40}(?:记者|通讯员|编辑|报道)[^()（）]{0,40}[)）]$")
_END_MARK = re.compile(r"^(?:特别声明|免责声明|版权声明|相关阅读|相关新闻|相关推荐|推荐阅读|延伸阅读|热点推荐|往期回顾|猜你喜欢|更多精彩|点击阅读原文|阅读原文)")
_NAV = re.compile(r"(?:首页\s*[>›»]|当前位置|您的位置|频道.*频道|扫一扫|分享到|字号[:：]|点击蓝字|关注我们|长按识别|二维码)")
_ENTERTAINMENT = re.compile(
    r"电影|影片|影院|影城|影业|点映|首映|上映|票房|导演|主演|演唱会|巡回演出|巡演|专辑|新歌|歌手|歌迷|舞剧|综艺|明星|网红|"
    r"剧集|电视剧|音乐会|演员|观众|粉丝|IMAX|MV|乐坛|影视|动画|剧院|戏剧|路演"
)
_BUSINESS = re.compile(
    r"投资|增资|落户|签约|签署|备忘录|协议|合作|设立|项目|外资|园区|开发区|高新区|工厂|生产基地|研发中心|总部|产业"
)
_STRONG_BUSINESS = re.compile(r"投资|增资|落户|签约|签署|备忘录|协议|设立|外资|开发区|高新区|工厂|生产基地|研发中心|总部")


@lru_cache(maxsize=1)
def _converter() -> Callable[[str], str]:
    import opencc

    conv = opencc.OpenCC("t2s")
    return conv.convert  # type: ignore[no-any-return]


def to_simplified(text: str) -> str:
    """Traditional → Simplified with OpenCC, always length-preserving.

    >>> to_simplified("無錫高新區")
    '无锡高新区'
    """
    conv = _converter()
    out = conv(text)
    if len(out) == len(text):
        return out
    # A phrase mapping changed the length: fall back to character by character.
    return "".join(c2 if len(c2 := conv(c)) == 1 else c for c in text)


class _Text:
    """Text with, for each character, its offset in the original."""

    __slots__ = ("text", "offsets")

    def __init__(self, text: str, offsets: list[int]) -> None:
        self.text = text
        self.offsets = offsets

    def edit(self, spans: list[tuple[int, int, str]]) -> _Text:
        """Apply non-overlapping (start, end, replacement) edits, sorted by start.

        A replacement must not be longer than what it replaces; its characters
        take the offsets of the first characters replaced.
        """
        if not spans:
            return self
        parts: list[str] = []
        offs: list[int] = []
        pos = 0
        for s, e, r in spans:
            if s < pos:
                continue
            parts.append(self.text[pos:s])
            offs.extend(self.offsets[pos:s])
            r = r[: e - s]
            parts.append(r)
            offs.extend(self.offsets[s : s + len(r)])
            pos = e
        parts.append(self.text[pos:])
        offs.extend(self.offsets[pos:])
        return _Text("".join(parts), offs)

    def sub(self, pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str]) -> _Text:
        spans = []
        for m in pattern.finditer(self.text):
            r = repl if isinstance(repl, str) else repl(m)
            spans.append((m.start(), m.end(), r))
        return self.edit(spans)

    def map_chars(self, func: Callable[[str], str]) -> _Text:
        out = func(self.text)
        if len(out) != len(self.text):
            raise ValueError("map_chars needs a length-preserving function")
        return _Text(out, self.offsets)


def _nfkc(text: str) -> str:
    out = unicodedata.normalize("NFKC", text)
    if len(out) == len(text):
        return out
    return "".join(n if len(n := unicodedata.normalize("NFKC", c)) == 1 else c for c in text)


_KEEP_PUNCT = re.compile(r"([。，、；：？！])")


def _fold(text: str) -> str:
    """NFKC, with the CJK punctuation we split on kept as is (NFKC would make ， a comma)."""
    parts = _KEEP_PUNCT.split(text)
    return "".join(part if i % 2 else _nfkc(part) for i, part in enumerate(parts))


_DOUBLE_RUN = re.compile(rf"([{_CJK}A-Za-z0-9]{{3,14}}?)\1")
_DOUBLE_PUNCT = re.compile(r"([：:，,、“”\"])\1")


def _undouble_line(line: str) -> str:
    """Collapse PDF headline doubling in one line ("中中德德" or "无锡无锡").

    >>> _undouble_line("中中德德合合作作")
    '中德合作'
    >>> _undouble_line("无锡高新区无锡高新区：：")
    '无锡高新区：'
    """
    s = line.strip()
    if len(s) >= 4 and len(s) % 2 == 0:
        pairs = [s[i] == s[i + 1] for i in range(0, len(s) - 1, 2)]
        if sum(pairs) >= 0.8 * len(pairs) and len(pairs) >= 2:
            return "".join(s[i] for i in range(0, len(s), 2))
    if _DOUBLE_RUN.search(line):
        line = _DOUBLE_RUN.sub(r"\1", line)
        line = _DOUBLE_PUNCT.sub(r"\1", line)
    return line


def _line_edits(t: _Text) -> _Text:
    """Per line: collapse doubling, drop navigation and bare-number lines."""
    spans: list[tuple[int, int, str]] = []
    pos = 0
    for line in t.text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        stripped = line.strip()
        if not stripped:
            continue
        if _NAV.search(stripped) and not _STRONG_BUSINESS.search(stripped):
            spans.append((start, end, ""))
            continue
        if re.fullmatch(r"[0-9]{1,4}|[A-Z]{2,6}|[-=_*·•—]+", stripped):
            spans.append((start, end, ""))
            continue
        undoubled = _undouble_line(line)
        if undoubled != line:
            spans.extend(_diff_deletions(line, undoubled, start))
    return t.edit(sorted(spans))


def _diff_deletions(line: str, target: str, base: int) -> list[tuple[int, int, str]]:
    """Deletions that turn ``line`` into ``target`` (a subsequence of it)."""
    spans = []
    j = 0
    i = 0
    while i < len(line):
        if j < len(target) and line[i] == target[j]:
            i += 1
            j += 1
            continue
        k = i
        while k < len(line) and not (j < len(target) and line[k] == target[j]):
            k += 1
        spans.append((base + i, base + k, ""))
        i = k
    return spans


def _join_wrapped_lines(t: _Text) -> _Text:
    """Join hard line breaks that fall inside a sentence (PDF and narrow-column text)."""
    lines = t.text.split("\n")
    spans: list[tuple[int, int, str]] = []
    starts = []
    pos = 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    # Typical wrapped-line width of this text: lines that wrap are about as
    # long as the longest lines; headings are shorter.
    lengths = sorted(len(x.strip()) for x in lines if x.strip())
    wide = lengths[int(len(lengths) * 0.75)] if lengths else 0
    min_len = max(8, min(18, int(wide * 0.6)))
    i = 0
    n = len(lines)
    while i < n:
        cur = lines[i].rstrip()
        if not cur.strip():
            i += 1
            continue
        j = i + 1
        blanks = 0
        while j < n and not lines[j].strip():
            blanks += 1
            j += 1
        if j >= n:
            break
        nxt = lines[j].lstrip()
        last = cur[-1]
        first = nxt[0]
        if last in "”」』\"" and len(cur) > 1 and cur[-2] in _TERMINAL:
            last = cur[-2]
        dated = re.match(r"(?:19|20)\d{2}\s*[-年/.]|来源|发布时间|作者|编辑|记者|本报|本网|本台|新华社|通讯员", nxt) or re.search(
            r"来源[:：]|(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}\s*$", cur)
        wraps = (
            not dated
            and len(cur.strip()) >= min_len
            and last not in _TERMINAL
            and blanks <= 1
            and (re.match(rf"[{_CJK}0-9A-Za-z“（(%％]", first) is not None
                 or first in "，,、；;：:。！!？?”’」』"  # no line of its own starts with these
                 or first in ")）" and cur.count("(") + cur.count("（") > cur.count(")") + cur.count("）")
                 or first in "-－" and re.match(rf"[{_CJK}]", nxt[1:2]) is not None and re.match(rf"[{_CJK}]", last) is not None)
            and not nxt.startswith(("●", "▶", "■", "◆", "★", "·"))
        )
        if wraps:
            a = starts[i] + len(cur)
            b = starts[j] + (len(lines[j]) - len(nxt))
            ascii_pair = last.isascii() and last.isalnum() and first.isascii() and first.isalnum()
            spans.append((a, b, " " if ascii_pair else ""))
        i = j
    return t.edit(spans)


_SPACE_IN_CJK = re.compile(rf"(?<=[{_CJK}0-9，。、；：“”（）%])[ \t\u3000]+(?=[{_CJK}0-9“（])|(?<=[{_CJK}，。、；：“”（）])[ \t\u3000]+(?=[A-Za-z0-9(])")


def normalise(text: str) -> tuple[str, list[int]]:
    """Normalised text and, per character, its offset in ``text``.

    >>> normalise("無錫高新\\n區的村田")[0]
    '无锡高新\\n区的村田'
    """
    t = _Text(text, list(range(len(text))))
    t = t.sub(_PLACEHOLDER, "")
    t = t.map_chars(_fold)
    t = t.map_chars(to_simplified)
    t = _line_edits(t)
    t = _join_wrapped_lines(t)
    t = t.sub(_SPACE_IN_CJK, "")
    return t.text, t.offsets


def _is_end_marker(block: str, seen_chars: int) -> bool:
    if seen_chars < 200:
        return False
    return bool(_EDITOR_LINE.match(block) or _BYLINE.match(block) or _END_MARK.match(block))


def _trailing_byline(block: str) -> bool:
    return bool(re.search(r"[(（][^()（）]{0,30}(?:记者|通讯员)[^()（）]{0,40}[)）]\s*$", block))


def _is_sidebar(block: str) -> bool:
    """A paragraph about entertainment with no sign of investment or cooperation."""
    ent = len(_ENTERTAINMENT.findall(block))
    if ent < 2:
        return False
    return not _STRONG_BUSINESS.search(block) or ent >= 4 and len(_BUSINESS.findall(block)) < 2


def segment(article: Article) -> list[Sentence]:
    """Split an article into normalised sentences, dropping sidebars and page furniture."""
    norm, offsets = normalise(article.text)
    sentences: list[Sentence] = []
    block_no = 0
    seen = 0
    date_hint = ""
    pos = 0
    for block in norm.split("\n"):
        b_start = pos
        pos += len(block) + 1
        stripped = block.strip()
        if not stripped:
            continue
        if _is_end_marker(stripped, seen):
            break
        dm = _DATE_LINE.match(stripped)
        if dm:
            date_hint = f"{int(dm.group(1)):04d}-{int(dm.group(2)):02d}-{int(dm.group(3)):02d}"
            continue
        if _is_sidebar(stripped):
            continue
        if date_hint and not _SENT_END.search(stripped):
            date_hint = ""  # a heading ends the dated item
        block_no += 1
        lead = len(block) - len(block.lstrip())
        for s, e in _sentence_spans(stripped):
            a, b = b_start + lead + s, b_start + lead + e
            text = norm[a:b]
            if not text.strip():
                continue
            o = offsets[a:b]
            sentences.append(
                Sentence(
                    article_id=article.id,
                    index=len(sentences),
                    block=block_no,
                    norm=text,
                    offsets=tuple(o),
                    original=article.text[o[0] : o[-1] + 1],
                    start=o[0],
                    end=o[-1] + 1,
                    date_hint=date_hint,
                )
            )
        seen += len(stripped)
        if _trailing_byline(stripped) and seen >= 200:
            break
    return sentences


def _sentence_spans(block: str) -> list[tuple[int, int]]:
    spans = []
    start = 0
    for m in _SENT_END.finditer(block):
        end = m.end()
        if block[start:end].strip():
            spans.append((start, end))
        start = end
    if block[start:].strip():
        spans.append((start, len(block)))
    return spans
