from __future__ import annotations

import pytest

from kg.extract import extract_mentions, pattern_key
from kg.model import Article
from kg.relate import collect_entities, relate
from kg.segment import segment


def _invested(facts, ents) -> set[tuple[str, str]]:
    """(investor, host) of every investment fact, by their Chinese labels."""
    names = {e.key: e.label_zh for e in ents}
    return {(names.get(a, a), names.get(b, b)) for a, b in (f.parties for f in facts if f.kind == "investment")}


def _invested_amounts(facts, ents) -> set[tuple[str, str, str]]:
    """(investor, host, amount) of every investment fact, by Chinese labels; the amount is '' when none is given."""
    names = {e.key: e.label_zh for e in ents}
    return {(names[f.parties[0]], names[f.parties[1]], f.amount.value if f.amount else "")
            for f in facts if f.kind == "investment"}


def _paired(facts, ents, detail: str | None = None) -> set[frozenset[str]]:
    """The parties of every cooperation fact (of one kind, when ``detail`` is given), by their Chinese labels."""
    names = {e.key: e.label_zh for e in ents}
    return {frozenset(names.get(k, k) for k in f.parties) for f in facts
            if f.kind == "cooperation" and (detail is None or f.detail == detail)}


def _facts(text: str, gazetteer, date: str = "2024-05-01"):
    art = Article(id="r", path="r.txt", text=text, date=date)
    ss = segment(art)
    ms = extract_mentions(ss, gazetteer, date)
    facts = relate(art, ss, ms, gazetteer)
    return facts, collect_entities(art, ss, ms, facts, gazetteer)


def test_relate_investment_with_amount_sector_and_evidence(gazetteer) -> None:
    text = "位于苏州工业园区的西门子医疗新工厂总投资3亿欧元，主要生产磁共振设备。"
    facts, _ = _facts(text, gazetteer)
    inv = [f for f in facts if f.kind == "investment"]
    assert [(f.parties[1], f.amount.value, f.amount.currency, f.amount.qualifier) for f in inv] == [
        ("park/suzhou-industrial-park", "300000000", "EUR", "total")]
    assert inv[0].evidence.quote == text
    assert "medtech" in inv[0].sectors


def test_relate_host_from_context_and_country_host(gazetteer) -> None:
    text = ("苏州工业园区持续扩大开放。硕腾投资超2亿美元设立其在亚洲最大的动物疫苗研发生产基地。"
            "辉瑞宣布计划在中国投资逾10亿美元。")
    facts, _ = _facts(text, gazetteer)
    got = sorted((f.parties[0], f.parties[1], f.amount.value if f.amount else "") for f in facts if f.kind == "investment")
    assert got == [("company/pfizer", "country/CN", "1000000000"),
                   ("company/zoetis", "park/suzhou-industrial-park", "200000000")]


def test_relate_a_park_named_near_by_beats_the_park_of_the_context(gazetteer) -> None:
    text = ("苏州工业园区持续扩大开放，去年新设外资项目一百余个，博世也在园区设立了新的研发中心。"
            "日本松下的车载电池项目也落户江苏。二〇一五年五月，松下在昆山经济技术开发区投资二十六亿元建设电池工厂。")
    facts, _ = _facts(text, gazetteer)
    got = sorted((f.parties[0], f.parties[1], f.amount.value if f.amount else "") for f in facts if f.kind == "investment")
    assert ("company/panasonic", "park/suzhou-industrial-park", "") not in got, got
    assert ("company/panasonic", "park/kunshan-etdz", "2600000000") in got, got
    assert ("company/bosch", "park/suzhou-industrial-park", "") in got, got  # nobody names another park for it


def test_relate_domestic_partners_are_not_investors(gazetteer) -> None:
    text = "苏州工业园区内，赛诺菲设立亚洲首个全球研究院，并与百图生科、信达生物等开展合作。"
    facts, _ = _facts(text, gazetteer)
    investors = {f.parties[0] for f in facts if f.kind == "investment"}
    partners = {f.parties for f in facts if f.kind == "cooperation" and f.detail == "partnership"}
    assert investors == {"company/sanofi"}
    assert ("company/sanofi", "company/biomap") in partners


def test_relate_statistics_and_outbound(gazetteer) -> None:
    text = "无锡高新区企业累计对德国投资项目3个，中方协议投资额达1200万美元。无锡高新区实际利用外资12亿美元。"
    facts, _ = _facts(text, gazetteer)
    out = [(f.parties, f.amount.value, f.amount.qualifier) for f in facts if f.kind == "outbound"]
    assert out == [(("park/wuxi-hnd", "country/DE"), "12000000", "agreed")]
    assert not [f for f in facts if f.kind == "investment"]
    assert [(f.detail, f.amount.value) for f in facts if f.kind == "statistic"] == [("实际利用外资", "1200000000")]


def test_relate_signed_agreement_and_visit(gazetteer) -> None:
    text = ("2024年3月5日，苏州工业园区管委会与新加坡经济发展局签署合作备忘录。"
            "德国联邦外贸与投资署代表团率团来访苏州工业园区。")
    facts, ents = _facts(text, gazetteer)
    kinds = sorted(f.detail for f in facts if f.kind == "cooperation")
    assert "agreement" in kinds and "visit" in kinds
    assert any(e.type.value == "Agreement" and e.label_zh == "合作备忘录" for e in ents)


def test_relate_without_any_park_the_host_is_china(gazetteer) -> None:
    facts, _ = _facts("德国博世宣布投资5亿美元建设新工厂，主要生产汽车零部件。", gazetteer)
    assert [(f.parties, f.amount.value) for f in facts if f.kind == "investment"] == [
        (("company/bosch", "country/CN"), "500000000")]
    facts, _ = _facts("德国博世宣布在越南投资5亿美元建设新工厂。", gazetteer)
    assert [f for f in facts if f.kind == "investment"] == []


@pytest.mark.parametrize(("text", "expected"), [
    ("近日，美国霍尼韦尔公司与天津经济技术开发区签署投资协议，将投资1.2亿美元建设亚太研发中心。",
     ("company/honeywell", "park/tianjin-etdz", "120000000")),
    ("日本东丽株式会社在南通经济技术开发区增资5000万美元扩建碳纤维生产线。",
     ("company/toray", "park/nantong-etdz", "50000000")),
    ("法国施耐德电气宣布，其位于武汉经开区的新工厂正式投产。", ("company/schneider", "park/wuhan-etdz", "")),
    ("3月15日，丹麦诺和诺德天津生产基地扩建项目在天津经济技术开发区开工，总投资约8亿元人民币。",
     ("company/novo-nordisk", "park/tianjin-etdz", "800000000")),
])
def test_relate_phrasings_from_other_parks(text: str, expected: tuple[str, str, str], gazetteer) -> None:
    facts, _ = _facts(text, gazetteer)
    got = [(f.parties[0], f.parties[1], f.amount.value if f.amount else "") for f in facts if f.kind == "investment"]
    assert got == [expected]


def test_relate_strategic_agreement_alone_is_not_an_investment(gazetteer) -> None:
    facts, _ = _facts("新加坡凯德集团与苏州工业园区签订战略合作协议。", gazetteer)
    assert [f.kind for f in facts if f.kind == "investment"] == []
    assert ("company/capitaland", "park/suzhou-industrial-park") in {f.parties for f in facts if f.detail == "agreement"}


def test_relate_a_name_keeps_its_country_through_the_article(gazetteer) -> None:
    # 柯伦堡集团 is a made-up name (伯曼集团 in the real sentence, which the gazetteer now knows): found by its
    # suffix after 德国北威州, it stays German in the later sentences that name it alone.
    text = ("授牌仪式在德国北威州柯伦堡集团总部举行。柯伦堡集团创立于1935年。"
            "按规划，柯伦堡集团将在太仓高新区设立资产公司和运营公司两个主体。博泽、克朗斯、柯伦堡等德资企业都在太仓。")
    facts, ents = _facts(text, gazetteer)
    investors = {f.parties[0] for f in facts if f.kind == "investment"}
    key = pattern_key("company", "柯伦堡集团")
    assert key in investors, investors
    assert {e.country for e in ents if e.key == key} == {"DE"}


def test_relate_attending_an_investment_event_is_not_investing(gazetteer) -> None:
    text = ("中德生态园驻德办事处在慕尼黑运营，欧博迈亚、辛北尔康普等百余家德国企业代表参加了同期举办的投资说明会。"
            "同年，阿米拉德、卡尔梅塔等以色列企业落户中以常州创新园。")  # made-up names: no gazetteer holds them
    facts, _ = _facts(text, gazetteer)
    investors = sorted(f.parties[0] for f in facts if f.kind == "investment")
    assert len(investors) == 2 and all(k.startswith("company/x-") for k in investors), investors
    hosts = {f.parties[1] for f in facts if f.kind == "investment"}
    assert hosts == {"park/china-israel-changzhou-innovation-park"}


def test_relate_a_city_named_as_destination_overrides_a_park_elsewhere(gazetteer) -> None:
    park = "中以常州创新园今年新增以色列企业二十家。"
    other = _facts(park + "博世已在烟台投资兴业。", gazetteer)[0]
    assert [(f.parties[0], f.parties[1]) for f in other if f.kind == "investment"] == [("company/bosch", "country/CN")]
    same = _facts(park + "博世已落户常州。", gazetteer)[0]  # the park's own city: the park stays the host
    assert [(f.parties[0], f.parties[1]) for f in same if f.kind == "investment"] == [
        ("company/bosch", "park/china-israel-changzhou-innovation-park")]


def test_relate_a_total_over_a_list_of_firms_is_nobodys_amount(gazetteer) -> None:
    text = "中法武汉生态示范城持续发展。法国凯奥雷斯集团等16家中外企业签约进驻生态城，项目投资合计约1000亿元。"
    facts, _ = _facts(text, gazetteer)
    inv = [f for f in facts if f.kind == "investment"]
    assert len(inv) == 1 and inv[0].amount is None and inv[0].parties[1] == "park/sino-french-wuhan-eco-city"


def test_relate_a_sentence_about_the_last_project_may_name_the_investors_own_country(gazetteer) -> None:
    first = "埃克森美孚惠州乙烯项目投产仪式在惠州大亚湾经济技术开发区举行。"
    facts, _ = _facts(first + "这个总投资超过100亿美元的项目，是美国企业在华独资建设的第一个重大石化项目。", gazetteer)
    got = {(f.parties[0], f.amount.value if f.amount else "", f.amount.qualifier if f.amount else "")
           for f in facts if f.kind == "investment"}
    assert ("company/exxonmobil", "10000000000", "over") in got, got
    abroad, _ = _facts(first + "这个项目总投资超过100亿美元，所需设备从德国进口。", gazetteer)
    assert not [f for f in abroad if f.kind == "investment" and f.amount is not None]


def test_relate_amounts_that_belong_to_the_one_company_named_and_to_nobody_else(gazetteer) -> None:
    park = "南京经济技术开发区迎来新项目。"
    lg = _facts(park + "同年10月项目破土动工，初期总投资约5亿美元，是LG化学继韩国梧仓工厂、美国霍兰德工厂之后的第三个电池生产基地。",
                gazetteer)[0]
    got = [(f.parties[0], f.amount.value if f.amount else "") for f in lg if f.kind == "investment"]
    assert got == [("company/lg-chem", "500000000")], got  # the plants it is compared with are not investing
    served = _facts(park + "华能国际电力将为包括LG化学在内的园区企业提供绿电，该项目总投资20亿元。", gazetteer)[0]
    assert not [f for f in served if f.kind == "investment"]


def test_relate_a_company_with_an_unquoted_short_form_signs_and_invests(gazetteer) -> None:
    text = ("昨日，奥地利泽维与系统技术股份公司（简称泽维斯）与重庆两江新区签署协议，计划投资约十亿欧元，在两江新区新建工厂。"
            "泽维斯是全球领先的载板制造商。")  # a made-up firm
    facts, ents = _facts(text, gazetteer)
    inv = [f for f in facts if f.kind == "investment"]
    assert [(f.parties[1], f.amount.value, f.amount.currency) for f in inv] == [
        ("park/liangjiang-new-area", "1000000000", "EUR")]
    firm = next(e for e in ents if e.key == inv[0].parties[0])
    assert firm.country == "AT" and "泽维斯" in firm.aliases, firm
    # a short form the gazetteer knows makes the whole name that company
    known, _ = _facts(text.replace("泽维", "科技").replace("科技斯", "奥特斯"), gazetteer)
    assert {f.parties[0] for f in known if f.kind == "investment"} == {"company/ats"}


def test_relate_a_cooperation_agreement_with_a_park_is_no_investment(gazetteer) -> None:
    text = "中以常州创新园、华森医疗等与以色列趋势线孵化器签署联合研发战略合作协议，重点在医疗器械技术领域联合研发。"
    facts, _ = _facts(text, gazetteer)
    assert not [f for f in facts if f.kind == "investment"]
    pairs = {f.parties for f in facts if f.kind == "cooperation" and f.detail == "agreement"}
    assert any(p[0] == "park/china-israel-changzhou-innovation-park" and p[1].startswith("company/x-") for p in pairs), pairs
    # a framework agreement whose sentence goes on to the money is still an investment
    signed = _facts("2015年5月，大连保税区管委会与松下签署合作框架协议，项目投资总额二十六亿元。", gazetteer)[0]
    assert [(f.parties[0], f.amount.value) for f in signed if f.kind == "investment"] == [
        ("company/panasonic", "2600000000")]


def test_relate_many_firms_money_is_not_the_last_projects(gazetteer) -> None:
    text = ("松下在大连保税区投资二十六亿元建设电池工厂。"
            "据报道，日本在大连设立的企业已超过五千家，投资额接近二百亿美元。")
    facts, _ = _facts(text, gazetteer)
    assert [f.amount.value for f in facts if f.kind == "investment"] == ["2600000000"]


def test_relate_firms_listed_as_those_that_settled_are_investing(gazetteer) -> None:
    text = "平湖经济技术开发区设立于1996年。早年落户开发区的日资企业，就包括黑田精工、津上精密、三菱化学等知名企业。"
    facts, _ = _facts(text, gazetteer)
    hosts = {f.parties[1] for f in facts if f.kind == "investment"}
    assert hosts == {"park/pinghu-etdz"} and len([f for f in facts if f.kind == "investment"]) == 3


def test_relate_every_partner_of_a_joint_venture(gazetteer) -> None:
    text = "2002年，东风汽车集团、江苏悦达集团与韩国起亚三方合资组建东风悦达起亚汽车有限公司。"
    facts, ents = _facts(text, gazetteer)
    jv = {frozenset(f.parties) for f in facts if f.kind == "cooperation" and f.detail == "joint_venture"}
    yueda = next(e.key for e in ents if e.label_zh == "江苏悦达集团")
    assert {frozenset(("company/dongfeng", "company/kia")), frozenset((yueda, "company/kia")),
            frozenset(("company/dongfeng", yueda))} <= jv, jv
    assert not [e for e in ents if "合资" in e.label_zh]  # 三方合资组建 is no part of a name


def test_relate_the_bare_yuanqu_is_the_park_called_yuan_near_by(gazetteer) -> None:
    """An article on 中瑞镇江生态产业园 inside 镇江新区: 园区 is the eco-park, 瑞 is Switzerland, and the total
    of nine signed projects is nobody's own amount."""
    text = ("中瑞镇江生态产业园是中国与瑞士两国政府间的战略性合作项目。同年，产业园最终选址镇江新区。\n\n"
            "目前，园区已签约9个领先项目，总投资2.8亿美元，其中包括瑞士科莱恩集团的精细化学品项目。")
    facts, ents = _facts(text, gazetteer)
    park = next(e.key for e in ents if e.label_zh == "中瑞镇江生态产业园")
    inv = [(f.parties, f.amount) for f in facts if f.kind == "investment"]
    assert inv == [(("company/clariant", park), None)], inv
    assert any(f.parties == (park, "country/CH") for f in facts if f.kind == "cooperation")


def test_relate_a_sister_plant_abroad_and_the_parks_own_town(gazetteer) -> None:
    sister = _facts("成都高新技术产业开发区的西门子工厂是西门子在中国最大的数字化工厂，也是德国安贝格电子制造工厂的姊妹工厂。",
                    gazetteer)[0]
    assert {f.parties[0] for f in sister if f.kind == "investment"} == {"company/siemens"}
    town = _facts("平湖经济技术开发区迎来新项目。二〇二二年，日本电产在平湖追加投资，项目总投资三亿美元，是日本电产在中国投资最大的项目。",
                  gazetteer)[0]
    assert {f.parties for f in town if f.kind == "investment"} == {("company/nidec", "park/pinghu-etdz")}


def test_relate_partners_that_develop_a_zone_together(gazetteer) -> None:
    text = "西港特区由江苏无锡的红豆集团联合无锡华泰投资置业有限公司，与柬埔寨国际投资开发集团有限公司共同开发建设。"
    facts, ents = _facts(text, gazetteer)
    pairs = _paired(facts, ents)
    assert frozenset(("红豆集团", "柬埔寨国际投资开发集团有限公司")) in pairs, pairs  # the country stays: the rest is generic
    assert frozenset(("无锡华泰投资置业有限公司", "柬埔寨国际投资开发集团有限公司")) in pairs, pairs


def test_relate_a_firm_bought_abroad_and_another_investors_money(gazetteer) -> None:
    park = "威海火炬高技术产业开发区持续扩大开放。"
    bought = _facts(park + "迪尚集团投资4190万美元并购韩国AVISTA服装，石岛港务集团开通石岛港至韩国群山港的航线。", gazetteer)[0]
    assert not [f for f in bought if f.kind == "investment"]
    other = _facts(park + "惠普高端喷墨项目在高新区推进。国产品牌联想图像也投资10亿元建设打印机项目。", gazetteer)[0]
    assert [f.amount for f in other if f.kind == "investment"] == [None]


def test_relate_a_described_partner_and_a_name_jieba_reads_as_a_verb(gazetteer) -> None:
    text = "该公司由北汽集团与韩国最大的汽车内饰企业韩一理化株式会社合资设立。"
    facts, ents = _facts(text, gazetteer)
    jv = _paired(facts, ents, "joint_venture")
    assert frozenset(("北汽集团", "韩一理化株式会社")) in jv, jv


def test_relate_firms_listed_after_yu_sign_with_the_subject_not_with_each_other(gazetteer) -> None:
    text = ("罗格朗是全球电气系统企业，上世纪90年代已进入惠州。"
            "市代表团赴法国开展投资促进活动，与壳牌、罗格朗、ADO等6家企业签订投资协议。")
    facts, ents = _facts(text, gazetteer)
    names = {e.key: e.label_zh for e in ents}
    coop = [f for f in facts if f.kind == "cooperation"]
    # the topic (罗格朗) is one of those signed with, so the unnamed delegation signed: no pair among the firms
    assert not [f for f in coop if f.detail == "agreement"], [(names.get(a), names.get(b)) for a, b in (f.parties for f in coop)]
    assert {names[f.parties[0]] for f in coop if f.detail == "party"} == {"壳牌", "罗格朗", "ADO"}
    # with a topic that is not in the list, the topic signs with each listed firm, and they not with each other
    facts, ents = _facts("西门子持续加码中国市场。西门子上月在北京与壳牌、罗格朗签署合作协议。", gazetteer)
    names = {e.key: e.label_zh for e in ents}
    signed = _paired(facts, ents, "agreement")
    assert signed == {frozenset(("西门子", "壳牌")), frozenset(("西门子", "罗格朗"))}, signed


def test_relate_a_signing_with_no_agreement_named(gazetteer) -> None:
    facts, ents = _facts("——欧银集团与罗斯柴尔德财团签约金融合作项目。", gazetteer)
    signed = _paired(facts, ents, "agreement")
    assert signed == {frozenset(("欧银集团", "罗斯柴尔德财团"))}, signed


def test_relate_a_firms_own_site_is_a_park_but_not_the_host(gazetteer) -> None:
    text = ("无锡国家高新技术产业开发区加快对欧合作。施耐德电气无锡绿色智能产业园奠基，项目总投资1.5亿美元。"
            "据统计，法国企业在无锡累计投资总额达6.74亿美元。")
    facts, ents = _facts(text, gazetteer)
    names = {e.key: e.label_zh for e in ents}
    assert "无锡绿色智能产业园" in names.values()  # the site is still named
    inv = [(names[f.parties[1]], f.amount.value if f.amount else "") for f in facts if f.kind == "investment"]
    # the money goes to the park around the site; the French firms' total is nobody's
    assert inv == [("无锡国家高新技术产业开发区", "150000000")], inv
    facts, ents = _facts("宁波经济技术开发区位于北仑。台塑集团在台塑宁波工业园区总投资20.7亿美元建设一期项目。", gazetteer)
    names = {e.key: e.label_zh for e in ents}
    assert [names[f.parties[1]] for f in facts if f.kind == "investment"] == ["宁波经济技术开发区"]


def test_relate_a_country_written_before_a_signatory_is_its_home_not_a_party(gazetteer) -> None:
    facts, ents = _facts("2016年10月28日，浙江省人民政府与美国波音公司、中国商飞公司在杭州签署战略合作框架协议。", gazetteer)
    names = {e.key: e.label_zh for e in ents}
    signed = _paired(facts, ents, "agreement")
    assert frozenset(("浙江省人民政府", "波音")) in signed and frozenset(("浙江省人民政府", "中国商飞")) in signed, signed
    assert not [f for f in facts if f.kind == "cooperation" and "country/US" in f.parties]
    # a country's exchange or bank is a name of its own
    facts, ents = _facts("广州开发区管委会与新加坡交易所签署谅解备忘录。", gazetteer)
    names = {e.key: e.label_zh for e in ents}
    assert {frozenset(names[k] for k in f.parties) for f in facts if f.detail == "agreement"} == {
        frozenset(("广州经济技术开发区", "新加坡交易所"))}


def test_relate_a_chinese_firms_plant_named_after_a_foreign_country_is_outbound(gazetteer) -> None:
    facts, _ = _facts("九月五日，宁德时代与德布勒森市政府签署预购地协议，标志着宁德时代匈牙利工厂项目正式启动。", gazetteer)
    assert [f.parties for f in facts if f.kind == "outbound"] == [("company/catl", "country/HU")]
    # a foreign firm's plant named after its own country is no Chinese outbound investment
    facts, _ = _facts("西门子德国工厂项目正式启动。", gazetteer)
    assert not [f for f in facts if f.kind == "outbound"]


def test_relate_a_park_later_in_the_firms_list_is_a_fellow_item_not_its_host(gazetteer) -> None:
    text = ("青岛高新技术产业开发区招商步伐加快。除博世外，美国TRW、香港招商局软件与创意产业园以及中欧生态科技园综合服务区"
            "等一批项目也已相继落户建设。近年来，高新区主园区抓住机遇加快发展。")
    facts, ents = _facts(text, gazetteer)
    assert ("TRW", "青岛高新技术产业开发区") in _invested(facts, ents)
    # 高新区主园区 is a part of the park the article is about, not a park of its own
    assert "高新区主园区" not in {e.label_zh for e in ents}


def test_relate_a_gazetteer_parks_declared_short_form_and_its_administration_as_a_party(gazetteer) -> None:
    text = ("会上双方共签署16个合作项目，其中8个落户中新广州知识城（下称“知识城”）。\n"
            "落户知识城的8个项目包括：广州开发区管委会与新加坡交易所签署谅解备忘录；新加坡马光医疗集团(中国)项目；"
            "以及新加坡百吉(中国)生物医药基地项目。")
    facts, ents = _facts(text, gazetteer)
    names = {e.key: e.label_zh for e in ents}
    hosts = {names[f.parties[0]]: names[f.parties[1]] for f in facts if f.kind == "investment"}
    # the projects go to the park the list is about, not to the administration that signed in the first item
    assert hosts.get("马光医疗集团") == "中新广州知识城", hosts


def test_relate_a_foreign_firm_in_a_park_abroad_is_no_fact_of_the_graph(gazetteer) -> None:
    text = ("根据公告，宁德时代匈牙利工厂位于德布勒森南部工业园区。"
            "工厂周边分布着奔驰、宝马、斯特兰蒂斯等整车企业的生产基地，有利于宁德时代就近配套。")
    facts, ents = _facts(text, gazetteer)
    park = next(e for e in ents if e.label_zh == "德布勒森南部工业园区")
    assert park.country == "HU"  # a transliterated place after the country the sentence names
    assert not [f for f in facts if f.kind == "investment" and f.parties[0] in ("company/bmw", "company/stellantis")]
    assert ("company/catl", "country/HU") in [f.parties for f in facts if f.kind == "outbound"]


def test_relate_a_city_that_signs_is_its_government_as_a_party(gazetteer) -> None:
    facts, ents = _facts("2019年12月3日，威海市与韩国仁川广域市签署《两市加强服务贸易发展战略合作备忘录》。", gazetteer)
    names = {e.key: (e.label_zh, e.country) for e in ents}
    signed = [tuple(sorted(names[k] for k in f.parties)) for f in facts if f.detail == "agreement"]
    assert signed == [(("仁川广域市", "KR"), ("威海市", "CN"))], signed
    # a city named as a place, or inside a park's name, is no party
    facts, ents = _facts("威海市经济技术开发区与三星签署投资协议。日本电装在威海市投资建厂。", gazetteer)
    assert not [e for e in ents if e.label_zh == "威海市"]


def test_relate_one_park_with_and_without_its_county_and_a_supplier_that_does_not_invest(gazetteer) -> None:
    text = ("旺旺集团在望城经济开发区投资16亿元建设乳饮新厂区。"
            "新厂区位于望城县经济开发区，将采用目前全球速度最快的利乐包装生产线。")
    facts, ents = _facts(text, gazetteer)
    assert _invested(facts, ents) == {("旺旺集团", "望城经济开发区")}


def test_relate_a_joint_venture_invests_on_behalf_of_its_one_foreign_partner(gazetteer) -> None:
    text = ("9月7日，神龙汽车有限公司（以下简称“神龙公司”）成都工厂在成都经济技术开发区正式竣工投产。"
            "神龙公司由中国东风汽车公司与法国标致雪铁龙集团（PSA）合资组建。")
    facts, _ = _facts(text, gazetteer)
    inv = [f for f in facts if f.kind == "investment"]
    assert [f.parties for f in inv] == [("company/stellantis", "park/chengdu-etdz")], [f.parties for f in inv]
    assert dict(inv[0].extra)["via"].startswith("company/x-")  # through the venture, named as the article names it
    # the other way of writing it: the partner named first is domestic, the venture invests for Toyota
    facts, _ = _facts("比亚迪股份有限公司与丰田汽车公司共同出资设立的合资公司——比亚迪丰田电动车科技有限公司正式注册成立，"
                      "总部位于深圳市坪山区。", gazetteer)
    assert {f.parties[0] for f in facts if f.kind == "investment"} == {"company/toyota"}


def test_relate_a_groups_local_company_and_a_joint_projects_money(gazetteer) -> None:
    # a Chinese city + a known group + a legal form: the group's local company invests for the group
    facts, _ = _facts("1998年4月落户开发区的合肥统一企业有限公司，占地120多亩，总投资5000万美元，主要生产饮料。", gazetteer)
    assert ("company/uni-president", "50000000") in {(f.parties[0], f.amount.value) for f in facts
                                                       if f.kind == "investment" and f.amount}
    # the one foreign investor of a project built together with a domestic firm owns its figure
    facts, _ = _facts("根据当时的签约内容，采埃孚与北汽福田将共同投资8亿元建设重型汽车自动变速箱项目。", gazetteer)
    assert [(f.parties[0], f.amount.value) for f in facts if f.kind == "investment" and f.amount] == [
        ("company/zf", "800000000")]


def test_relate_the_company_named_after_a_groups_qixia_acts_for_itself(gazetteer) -> None:
    # 旗下 says the next words name the group's own company, legal form or not; that company invests and signs.
    text = ("淮安经济技术开发区招商成果丰硕。富士康之后，明基集团旗下达方电子投资5亿美元建设新的生产基地。"
            "2013年7月22日，中新吉林食品区所在的吉林市政府与新加坡淡马锡公司旗下的星桥控股公司签约，合资组建开发管理公司。")
    facts, ents = _facts(text, gazetteer)
    invested = _invested(facts, ents)
    assert ("达方电子", "淮安经济技术开发区") in invested, invested
    assert not any(inv in ("明基电通", "淡马锡") for inv, _ in invested), invested
    names = {e.key: e.label_zh for e in ents}
    owned = {(names[a], names[b]) for a, b in (f.parties for f in facts if f.kind == "subsidiary")}
    assert {("达方电子", "明基电通"), ("星桥控股公司", "淡马锡")} <= owned, owned
    signed = _paired(facts, ents)
    assert frozenset(("吉林市政府", "星桥控股公司")) in signed, signed
    assert not any("淡马锡" in pair for pair in signed), signed
    countries = {e.label_zh: e.country for e in ents}
    assert countries["达方电子"] == "TW" and countries["星桥控股公司"] == "SG"


def test_relate_titles_lists_and_quarters_of_the_park_are_not_investments(gazetteer) -> None:
    # 投资总裁 is a title of a speaker, not a firm investing; 丹纳赫等跨国公司 closes a list and names nobody;
    # 园区湖东片区 is a quarter of the park the article is about; 礼来苏州制药有限公司 is Lilly's company in Suzhou.
    text = ("苏州工业园区于1994年经国务院批准设立。2009年3月，礼来苏州制药有限公司还曾在园区湖东片区为一座新厂举行奠基仪式。"
            "近年来，强生、参天制药、丹纳赫等跨国公司也先后在这里投下规模较大的新项目。"
            "罗氏集团首席执行官施楠珂等在会上视频致辞，欧莱雅集团北亚总裁博万尚、淡马锡全球生命科学投资总裁高伟达等在现场发言。")
    facts, ents = _facts(text, gazetteer)
    invested = _invested(facts, ents)
    assert invested == {("礼来", "苏州工业园区")}, invested
    labels = {e.label_zh for e in ents}
    assert "丹纳赫等跨国公司" not in labels and "园区湖东片区" not in labels, labels
    names = {e.key: e.label_zh for e in ents}
    owned = {(names[a], names[b]) for a, b in (f.parties for f in facts if f.kind == "subsidiary")}
    assert ("礼来苏州制药有限公司", "礼来") in owned, owned


def test_relate_every_foreign_partner_named_after_you_invests_in_the_venture(gazetteer) -> None:
    # 由A、B和C共同投资组建: each foreign partner invests, and the venture's total is its figure too.
    text = ("10月23日，福建戴姆勒汽车工业有限公司工厂在福州青口投资区举行奠基仪式。根据合资协议，福建戴姆勒由福建省汽车工业集团有限公司"
            "（简称福汽集团）、德国戴姆勒股份公司和台湾中华汽车工业股份有限公司共同投资组建，项目总投资二十亿元人民币。"
            "在中新吉林食品区，由泰国正大集团与新加坡新吉丰公司共同投资的百万头生猪产业化项目已开工建设。")
    facts, ents = _facts(text, gazetteer)
    got = _invested_amounts(facts, ents)
    assert {("梅赛德斯-奔驰", "福州青口投资区", "2000000000"), ("台湾中华汽车工业股份有限公司", "福州青口投资区", "2000000000"),
            ("正大集团", "中新吉林食品区", ""), ("新吉丰公司", "中新吉林食品区", "")} <= got, got
    assert not any(inv.startswith("福建省汽车") for inv, _, _ in got), got


def test_relate_partners_named_with_their_owner_and_closed_by_their_kind_invest_in_the_venture(gazetteer) -> None:
    # 由帝人集团旗下的A，与B、C、D等日本企业共同出资兴建: A acts for its group, the list ends with 等…企业,
    # and every partner invests in the park of the sentence before, with the venture's total.
    text = ("2012年12月6日，日岩帝人汽车安全用布（南通）有限公司在南通开发区开业。这家企业由帝人集团旗下的帝人FRONTIER株式会社，"
            "与旭化成纤维株式会社、中兴化成工业株式会社、岩佐织物株式会社等日本企业共同出资兴建，总投资12.5亿日元，折合人民币约1亿元。")
    facts, ents = _facts(text, gazetteer)
    got = _invested_amounts(facts, ents)
    for partner in ("帝人FRONTIER株式会社", "旭化成纤维株式会社", "中兴化成工业株式会社", "岩佐织物株式会社"):
        assert (partner, "南通经济技术开发区", "1250000000") in got, got
    assert not any(inv == "帝人集团" and amount for inv, _, amount in got), got


def test_relate_a_park_heading_its_item_is_the_place_of_the_firms_settled_in_it(gazetteer) -> None:
    # A bulletin names two specialised parks of 泉州台商投资区 as numbered items; each item lists the firms
    # that 已入驻 it. The firms are in the item's park (a park of any kind, even one named by generic words),
    # not in the zone the article is about, and a park is never part of itself.
    text = ("4月30日，泉州台商投资区举办台资招商大会，大会通过线上连线方式为两个专业园区揭牌：\n\n"
            "1. 台商精密机械产业园。面积约580亩，目前已入驻钜闽机械、凹凸机械、兴舜成机械、鸿锠机械等台资机械企业。\n\n"
            "2. 台商新兴产业园区。面积约900亩，目前已入驻倍斯豪上润康美科技、凯力美医疗器材等企业，招引一批优质台资项目形成集群。")
    facts, ents = _facts(text, gazetteer)
    got = _invested(facts, ents)
    assert {("钜闽机械", "台商精密机械产业园"), ("鸿锠机械", "台商精密机械产业园"),
            ("倍斯豪上润康美科技", "台商新兴产业园区"), ("凯力美医疗器材", "台商新兴产业园区")} <= got, got
    assert not any(f.kind == "part_of" and f.parties[0] == f.parties[1] for f in facts), facts


def test_relate_one_firm_named_before_a_count_of_firms_and_the_total_of_several_projects(gazetteer) -> None:
    # 东普雷等四家日资企业: one name before a count of one country's firms is a firm of that country; 四个项目…总额
    # is the sum of the four projects, no one's own figure.
    text = "二月三日，东普雷等四家日资企业与襄阳高新区举行项目签约仪式。四个项目合同投资总额二十二亿元。"
    facts, ents = _facts(text, gazetteer)
    assert {e.label_zh: e.country for e in ents}.get("东普雷") == "JP", ents
    assert ("东普雷", "襄阳高新技术产业开发区") in _invested(facts, ents), facts
    assert not [f for f in facts if f.kind == "investment" and f.amount], facts


def test_relate_a_plant_placed_in_a_town_is_not_in_the_park_the_article_is_about(gazetteer) -> None:
    # The article is about a logistics park (东莞—香港国际机场物流园, a park in Dongguan whatever its second place);
    # Vitasoy's plant is signed in 常平镇, a town: it goes to China, not to that park.
    text = ("李家超提到，他提出建设“东莞—香港国际机场物流园”永久设施，首阶段工程将于明年底前完成。"
            "港资企业在东莞加码，维他奶是近年另一个例子。"
            "2017年8月31日，维他奶（东莞）食品饮料生产中心在常平镇签约，投资总额人民币10亿元。")
    facts, ents = _facts(text, gazetteer)
    assert {e.label_zh: e.country for e in ents}.get("东莞—香港国际机场物流园") == "CN", ents
    assert ("维他奶", "中国", "1000000000") in _invested_amounts(facts, ents), facts


def test_relate_a_firm_that_builds_with_a_park_cooperates_with_it(gazetteer) -> None:
    # …双日株式会社计划投资十五亿元，与襄阳高新区共同建设日资中小企业产业园: the firm invests, and the two build together.
    text = "另一家签约企业双日株式会社计划投资十五亿元，与襄阳高新区共同建设日资中小企业产业园。"
    facts, ents = _facts(text, gazetteer)
    assert frozenset({"双日株式会社", "襄阳高新技术产业开发区"}) in _paired(facts, ents, "partnership"), facts


def test_relate_a_known_joint_venture_invests_for_its_foreign_partner(gazetteer) -> None:
    # The gazetteer knows 东风本田's partners: the plant is Honda's money, through the venture, and the venture signs.
    text = ("10月11日上午，东风本田汽车有限公司新能源工厂在武汉经济技术开发区正式投产。"
            "2022年1月5日，武汉经开区与东风本田签署新能源工厂项目投资协议。")
    facts, ents = _facts(text, gazetteer)
    assert _invested(facts, ents) == {("本田", "武汉经济技术开发区")}
    inv = next(f for f in facts if f.kind == "investment")
    assert ("via", "company/dongfeng-honda") in inv.extra
    signed = {frozenset(f.parties) for f in facts if f.kind == "cooperation"}
    assert frozenset(("park/wuhan-etdz", "company/dongfeng-honda")) in signed, signed
    # every partner the gazetteer names is a row of its own
    assert all(p in gazetteer.entities for e in gazetteer.entities.values() for p in e.partners)
    assert gazetteer.entities["company/faw-vw"].partners == ("company/faw", "company/volkswagen")


def test_relate_people_attending_and_parks_that_only_locate(gazetteer) -> None:
    # 总理默克尔 is a person, not 默克 (Merck); a firm's CEO attending a ceremony is no investment by the firm;
    # in 落户浦东张江 the first park only says where the second lies, and the second is the host.
    text = ("上海张江高科技园区迎来新项目。上海市委常委、浦东新区区委书记李政，罗氏制药全球首席执行官特蕾莎·格雷厄姆，"
            "罗氏制药中国总裁边欣等出席启动仪式。1994年，罗氏成为第一家落户浦东张江的跨国制药企业。"
            "2019年9月，德国总理默克尔访华期间，舍弗勒与湖南湘江新区管理委员会签署合作框架协议。")
    facts, ents = _facts(text, gazetteer)
    assert "company/merck-kgaa" not in {e.key for e in ents}
    assert {f.parties for f in facts if f.kind == "investment"} == {
        ("company/roche", "park/shanghai-zhangjiang-hi-tech-park")}
    roche = [f for f in facts if f.kind == "investment"]
    assert all("1994" in f.evidence.quote for f in roche), [f.evidence.quote for f in roche]


def test_relate_shareholders_are_venture_partners_and_a_parks_developer_is_a_company(gazetteer) -> None:
    # Two firms that each hold a share (持股50%) are joint-venture partners; 在华投资公司 names no firm;
    # a company named after a park (深圳市深港科技创新合作区发展有限公司) is a company, and it signs.
    text = ("东风本田成立于2003年7月，东风汽车集团持股50%，本田技研工业株式会社及其在华投资公司合计持股50%。"
            "翻查资料，香港科技园公司与深圳市深港科技创新合作区发展有限公司早于2021年9月签署框架协议，合作建设深圳分园。")
    facts, ents = _facts(text, gazetteer)
    names = {e.key: e.label_zh for e in ents}
    coops = {(frozenset(names[p] for p in f.parties), f.detail) for f in facts if f.kind == "cooperation"}
    assert (frozenset(("东风汽车集团", "本田")), "joint_venture") in coops, coops
    assert any(frozenset(("香港科技园公司", "深圳市深港科技创新合作区发展有限公司")) == pair for pair, _ in coops), coops
    assert not any(label.endswith("华投资公司") for label in names.values()), names


def test_relate_a_parks_old_name_is_the_park_and_a_date_is_no_part_of_a_name(gazetteer) -> None:
    # 淮安经济开发区（今淮安经济技术开发区）: the old name stands for the park wherever the article uses it;
    # 2006年鸿海集团旗下富士康 is Hon Hai's Foxconn in 2006, not a firm called 2006年鸿海集团; 落脚 is settling.
    text = ("2006年鸿海集团旗下富士康决定落脚淮安经济开发区（今淮安经济技术开发区），被当地视为台资北移的起点。"
            "台玻、旺旺食品等台资大厂相继入驻淮安经济开发区。")
    facts, ents = _facts(text, gazetteer)
    assert _invested(facts, ents) == {("鸿海精密", "淮安经济技术开发区"), ("台湾玻璃", "淮安经济技术开发区"),
                                      ("旺旺集团", "淮安经济技术开发区")}, _invested(facts, ents)
    assert not any(e.label_zh.startswith("2006") for e in ents)


def test_relate_co_developers_signing_officials_and_a_subject_away_from_its_verb(gazetteer) -> None:
    # 由A与B联手开发: partners; two officials signing for their organisations: the organisations sign;
    # 舍弗勒又在上海安亭与湖南省政府签署: the subject stands earlier in its clause, not in the sentence before.
    text = ("泰中罗勇工业园由杭州的华立集团与泰国安美德集团联手开发。"
            "9月，舍弗勒又在上海安亭与湖南省政府签署合作协议：舍弗勒大中华区首席运营官Günther Werner与湘潭经开区党工委书记"
            "孙银生在协议上签字。")
    facts, ents = _facts(text, gazetteer)
    pairs = _paired(facts, ents)
    assert {frozenset(("华立集团", "安美德集团")), frozenset(("舍弗勒", "湖南省政府")),
            frozenset(("舍弗勒", "湘潭经济技术开发区"))} <= pairs, pairs
    assert frozenset(("华立集团", "湖南省政府")) not in pairs


def test_relate_a_partners_figure_and_a_city_inside_its_province(gazetteer) -> None:
    # 雷诺曾与三江航天集团出资9800万美元: the one foreign partner's figure; 在湖北孝感建成工厂: the city is 孝感,
    # not the province, so the plant is not in the Wuhan park the article is about.
    text = ("2月1日，东风雷诺汽车有限公司位于武汉经济技术开发区黄金口产业园的首个生产基地举行竣工投产仪式。"
            "1993年，雷诺曾与三江航天集团出资9800万美元组建三江雷诺，双方各占一半股份，1995年在湖北孝感建成工厂，生产商用车。")
    facts, _ = _facts(text, gazetteer)
    got = {(f.parties, f.amount.value if f.amount else "") for f in facts if f.kind == "investment"}
    assert (("company/renault", "country/CN"), "98000000") in got, got
    assert not any(p[1] == "park/wuhan-etdz" and "1993" in f.evidence.quote
                   for f in facts if f.kind == "investment" for p in [f.parties]), got


def test_relate_items_of_a_report_on_parks_in_several_cities_do_not_borrow_a_park(gazetteer) -> None:
    # A province's report: each numbered item is about its own place; an item that names no park is not in the
    # park of the item before it (在川投资 is in Sichuan at large).
    text = ("二、重点外资项目进展\n\n（一）雅保四川氢氧化锂项目建成投产。美国雅保公司年产5万吨氢氧化锂项目位于眉山市四川彭山经济开发区，"
            "项目总投资9亿美元。\n\n（二）泰国天丝红牛项目达产见效。泰国天丝集团红牛饮料（四川）生产基地位于内江经开区，总投资20亿元。\n\n"
            "（三）其他项目。2022年以来，阿斯利康、林德等企业相继在川投资布局。")
    facts, ents = _facts(text, gazetteer)
    hosts = {inv: host for inv, host in _invested(facts, ents)}
    assert hosts["阿斯利康"] == "中国", hosts
    assert hosts["天丝集团"] == "内江经济技术开发区", hosts


def test_relate_buying_a_chinese_firm_and_groundbreaking_in_a_named_park(gazetteer) -> None:
    # 大理创新工业园区 is a park's name (大理 is a city, 创新 belongs to the name); a groundbreaking there is an
    # investment; a tender offer for a Chinese firm is an investment in China, not in that park; the group that
    # announces a deal signs through its company (沙特阿美…：其全资子公司AOC与…签署).
    text = ("10月12日，丹麦嘉士伯集团大理100万吨啤酒生产基地奠基仪式在大理市凤仪镇的大理创新工业园区内举行。"
            "就在国庆长假前，嘉士伯宣布其要约收购重庆啤酒一事已获得中国商务部批准。"
            "沙特阿美又宣布了另一笔对华投资：其全资子公司AOC与浙江荣盛控股集团签署股份买卖协议，受让荣盛石化10%的股份。")
    facts, ents = _facts(text, gazetteer)
    invested = _invested(facts, ents)
    assert {("嘉士伯", "大理创新工业园区"), ("嘉士伯", "中国"), ("沙特阿美", "中国")} <= invested, invested
    pairs = _paired(facts, ents, "agreement")
    assert frozenset(("沙特阿美", "浙江荣盛控股集团")) in pairs, pairs
    assert not any("嘉士伯" in p for p in pairs), pairs


def test_relate_a_centre_named_after_another_city_is_not_in_the_article_park(gazetteer) -> None:
    # The article is about 临沂经开区 (205国道途经开发区 is a road through it, no park); Volvo CE's 济南研发中心
    # stands in Jinan, so it and the sum in the next sentence go to China, not to the park in Linyi.
    text = ("在临沂经济技术开发区，205国道途经开发区的一段被命名为“沃尔沃路”。2011年10月18日，沃尔沃建筑设备济南研发中心举行奠基仪式。"
            "这是沃尔沃建筑设备在中国唯一的产品与技术中心，投资近3亿瑞典克朗，建成后占地约5万平方米。")
    facts, ents = _facts(text, gazetteer)
    assert not any("国道" in e.label_zh for e in ents), ents
    assert [f.parties[1] for f in facts if f.kind == "investment" and f.amount] == ["country/CN"], facts


def test_relate_a_firm_that_announces_a_signing_with_another_signs_with_it(gazetteer) -> None:
    # 沃尔沃建筑设备宣布与山东临工工程机械有限公司签约: 宣布 stands between the first party and 与.
    facts, ents = _facts("2006年底，沃尔沃建筑设备宣布与山东临工工程机械有限公司签约，购买其70%股权。", gazetteer)
    assert frozenset({"沃尔沃建筑设备", "山东临工工程机械有限公司"}) in _paired(facts, ents, "agreement"), facts


def test_relate_a_firm_whose_investing_verb_opens_the_clause_after_its_partnership(gazetteer) -> None:
    # 空气化工产品公司此次与久泰集团合作，投资40余亿元人民币承建…: the firm invests, with the figure of the next clause.
    text = ("9月18日，内蒙古久泰新材料有限公司项目在托清经济开发区正式开工建设。"
            "菲利普在开工后的座谈会上表示，空气化工产品公司此次与久泰集团合作，投资40余亿元人民币承建并运营气化岛的相关板块。")
    facts, ents = _facts(text, gazetteer)
    assert ("空气化工", "托清经济开发区", "4000000000") in _invested_amounts(facts, ents), facts
