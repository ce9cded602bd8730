from __future__ import annotations

import pytest

from kg.extract import extract_mentions, find_amounts, pattern_key
from tests.conftest import sentences


def _mentions(text: str, gazetteer, date: str = ""):
    return extract_mentions(sentences(text, date=date), gazetteer, date)


@pytest.mark.parametrize(
    ("text", "value", "currency", "qualifier"),
    [
        ("这个投资4.75亿美元的新工厂", "475000000", "USD", "exact"),
        ("中方协议投资额达977.5万美元", "9775000", "USD", "agreed"),
        ("建成后累计投资将达10亿瑞士法郎", "1000000000", "CHF", "cumulative"),
        ("计划在中国投资逾1000亿元人民币", "100000000000", "CNY", "over"),
        ("项目总投资五亿美元", "500000000", "USD", "total"),
        ("此次投资40余亿元人民币承建气化岛", "4000000000", "CNY", "over"),  # 余/多 between figure and unit
        ("投资4000余万美元", "40000000", "USD", "over"),
        ("投资二十多亿美元", "2000000000", "USD", "over"),
        ("丹纳赫集团投资上亿美元建设基地", "100000000", "USD", "over"),
        ("投资约3000万欧元", "30000000", "EUR", "about"),
    ],
)
def test_extract_amounts(text: str, value: str, currency: str, qualifier: str, gazetteer) -> None:
    amounts = [m for s in sentences(text) for m in find_amounts(s, gazetteer)]
    assert [(m.get("value"), m.get("currency"), m.get("qualifier")) for m in amounts] == [(value, currency, qualifier)]


def test_extract_statistics_are_not_investment_amounts(gazetteer) -> None:
    amounts = [m for s in sentences("2025年,园区对英进出口48.3亿元,实际利用外资16.95亿美元。") for m in find_amounts(s, gazetteer)]
    assert [m.get("context") for m in amounts] == ["statistic", "statistic"]


def test_extract_country_prefixed_unknown_company(gazetteer) -> None:
    ms = _mentions("今年投用的芬兰卡瓦苏州新厂房不仅产能增加一倍。", gazetteer)
    comps = [(m.get("name"), m.country) for m in ms if m.kind == "Company"]
    assert comps == [("卡瓦", "FI")]


def test_extract_suffix_names_and_their_boundaries(gazetteer) -> None:
    text = "目前，无锡高新区建有星河国际创新园，吸引英国剑桥仪器有限公司落户，并与江南大学无锡食品与营养研究院合作。"
    ms = _mentions(text, gazetteer)
    found = {(m.kind, m.get("name") or m.surface) for m in ms if m.kind in ("Park", "Company", "Institution")}
    assert ("Park", "星河国际创新园") in found
    assert ("Company", "剑桥仪器有限公司") in found
    assert ("Institution", "江南大学无锡食品与营养研究院") in found
    assert not any(n.startswith(("建有", "吸引", "并与")) for _, n in found)


def test_extract_known_name_after_a_function_word_is_not_lengthened(gazetteer) -> None:
    # 由 ends the stretch before a dictionary name: no pattern name "南京厂由台积电(南京)有限公司"
    ms = _mentions("南京厂由台积电(南京)有限公司投资建设。", gazetteer)
    comps = [(m.surface, m.key) for m in ms if m.kind == "Company"]
    assert comps == [("台积电(南京)有限公司", "company/tsmc")]
    # a name that runs on leftwards over a known one is still found (江南大学 + 无锡… 研究院)
    ms = _mentions("并与江南大学无锡食品与营养研究院合作。", gazetteer)
    assert "江南大学无锡食品与营养研究院" in {m.get("name") for m in ms if m.kind == "Institution"}


def test_extract_coreference_of_bare_park_words(gazetteer) -> None:
    ms = _mentions("苏州工业园区发布新政。园区将加快引进外资。", gazetteer)
    parks = [(m.surface, m.key, m.source.value) for m in ms if m.kind == "Park"]
    assert parks == [("苏州工业园区", "park/suzhou-industrial-park", "gazetteer"),
                     ("园区", "park/suzhou-industrial-park", "coreference")]


def test_extract_enumerated_unknown_companies(gazetteer) -> None:
    ms = _mentions("园区引进奥林巴斯、英特格拉、生命盾等高技术研发生产企业。", gazetteer)
    assert {m.get("name") for m in ms if m.kind == "Company" and m.get("enumerated")} == {"生命盾"}


def test_extract_pattern_keys_are_stable() -> None:
    assert pattern_key("Company", "妥思") == "company/x-%E5%A6%A5%E6%80%9D"


def test_extract_country_capital_adjective_then_name(gazetteer) -> None:
    ms = _mentions("太仓高新区迎来德资企业克兰茨落户，投资2000万欧元建设新工厂。", gazetteer)
    assert [(m.get("name"), m.country) for m in ms if m.kind == "Company"] == [("克兰茨", "DE")]


@pytest.mark.parametrize(("text", "value", "currency"), [
    ("投资一万二千元", "12000", "CNY"),
    ("投资三亿五千万美元", "350000000", "USD"),
    ("总投资二十六亿元", "2600000000", "CNY"),
    ("总投资一千亿日元", "100000000000", "JPY"),
])
def test_extract_amounts_in_chinese_numerals(text: str, value: str, currency: str, gazetteer) -> None:
    amounts = [m for s in sentences(text) for m in find_amounts(s, gazetteer)]
    assert [(m.get("value"), m.get("currency")) for m in amounts] == [(value, currency)]


def test_extract_agreement_named_in_book_title_marks(gazetteer) -> None:
    ms = _mentions("2007年11月18日，两国总理共同签署《中新天津生态城框架协议》。", gazetteer)
    assert [(m.kind, m.get("name")) for m in ms if m.kind == "Agreement"] == [("Agreement", "中新天津生态城框架协议")]


def test_extract_dictionary_hits_keep_character_positions_after_astral_characters(gazetteer) -> None:
    """Offsets are in characters, not UTF-8 bytes or UTF-16 units, whatever precedes the name (CJK Ext. B, emoji)."""
    from kg.gazetteer import iter_matches

    for lead in ("", "𠀀", "😀𠀀", "无锡", "Ｘ"):
        text = lead + "在苏州工业园区投资"
        hits = {text[s:e] for s, e, _kind, _entries in iter_matches(gazetteer, text)}
        assert "苏州工业园区" in hits, (lead, hits)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("项目由天津泰达投资控股有限公司负责建设。", "天津泰达投资控股有限公司"),
        ("合作区由中非泰达投资股份有限公司负责开发运营。", "中非泰达投资股份有限公司"),
        ("吸引了同属中国建材体系的中国玻璃控股有限公司（简称“中玻”）。", "中国玻璃控股有限公司"),
    ],
)
def test_extract_company_kind_word_before_legal_form_stays_in_the_name(text: str, name: str, gazetteer) -> None:
    """控股/投资 before 有限公司 are part of the name, though the tokenizer reads them as verbs."""
    assert name in {m.get("name") for m in _mentions(text, gazetteer) if m.kind == "Company"}


def test_extract_kind_word_and_legal_form_alone_are_not_a_name(gazetteer) -> None:
    assert not [m for m in _mentions("该集团拟控股有限公司。公司将投资有限公司。", gazetteer) if m.kind == "Company"]


def test_extract_declared_short_form_is_the_same_company(gazetteer) -> None:
    """中国玻璃控股有限公司（简称“中玻”）: wherever the article later writes 中玻, it is that company."""
    text = "同属中国建材体系的中国玻璃控股有限公司（以下简称“中玻”）。中玻埃及新能源玻璃项目在泰达合作区开工奠基。"
    comps = [m for m in _mentions(text, gazetteer) if m.kind == "Company"]
    assert {m.surface for m in comps} == {"中国玻璃控股有限公司", "中玻"}
    assert any(m.surface == "中玻" and m.sentence == 1 for m in comps)
    assert len({m.key for m in comps}) == 1 and {m.country for m in comps} == {"CN"}
    alone = _mentions("中玻埃及新能源玻璃项目在泰达合作区开工奠基。", gazetteer)
    assert not [m for m in alone if m.kind == "Company"]  # the short form alone names nothing
    for role in ("公司", "合资公司"):  # a role, not a short name: it must not claim the article's other uses
        text = f"苏州华星光电科技有限公司（以下简称“{role}”）在园区投资。{role}成立于2010年。"
        assert {m.surface for m in _mentions(text, gazetteer) if m.kind == "Company"} == {"苏州华星光电科技有限公司"}


@pytest.mark.parametrize(
    ("text", "company", "country"),
    [
        ("印度尼西亚金光集团投资5亿美元在苏州工业园区建设研发中心。", "金光集团", "ID"),
        ("沙特阿拉伯沙特阿美投资5亿美元在苏州工业园区建设研发中心。", "沙特阿美", "SA"),
        ("印度尼西亚力宝集团投资5亿美元。", "力宝集团", "ID"),
    ],
)
def test_extract_longer_country_name_is_the_prefix(text: str, company: str, country: str, gazetteer) -> None:
    """印度 inside 印度尼西亚 does not start a name (尼西亚金光集团 was a company before)."""
    comps = {(m.get("name") or m.surface, m.country) for m in _mentions(text, gazetteer) if m.kind == "Company"}
    assert comps == {(company, country)}


def test_extract_country_inside_a_longer_country_names_nothing(gazetteer) -> None:
    assert not [m for m in _mentions("园区将深化与厄瓜多尔等国家的合作。", gazetteer) if m.kind == "Company"]


def test_extract_country_before_a_known_name_ending_in_a_suffix_adds_no_entity(gazetteer) -> None:
    """美国查尔斯河实验室: 实验室 ends the known company's name; the country before it does not make an institute."""
    ms = _mentions("美国查尔斯河实验室投资5亿美元在苏州工业园区建设研发中心。", gazetteer)
    named = {(m.kind, m.key) for m in ms if m.kind in ("Company", "Institution")}
    assert named == {("Company", "company/charles-river")}


def test_extract_place_then_build_verb_is_not_a_platform(gazetteer) -> None:
    """在中新广州知识城建设创新中心: the park, then what is built in it; 中德智能制造合作中心 stays a platform."""
    built = _mentions("法国赛峰在中新广州知识城建设创新中心。", gazetteer)
    assert not [m for m in built if m.kind == "Agreement"]
    assert any(m.kind == "Park" and m.surface == "中新广州知识城" for m in built)
    named = _mentions("双方同意建立中德智能制造合作中心。", gazetteer)
    assert [m.surface for m in named if m.kind == "Agreement"] == ["中德智能制造合作中心"]


def test_extract_registered_name_keeps_its_place_and_its_verbs(gazetteer) -> None:
    """A Macao-registered name holds verbs (更新, 投资发展) and starts with its place; a US firm's country is dropped."""
    ms = _mentions("2020年4月9日，当时的横琴新区管委会与澳门都市更新股份有限公司签署土地出让合同。"
                   "澳门投资发展股份有限公司与太平资本保险资产管理有限公司签署委托管理协议。", gazetteer)
    names = {m.get("name") for m in ms if m.kind == "Company"}
    assert {"澳门都市更新股份有限公司", "澳门投资发展股份有限公司", "太平资本保险资产管理有限公司"} <= names, names
    assert {m.country for m in ms if m.get("name", "").startswith("澳门")} == {"MO"}
    us = _mentions("美国康宁有限公司在合肥新站高新区投资建设新工厂。", gazetteer)
    assert [m.get("name") or m.surface for m in us if m.kind == "Company"] in (["康宁有限公司"], ["康宁"])


def test_extract_a_phrase_about_people_or_time_after_a_country_is_not_a_company(gazetteer) -> None:
    ms = _mentions("首批19名以色列学生今年暑期将来常州参加科创训练营。", gazetteer)
    assert not [m for m in ms if m.kind == "Company"]


def test_extract_a_byline_after_a_place_is_not_a_company(gazetteer) -> None:
    # a Hong Kong paper's reporter, in Traditional script as the article wrote it
    ms = _mentions("2023年3月28日　香港商報記者　梁雅文　惠州報道", gazetteer)
    assert not [m for m in ms if m.kind == "Company"]
    assert [m for m in _mentions("香港商報記者梁雅文投資一家工廠。", gazetteer) if m.kind == "Company"] == []


def test_extract_a_list_closed_by_a_countrys_companies_names_each_item(gazetteer) -> None:
    # names no gazetteer holds (made up here), as a real article brings them
    ms = _mentions("阿米拉德、泽维医疗、卡尔梅塔等以色列高科技企业都在这里安了家。", gazetteer)
    assert sorted((m.get("name"), m.country) for m in ms if m.kind == "Company") == [
        ("卡尔梅塔", "IL"), ("泽维医疗", "IL"), ("阿米拉德", "IL")]
    # known names stay what the gazetteer says; a list of countries, or one not closed by companies, names nobody
    known = _mentions("吸引了LG显示、LG泽维诺等1000余家韩国企业在烟台投资兴业。", gazetteer)
    assert {(m.key.startswith("company/x-"), m.get("name") or m.surface) for m in known if m.kind == "Company"} == {
        (False, "LG显示"), (True, "LG泽维诺")}
    assert not [m for m in _mentions("美国、德国、日本等国家的客商前来洽谈。", gazetteer) if m.kind == "Company"]
    assert not [m for m in _mentions("新能源、新材料等德国重点领域。", gazetteer) if m.kind == "Company"]


def test_extract_a_park_word_that_names_a_project_is_no_park(gazetteer) -> None:
    ms = _mentions("——法国雷诺集团无人驾驶汽车示范区项目；——中国探月武汉“太空生态城”项目。", gazetteer)
    assert not [m for m in ms if m.kind == "Park"]
    assert [m.key for m in _mentions("大众汽车在合肥新桥智能电动汽车产业园投资建设。", gazetteer) if m.kind == "Park"]


def test_extract_korean_legal_form_first_then_the_known_name(gazetteer) -> None:
    ms = _mentions("当年7月2日，韩国株式会社LG化学与南京市政府签署合作谅解备忘录。", gazetteer)
    assert {(m.kind, m.key) for m in ms if m.kind == "Company"} == {("Company", "company/lg-chem")}
    assert [m.get("name") for m in ms if m.kind == "Institution"] == ["南京市政府"]


def test_extract_a_name_may_open_with_a_word_whose_first_character_alone_is_a_preposition(gazetteer) -> None:
    ms = _mentions("中以常州创新园与对外经济贸易大学以色列分校签署战略合作协议。", gazetteer)
    assert [m.get("name") for m in ms if m.kind == "Institution"] == ["对外经济贸易大学以色列分校"]
    assert not [m for m in _mentions("园区将对外资企业开放。", gazetteer) if m.kind in ("Institution", "Company")]


def test_extract_brand_product_and_plant_after_a_country(gazetteer) -> None:
    """韩国科玛保健食品工厂: Kolmar's health-food plant; the company is 科玛, from Korea."""
    ms = _mentions("已有8家配套企业落户烟台高新区，韩国泽美保健食品工厂就是其中之一。", gazetteer)  # a made-up brand
    assert [(m.get("name"), m.country) for m in ms if m.kind == "Company"] == [("泽美", "KR")]


def test_extract_a_quarter_of_a_place_belongs_to_the_park_name(gazetteer) -> None:
    ms = _mentions("那一年，以色列企业乐康瑞德落户西太湖科技产业园。", gazetteer)
    assert [m.get("name") or m.surface for m in ms if m.kind == "Park"] == ["西太湖科技产业园"]


def test_extract_a_pair_of_places_cooperating_opens_a_park_name(gazetteer) -> None:
    ms = _mentions("位于合作区的粤澳合作中医药科技产业园，是粤澳两地签署框架协议后的首个落地项目。", gazetteer)
    assert [m.get("name") or m.surface for m in ms if m.kind == "Park"] == ["粤澳合作中医药科技产业园"]


def test_extract_firms_of_one_countrys_capital(gazetteer) -> None:
    """日资企业…包括A、B等知名企业; 这是X有限公司…日资项目: the country comes from the adjective of capital."""
    listed = _mentions("早年落户开发区的日资企业，就包括黑田精工、津上精密、日清食品等知名企业。", gazetteer)
    assert {(m.get("name") or m.surface, m.country) for m in listed if m.kind == "Company"} >= {
        ("黑田精工", "JP"), ("津上精密", "JP")}
    one = _mentions("这是荣顺医疗设备（浙江）有限公司的新厂，也是平湖经济技术开发区又一个落地的日资项目。", gazetteer)
    assert [(m.get("name"), m.country) for m in one if m.kind == "Company"] == [("荣顺医疗设备(浙江)有限公司", "JP")]
    assert not [m for m in _mentions("据日方当时公布的计划，工厂占地约七万平方米。", gazetteer) if m.kind == "Company"]
    assert not [m for m in _mentions("目前园区已集聚日资企业一百三十余家。", gazetteer) if m.kind == "Company"]


def test_extract_a_known_group_at_the_start_of_a_subsidiarys_name_keeps_its_country_word(gazetteer) -> None:
    ms = _mentions("一九九九年，日本电产芝浦（浙江）有限公司落户平湖。", gazetteer)
    sub = [m for m in ms if m.kind == "Company" and m.get("parent")]
    assert [(m.get("name"), m.get("parent")) for m in sub] == [("日本电产芝浦(浙江)有限公司", "company/nidec")]


def test_extract_currency_written_before_the_figure(gazetteer) -> None:
    ms = _mentions("董事会通过新台币189.9亿元增资案，另以港币10亿元、人民币250亿元扩产。", gazetteer)
    assert [(m.get("value"), m.get("currency")) for m in ms if m.kind == "amount"] == [
        ("18990000000", "TWD"), ("1000000000", "HKD"), ("25000000000", "CNY")]
    assert not [m for m in _mentions("一家德国咨询顾问公司的负责人专程赶来签约。", gazetteer) if m.kind == "Company"]


def test_extract_a_park_named_again_by_its_tail_is_the_same_park(gazetteer) -> None:
    # a park found by pattern, then its tail; a gazetteer park, then its short form without the city
    ms = _mentions("纬创成都基地位于成都综合保税区双流园区。同样位于双流园区的还有多家台资企业。"
                   "ABB在厦门火炬高技术产业开发区投资。火炬高新区已集聚30多家电力企业。", gazetteer)
    parks = [(m.surface, m.key) for m in ms if m.kind == "Park"]
    keys = {surface: key for surface, key in parks}
    assert keys["双流园区"] == keys["成都综合保税区双流园区"]
    assert keys["火炬高新区"] == keys["厦门火炬高技术产业开发区"] == "park/xiamen-huoju-hitech"
    # a tail that fits two named parks is left alone
    ms = _mentions("厦门火炬高技术产业开发区与威海火炬高技术产业开发区结对。火炬高新区已集聚30多家电力企业。", gazetteer)
    tails = {m.key for m in ms if m.surface == "火炬高新区"}
    assert tails and not tails & {"park/xiamen-huoju-hitech", "park/weihai-huoju-hitech"}, tails


def test_extract_a_name_that_begins_inside_an_amount_is_no_name(gazetteer) -> None:
    # a headline whose ideographic space is folded away: 克朗 + 斯凯孚 must not read as 克朗斯
    ms = _mentions("投资7.7亿瑞典克朗　斯凯孚在新昌打造全球最大球轴承基地", gazetteer)
    assert [(m.surface, m.key) for m in ms if m.kind == "Company"] == [("斯凯孚", "company/skf")]
    assert [(m.get("value"), m.get("currency")) for m in ms if m.kind == "amount"] == [("770000000", "SEK")]


def test_extract_a_county_whose_name_starts_with_a_descriptive_character_names_a_park(gazetteer) -> None:
    ms = _mentions("新昌项目位于新昌经济开发区，与一期工程紧邻。", gazetteer)
    assert [m.get("name") for m in ms if m.kind == "Park"] == ["新昌经济开发区"]
    assert not [m for m in _mentions("项目位于新经济开发区。", gazetteer) if m.kind == "Park"]


def test_extract_a_short_name_inside_a_longer_proper_name_is_no_name(gazetteer) -> None:
    # 布勒 (Bühler) inside the Hungarian city 德布勒森; 南亚 inside 东南亚
    assert not [m for m in _mentions("德布勒森工厂将进一步提升公司竞争力。", gazetteer) if m.kind == "Company"]
    assert not [m for m in _mentions("公司产品销往欧美、东南亚等国家和地区。", gazetteer) if m.kind == "Company"]
    # the name alone, or after its country (韩国现代 is one word to jieba), is still read
    assert [m.key for m in _mentions("西门子、布勒等企业在无锡投资。", gazetteer) if m.kind == "Company"] == [
        "company/siemens", "company/buhler"]
    assert "company/hyundai" in {m.key for m in _mentions("韩国现代汽车投资建设新工厂。", gazetteer)}


def test_extract_a_quarter_after_a_place_belongs_to_the_park_but_not_before_a_city(gazetteer) -> None:
    ms = _mentions("根据公告，匈牙利工厂位于德布勒森南部工业园区，占地二百二十一公顷。", gazetteer)
    assert [m.get("name") for m in ms if m.kind == "Park"] == ["德布勒森南部工业园区"]
    ms = _mentions("宁德时代与匈牙利东部城市德布勒森市政府正式签署预购地协议。", gazetteer)
    assert [m.get("name") for m in ms if m.kind == "Institution"] == ["德布勒森市政府"]


def test_extract_a_country_prefixed_brand_before_what_its_project_makes(gazetteer) -> None:
    # brand + adjective + product + making word + 项目: the brand is the name
    for text, name in (("德国威伊艾姆高端电机研制项目在区内竣工开业。", "威伊艾姆"),
                       ("前年11月，韩国恩特斯半导体智能装备项目参加了集中签约。", "恩特斯")):
        ms = _mentions(text, gazetteer)
        assert [m.get("name") for m in ms if m.kind == "Company"] == [name], text


def test_extract_agencies_and_organisations_end_institution_names(gazetteer) -> None:
    ms = _mentions("德国达姆斯塔特应用科技大学、德国高级专家组织等机构签订合作协议。", gazetteer)
    assert {m.get("name") for m in ms if m.kind == "Institution"} == {"达姆斯塔特应用科技大学", "德国高级专家组织"}


def test_extract_descriptions_and_references_are_no_names(gazetteer) -> None:
    def names(text: str, kind: str) -> list[str]:
        return [m.get("name") or m.surface for m in _mentions(text, gazetteer) if m.kind == kind]
    # 国际 is no 法国; 中 stopped by the walk is still the 中 of a bilateral park
    assert names("生态园规划建设中法科技产业园、中法国际汽车博览城。", "Park") == ["中法科技产业园"]
    assert not [m for m in _mentions("中法国际汽车博览城开工。", gazetteer) if m.kind == "Country"]
    assert names("从一座博世工厂，到一个国家级中德合作区，蒲江用了三年时间。", "Park") == []
    # the kind after the adjective of a country, a meeting, counted firms, the park named before
    assert names("德资企业克劳斯玛菲机械有限公司中国区首席执行官在会上说。", "Company") == ["克劳斯玛菲机械有限公司"]
    assert names("在此前召开的嘉兴德资企业座谈会上，企业负责人与政府部门面对面交流。", "Company") == []
    assert names("近30家台湾上市公司在长沙投资。", "Company") == []
    assert names("杜邦又宣布投资约3000万美元，在上述化工园区内新建一座工厂。", "Park") == []


def test_extract_a_subsidiary_described_is_no_name(gazetteer) -> None:
    ms = _mentions("2011年8月，住友集团旗下子公司又一项目在开发区举行奠基仪式，项目总投资30亿日元。", gazetteer)
    assert [(m.surface, m.country) for m in ms if m.kind == "Company"] == [("住友集团", "JP")]


def test_extract_investment_zones_and_branch_parks(gazetteer) -> None:
    # 投资区 names a park (福州青口投资区); a park's branch in a city (香港科学园深圳分园) is one park, in that city;
    # 台商投资区 alone is a class of parks, and 投资区域 is "area".
    text = ("10月23日，福建戴姆勒汽车工业有限公司工厂在福州青口投资区举行奠基仪式。"
            "香港科技园公司在深圳设立的香港科学园深圳分园昨日正式开幕。"
            "海沧是大陆最早的国家级台商投资区之一。今年以来外商在苏州投资区域不断扩大。")
    parks = {(m.get("name") or m.surface, m.country) for m in _mentions(text, gazetteer) if m.kind == "Park"}
    assert parks == {("福州青口投资区", "CN"), ("香港科学园深圳分园", "CN")}, parks


def test_extract_list_items_described_by_their_sum_and_brands_with_their_line(gazetteer) -> None:
    # 总投资15亿美元的实联化工: an item named after its sum; 旺旺食品: a weak name (旺旺) made sure by its line.
    # Products listed after firms (碧迪等的导入可吸收缝合线) stay products.
    text = ("除了富士康科技城，總投資15億美元的實聯化工、10億美元的敏實集團，以及投資規模各約5億美元的旺旺食品，都是當地指標性的台資項目。"
            "跨国企业先进产品——强生、贝朗、飞利浦、碧迪等的导入可吸收缝合线、直线切割吻合器、超高清4K内窥镜等全球同步。")
    companies = {m.get("name") or m.surface for m in _mentions(text, gazetteer) if m.kind == "Company"}
    assert {"实联化工", "敏实集团", "旺旺食品"} <= companies, companies
    assert not any("缝合线" in c or "吻合器" in c for c in companies), companies


def test_extract_a_siting_verb_ends_a_park_name(gazetteer) -> None:
    # 选在, 设在 (jieba does not know them as words) end the name they stand before
    parks = {m.get("name") or m.surface for m in _mentions("项目厂址选在铁山港区，工厂设在钦州港区。", gazetteer)
             if m.kind == "Park"}
    assert not any(p.startswith(("项目", "厂址", "工厂")) for p in parks), parks


def test_extract_names_in_a_list_closed_by_one_countrys_firms_are_of_that_country(gazetteer) -> None:
    # 中兴化成工业株式会社、岩佐织物株式会社等日本企业: found by their legal form, Japanese by the list's close.
    ms = _mentions("这家企业由旭化成纤维株式会社、中兴化成工业株式会社、岩佐织物株式会社等日本企业共同出资兴建。", gazetteer)
    got = {m.surface: m.country for m in ms if m.kind == "Company"}
    assert got.get("中兴化成工业株式会社") == "JP" and got.get("岩佐织物株式会社") == "JP", got


def test_extract_a_known_group_with_its_line_and_kaisha_is_one_company_of_the_group(gazetteer) -> None:
    # 旭化成纤维株式会社 is Asahi Kasei's fibres company, one name; a Japanese company, not a local subsidiary.
    ms = _mentions("该项目由帝人FRONTIER株式会社与旭化成纤维株式会社共同出资。", gazetteer)
    comp = [m for m in ms if m.kind == "Company"]
    comp = [m for m in comp if m.surface.startswith("旭化成")]
    assert [m.surface for m in comp] == ["旭化成纤维株式会社"], comp
    assert comp[0].get("parent") == "company/asahi-kasei" and comp[0].get("role") != "subsidiary", comp[0]


def test_extract_a_legal_form_ends_the_name_before_a_conjunction(gazetteer) -> None:
    # 东丽株式会社与旭化成纤维株式会社 are two firms: the walk back from the second stops at the first's legal form.
    ms = _mentions("该项目由东丽株式会社与旭化成纤维株式会社共同出资。", gazetteer)
    assert sorted(m.surface for m in ms if m.kind == "Company") == ["东丽株式会社", "旭化成纤维株式会社"], ms


@pytest.mark.parametrize(
    ("text", "name", "country"),
    [
        ("玲珑轮胎与塞尔维亚政府签署了追加投资备忘录。", "塞尔维亚政府", "RS"),  # a country's government signs
        ("新莱昂州政府、浙江省境外投资企业协会和华立集团在杭州联合举办推介会。", "新莱昂州政府", ""),  # 新 opens the place
        ("新莱昂州政府、浙江省境外投资企业协会和华立集团在杭州联合举办推介会。", "浙江省境外投资企业协会", "CN"),
        ("由德国电气与电子工业协会（ZVEI）主办的合作大会举行。", "德国电气与电子工业协会", "DE"),  # 与 inside the name
        ("阿布扎比港务局与江苏海投签署了土地开发协议。", "阿布扎比港务局", "AE"),  # a city of a park abroad
        ("万象市政府与云南建投签署协议。", "万象市政府", "LA"),
    ],
)
def test_extract_governments_authorities_and_associations(gazetteer, text, name, country) -> None:
    got = {m.surface: m.country for m in _mentions(text, gazetteer) if m.kind == "Institution"}
    assert got.get(name) == country, got


def test_extract_a_government_of_no_named_place_is_no_party(gazetteer) -> None:
    ms = _mentions("中新两国政府签署协议，当地政府表示欢迎。", gazetteer)
    assert not [m.surface for m in ms if m.kind == "Institution"], ms


def test_extract_the_capital_said_before_a_firm_named_after_a_chinese_city(gazetteer) -> None:
    # 台資的長春穎霆科技有限公司: 长春 is in the brand, the firm is Taiwanese.
    ms = _mentions("2013年12月，台資的長春穎霆科技有限公司與井開區簽約。", gazetteer)
    assert {m.surface: m.country for m in ms if m.kind == "Company"}.get("长春颖霆科技有限公司") == "TW", ms


def test_extract_a_lab_listed_among_firms_is_a_firm_and_verbs_after_a_capital_are_no_name(gazetteer) -> None:
    # 高品医学检验实验室 in a list closed by 等企业 is a firm, Taiwanese by the sentence's 台资; 台资企业转移承接基地
    # says what a place does (转移, 承接 are verbs), and names no Taiwanese firm.
    ms = _mentions("目前已入驻倍斯豪上润康美科技、高品医学检验实验室、凯力美医疗器材等企业，招引一批优质台资项目形成集群。"
                   "井开区也是国台办与江西省政府确定的“台资企业转移承接基地”。", gazetteer)
    got = {m.surface: (m.kind, m.country) for m in ms if m.kind in ("Company", "Institution")}
    assert got.get("高品医学检验实验室") == ("Company", "TW"), got
    assert not any("转移承接" in name for name in got), got


def test_extract_a_province_holding_a_country_name_is_no_country(gazetteer) -> None:
    # 内蒙古久泰新材料有限公司 is a firm of Inner Mongolia: neither 蒙古 (Mongolia) nor a Mongolian firm.
    ms = _mentions("据介绍，内蒙古久泰新材料有限公司成立于2017年3月。蒙古国总统访华。", gazetteer)
    assert [(m.surface, m.country) for m in ms if m.kind in ("Company", "Country")] == [
        ("内蒙古久泰新材料有限公司", "CN"), ("蒙古国", "MN")], ms


def test_extract_an_items_number_is_no_part_of_a_park_name(gazetteer) -> None:
    ms = _mentions("一、重点项目\n（一）海盐经济开发区。7月18日，海盐经济开发区与意大利FNA集团签订项目协议。", gazetteer)
    assert {m.surface for m in ms if m.kind == "Park"} == {"海盐经济开发区"}, ms


def test_extract_a_weak_name_inside_a_word_is_not_extended(gazetteer) -> None:
    # 华东现代化工厂 is "a modern plant in East China": 现代化 is a word, so 现代 + 化工 is no Hyundai firm.
    ms = _mentions("将建成集生产、分拨及区域销售总部于一体的华东现代化工厂。参天制药在苏州投资。", gazetteer)
    assert [m.surface for m in ms if m.kind == "Company"] == ["参天制药"], ms
