"""kg.projects: project tables and named facilities in running text."""
from kg import projects
from tests.kg.conftest import snippet


def test_projects_table_rows(ctx_of):
    ps = projects.extract(ctx_of(snippet("table_projects.txt")))
    got = {p.name: p for p in ps if p.source == "table"}
    assert set(got) == {"后墅路地下管廊", "松陵路地下管廊", "稽山路地下管廊"}   # 合计 skipped
    p = got["松陵路地下管廊"]
    assert p.district == "越城区" and p.attributes["length"] == "1.2公里"
    assert p.attributes["start"] == "中兴大道" and p.attributes["end"] == "袍中路"


def test_projects_text_lists_and_districts(ctx_of):
    names = {p.name: p for p in projects.extract(ctx_of(snippet("projects_text.txt")))}
    assert names["越城区园林垃圾处理中心"].district == "越城区"
    assert "越城区大件垃圾、园林垃圾处置项目" in names
    for d in ("嵊州市", "新昌县", "诸暨市"):
        assert names[f"{d}垃圾焚烧项目"].district == d
    assert "嘉兴LNG应急储配库工程" in names
    assert "钱塘新区LNG应急调峰储运站工程项目" in names


def test_projects_attributes_from_text(ctx_of):
    names = {p.name: p for p in projects.extract(ctx_of(snippet("projects_text.txt")))}
    p = names["循环生态产业园一期工程焚烧项目"]
    assert p.attributes["capacity"].endswith("2250吨/日") and p.attributes["year"] == "2018"


def test_projects_kinds_of_facility_are_not_projects(ctx_of):
    """Generic phrases (亮化工程, 地下综合管廊, 综合性中转站) name a kind of facility, not a project;
    a named, placed or phased one, or one that opens, is a project."""
    text = ("夜间景观照明体系尚未成型,亮化工程分布较为分散。推进地下综合管廊建设工程。"
            "每个县新建1-2个综合性中转站。市区2015年就开始使用餐厨垃圾临时处置中心。"
            "新昌县建设完成眉岱生活垃圾焚烧厂。对大坞岙生活垃圾填埋场生态修复工程加快推进。")
    names = {p.name for p in projects.extract(ctx_of(text))}
    assert not names & {"亮化工程", "地下综合管廊建设工程", "综合性中转站"}
    assert {"餐厨垃圾临时处置中心", "新昌县眉岱生活垃圾焚烧厂",
            "大坞岙生活垃圾填埋场生态修复工程"} <= names


def test_projects_bracketed_instances(ctx_of):
    ps = projects.extract(ctx_of("其中2座污水处理厂(诸暨浣东再生水厂、嵊新污水处理厂)已执行清洁排放标准。"))
    names = {p.name for p in ps}
    assert {"诸暨浣东再生水厂", "嵊新污水处理厂"} <= names
    assert not any("(" in n for n in names)
