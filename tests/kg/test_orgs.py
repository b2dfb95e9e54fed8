"""kg.orgs: issuing bodies and departments with a place prefix."""
from kg import orgs
from tests.kg.conftest import snippet


def test_orgs_named_departments(ctx_of):
    names = {o.name for o in orgs.extract(ctx_of(snippet("orgs.txt")))}
    assert {"绍兴市发展和改革委员会", "绍兴市综合行政执法局", "诸暨市智慧城管中心", "诸暨市信访局",
            "市大数据局", "市政府", "省住建厅"} <= names


def test_orgs_no_false_bureaus(ctx_of):
    names = {o.name for o in orgs.extract(ctx_of(snippet("orgs.txt")))}
    assert not any(n.endswith(("格局", "部门")) for n in names)


def test_orgs_without_place_prefix(ctx_of):
    text = ("建立以市局城市管理监督指挥中心为中枢的指挥体系。4个县智慧城管中心主管部门是综合行政执法局。"
            "进一步加强与发改、征信中心等沟通。核心区域(如CBD、行政中心、文体中心)实施亮化。"
            "建成餐厨垃圾处理中心,与处理中心合作。")
    names = {o.name for o in orgs.extract(ctx_of(text))}
    assert {"市局城市管理监督指挥中心", "综合行政执法局", "征信中心"} <= names
    assert not names & {"行政中心", "文体中心", "处理中心", "餐厨垃圾处理中心", "市局"}


def test_orgs_bare_name_is_not_an_act(ctx_of):
    names = {o.name for o in orgs.extract(ctx_of("下一步的重点是建立智慧城管中心,由市场监管局负责。"))}
    assert "建立智慧城管中心" not in names and "市场监管局" in names
