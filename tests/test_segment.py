from __future__ import annotations

from kg.model import Article
from kg.segment import normalise, segment, to_simplified


def test_segment_traditional_to_simplified_keeps_offsets() -> None:
    text = "英國首相訪華期間，無錫交響音樂廳與英國皇家愛樂樂團簽署備忘錄。"
    norm, offsets = normalise(text)
    assert norm == to_simplified(text)
    i = norm.index("无锡交响音乐厅")
    assert text[offsets[i]: offsets[i + 6] + 1] == "無錫交響音樂廳"


def test_segment_joins_pdf_line_breaks_and_undoubles_headlines() -> None:
    text = ("中中德德合合作作\n\n2024年1月24日，无锡新年“第一股”——无锡盛景微\n\n电子股份有限公司在上海证券交易所主板上市，资本市场\n\n"
            "“新吴板块”喜迎“开门红”。\n")
    sents = segment(Article(id="p", path="p.txt", text=text))
    norms = [s.norm for s in sents]
    assert norms[0] == "中德合作"
    assert any("无锡盛景微电子股份有限公司在上海证券交易所主板上市" in n for n in norms)
    s = next(s for s in sents if "盛景微电子" in s.norm)
    assert "\n" in s.original and s.original == text[s.start:s.end]


def test_segment_joins_a_pdf_line_that_starts_with_the_closing_bracket() -> None:
    # a break between "(北京" and ")" is a wrap; a line that closes nothing it opened stays a line of its own
    text = ("卢森堡安赛乐米塔尔增资总投资520亿日元在中国(北京\n)自由贸易试验区高端产业片区建设生产基地，主要从事研\n"
            "发与生产，预计明年竣工投产，达产后年产值可观。\n")
    norms = [s.norm for s in segment(Article(id="w", path="w.txt", text=text))]
    assert any("在中国(北京)自由贸易试验区高端产业片区建设生产基地" in n for n in norms), norms
    hyphen = ("沙特阿拉伯沙特公共投资基金签约建设总投资9亿元在奎屯\n-独山子经济技术开发区建设新工厂，主要从事研发与生产\n"
              "，预计明年竣工投产。\n")
    norms = [s.norm for s in segment(Article(id="h", path="h.txt", text=hyphen))]
    assert norms == ["沙特阿拉伯沙特公共投资基金签约建设总投资9亿元在奎屯-独山子经济技术开发区建设新工厂，主要从事研发与生产，预计明年竣工投产。"]
    opened = "园区今年新引进外资项目十二个，合同外资超过五亿美元\n）附表：重点项目清单\n"
    assert len(segment(Article(id="x", path="x.txt", text=opened))) == 2


def test_segment_drops_placeholders_navigation_and_sidebar() -> None:
    text = ("首页 > 资讯中心 > 苏州资讯 正文\n![]()\n" + "园区持续扩大开放，外资企业纷纷落户，项目投资不断增长。" * 8 +
            "\n（本报记者 张三）\n舞剧《孔雀》苏州再展翅，著名舞蹈艺术家杨丽萍主演，电影票房新高，观众好评。\n")
    norms = " ".join(s.norm for s in segment(Article(id="s", path="s.txt", text=text)))
    assert "![]" not in norms and "首页" not in norms
    assert "孔雀" not in norms and "杨丽萍" not in norms
    assert "外资企业纷纷落户" in norms


def test_segment_date_lines_give_a_date_hint() -> None:
    text = "01\n2025年8月6日\n“中英健康创新平台”首次工作会议在北京举行。\n"
    sents = segment(Article(id="d", path="d.txt", text=text))
    assert [(s.norm, s.date_hint) for s in sents] == [("“中英健康创新平台”首次工作会议在北京举行。", "2025-08-06")]


def test_segment_a_byline_is_not_joined_to_the_headline_or_the_lead() -> None:
    text = ("约十亿欧元再加码！奥特斯在两江新区新建高端封装载板工厂\n\n本报记者　综合整理　二〇一九年七月二十六日\n\n"
            "本报讯　昨日，奥特斯与重庆两江新区签署协议。\n")
    norms = [s.norm for s in segment(Article(id="b", path="b.txt", text=text))]
    assert "奥特斯在两江新区新建高端封装载板工厂" in norms, norms
    assert not any("工厂本报" in n for n in norms), norms
