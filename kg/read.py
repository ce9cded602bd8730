"""Read article files (txt, md, html) in any common Chinese encoding into ``Article`` values."""

from __future__ import annotations

import calendar
import csv
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from kg.errors import InputError
from kg.model import Article

SUFFIXES = (".txt", ".md", ".html", ".htm")
MAX_BYTES = 20 * 1024 * 1024
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# Encodings tried, in order, when a file is not UTF-8. GB18030 is a superset
# of GBK/GB2312; Big5 is for Traditional text from Taiwan and Hong Kong.
_CANDIDATES = ("gb18030", "big5", "utf-16")


@dataclass(frozen=True)
class Skipped:
    """A file that was not read, with the reason."""

    path: str
    reason: str


def discover(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[Skipped]]:
    """Expand files and folders into article files, sorted, loop-safe.

    Returns the files found and the paths skipped (with the reason).
    """
    found: list[Path] = []
    skipped: list[Skipped] = []
    seen: set[Path] = set()
    for raw in paths:
        p = Path(raw)
        if not p.exists() and not p.is_symlink():
            skipped.append(Skipped(str(p), "no such file or folder"))
            continue
        if p.is_dir():
            for root, dirs, files in os.walk(p, followlinks=False):
                dirs.sort()
                for name in sorted(files):
                    f = Path(root) / name
                    if f.suffix.lower() in SUFFIXES:
                        _add(f, found, skipped, seen)
        else:
            _add(p, found, skipped, seen)
    return found, skipped


def _add(f: Path, found: list[Path], skipped: list[Skipped], seen: set[Path]) -> None:
    try:
        real = f.resolve(strict=True)
    except (OSError, RuntimeError) as err:
        skipped.append(Skipped(str(f), f"cannot resolve path ({type(err).__name__}: symlink loop or dangling link)"))
        return
    if real in seen:
        return
    seen.add(real)
    if not real.is_file():
        skipped.append(Skipped(str(f), "not a regular file"))
        return
    found.append(f)


def decode(data: bytes, path: str = "<bytes>") -> tuple[str, str]:
    """Decode article bytes, detecting the encoding.

    Returns ``(text, encoding)``. Raises ``InputError`` for empty or binary data.

    Examples
    --------
    >>> decode("苏州工业园区".encode("gb18030"))[1]
    'gb18030'
    >>> decode("\\ufeff无锡".encode("utf-16"))[0]
    '无锡'
    """
    if not data.strip():
        raise InputError(path, "empty file")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return _check_text(data.decode(enc).lstrip("\ufeff"), path), enc
            except UnicodeDecodeError as err:
                raise InputError(path, f"starts with a {enc} byte-order mark but does not decode: {err}") from err
    try:
        return _check_text(data.decode("utf-8"), path), "utf-8"
    except UnicodeDecodeError:
        pass
    if data.count(b"\x00") > len(data) // 100 + 1:
        # UTF-16 without a BOM has NULs on every other byte of ASCII text.
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                return _check_text(data.decode(enc), path), enc
            except (UnicodeDecodeError, InputError):
                continue
        raise InputError(path, "binary file (NUL bytes), not text")
    best = _best_cjk_decoding(data)
    if best is None:
        raise InputError(path, "not text in UTF-8, GB18030, Big5 or UTF-16 (binary or unknown encoding)")
    text, enc = best
    return _check_text(text, path), enc


def _best_cjk_decoding(data: bytes) -> tuple[str, str] | None:
    """Try GB18030 and Big5 strictly; when both decode, keep the one that reads as common Chinese.

    Short GB18030 text often decodes as Big5 too (and the other way round), and
    charset-normalizer guesses Big5 for ``"苏州工业园区".encode("gb18030")``. The
    wrong decoding is full of rare characters, kana and symbols, so the share of
    common characters decides; a tie goes to GB18030.
    """
    ok: list[tuple[str, str]] = []
    for enc in ("gb18030", "big5"):
        try:
            ok.append((data.decode(enc), enc))
        except UnicodeDecodeError:
            continue
    if not ok:
        return None
    return max(ok, key=lambda te: (_common_share(te[0]), te[1] == "gb18030"))


_PUNCT = set("，。、；：？！“”‘’（）《》〈〉【】「」『』—…·％～\u3000")


def _is_common(c: str) -> bool:
    """A character of GB2312 level 1 or Big5 level 1 (the common Simplified and Traditional ones), or punctuation."""
    if c in _PUNCT:
        return True
    try:
        b = c.encode("gb2312")
        if 0xB0 <= b[0] <= 0xD7:
            return True
    except UnicodeEncodeError:
        pass
    try:
        b = c.encode("big5")
        if len(b) == 2 and 0xA440 <= (b[0] << 8 | b[1]) <= 0xC67E:
            return True
    except UnicodeEncodeError:
        pass
    return False


def _common_share(text: str) -> float:
    chars = [c for c in text[:20000] if ord(c) >= 0x80]
    if not chars:
        return 1.0
    return sum(map(_is_common, chars)) / len(chars)


_BAD_CHARS = re.compile("[\x00-\x08\x0e-\x1f\ufffd]")  # control characters other than white space, U+FFFD


def _check_text(text: str, path: str) -> str:
    if not text.strip():
        raise InputError(path, "empty file (only white space)")
    sample = text[:20000]
    bad = len(_BAD_CHARS.findall(sample))
    if bad > max(8, len(sample) // 50):
        raise InputError(path, f"binary or mis-encoded file ({bad} control characters in the first {len(sample)})")
    return text


class _TextExtractor(HTMLParser):
    _SKIP = {"script", "style", "noscript", "template", "svg", "head", "iframe", "title"}
    _BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
              "table", "ul", "ol", "header", "footer", "blockquote", "pre", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip += 1
        if tag == "title":
            self._in_title = True
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skip:
            self._skip -= 1
        if tag == "title":
            self._in_title = False
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        if not self._skip:
            self.parts.append(data)

    def parse_html_declaration(self, i: int) -> int:
        # The stdlib raises AssertionError on a malformed or unknown ``<![...`` section
        # (``<![foo]>``, ``<![#x``); browsers treat it as a bogus comment, and so do we.
        try:
            return super().parse_html_declaration(i)
        except AssertionError:
            return self.parse_bogus_comment(i)


def html_to_text(source: str) -> tuple[str, str]:
    """Visible text and title of an HTML page; scripts and styles are dropped.

    >>> html_to_text("<title>T</title><script>x()</script><p>苏州&amp;无锡</p>")
    ('苏州&无锡', 'T')
    """
    parser = _TextExtractor()
    parser.feed(source)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t\r\f\v]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    # convert_charrefs=True has already decoded &amp; and friends once; decoding again would
    # turn a literal "&amp;lt;" in the page into "<".
    return text, "".join(parser.title).strip()


def read_index(folder: Path) -> dict[str, dict[str, str]]:
    """Rows of ``index.csv`` beside the articles, keyed by file name (empty if absent)."""
    path = folder / "index.csv"
    if not path.is_file():
        return {}
    try:
        text, _ = decode(path.read_bytes(), str(path))
    except (OSError, InputError):
        return {}
    rows = {}
    for row in csv.DictReader(text.splitlines()):
        name = (row.get("file") or "").strip()
        if name:
            rows[name] = {k: (v or "").strip() for k, v in row.items() if k}
    return rows


_DATE_IN_TEXT = re.compile(r"(20\d{2}|19\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def date_from_text(text: str) -> str:
    """The first full date stated near the top of an article (ISO), or ''.

    >>> date_from_text("字号: 2024-09-20 09:32 来源:名城文旅")
    '2024-09-20'
    """
    m = _DATE_IN_TEXT.search(text[:600])
    if not m:
        return ""
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not (1 <= mo <= 12 and 1 <= d <= calendar.monthrange(y, mo)[1]):
        return ""  # no such day (2024-02-30): an invalid xsd:date would poison the graph
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _utf8_safe(s: str) -> str:
    """``s`` itself, or, for a file name that is not valid UTF-8 (undecodable bytes kept as
    surrogates by the OS layer), the same name with those bytes written as ``\\xff``;
    surrogates cannot be written into Turtle, JSON-LD or CSV."""
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(s).decode("utf-8", "backslashreplace")
    return s


def _is_iso_date(value: str) -> bool:
    """``2024``, ``2024-09`` or a real day ``2024-09-20``; an index.csv typo must not become an invalid xsd:date."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value)
    if not m:
        return False
    y, mo, d = int(m.group(1)), m.group(2), m.group(3)
    if mo is None:
        return True
    if not 1 <= int(mo) <= 12:
        return False
    return d is None or 1 <= int(d) <= calendar.monthrange(y, int(mo))[1]


def article_id(path: Path) -> str:
    """A stable id for an article: its file name without the suffix."""
    return _utf8_safe(path.stem)


def read_article(path: Path, meta: dict[str, str] | None = None, max_bytes: int = MAX_BYTES) -> Article:
    """Read one article file.

    Raises
    ------
    InputError
        When the file cannot be read, is too large, empty, binary or mis-encoded.
    """
    meta = meta or {}
    try:
        size = path.stat().st_size
    except OSError as err:
        raise InputError(str(path), f"cannot read ({err.strerror or err})") from err
    if size > max_bytes:
        # MB as --max-size counts them (2**20 bytes), so --max-size 20 reads "limit 20 MB", not "21 MB".
        raise InputError(str(path), f"too large ({size / 2**20:.1f} MB > limit {max_bytes / 2**20:g} MB; see --max-size)")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(str(path), f"cannot read ({err.strerror or err})") from err
    text, enc = decode(data, str(path))
    title = meta.get("title", "")
    if path.suffix.lower() in (".html", ".htm") or (text.lstrip()[:15].lower().startswith(("<!doctype html", "<html"))):
        text, html_title = html_to_text(text)
        title = title or html_title
        if not text.strip():
            raise InputError(str(path), "HTML page without visible text")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    published = meta.get("published", "")
    date = published if _is_iso_date(published) else date_from_text(text)
    return Article(
        id=article_id(path),
        path=_utf8_safe(str(path)),
        text=text,
        title=title,
        date=date,
        publisher=meta.get("publisher", ""),
        script=meta.get("script", ""),
        encoding=enc,
    )


def read_articles(
    paths: Iterable[str | os.PathLike[str]], max_bytes: int = MAX_BYTES
) -> Iterator[Article | Skipped]:
    """Stream articles (or ``Skipped`` records) from files and folders, one at a time."""
    files, skipped = discover(paths)
    yield from skipped
    indexes: dict[Path, dict[str, dict[str, str]]] = {}
    for f in files:
        folder = f.parent
        if folder not in indexes:
            indexes[folder] = read_index(folder)
        try:
            yield read_article(f, indexes[folder].get(f.name), max_bytes)
        except InputError as err:
            yield Skipped(str(f), err.reason)
