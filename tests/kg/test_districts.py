"""kg.districts: gazetteer divisions, short forms in lists, roles."""
from kg import districts
from tests.kg.conftest import snippet


def test_districts_scope_and_key_roles(ctx_of):
    ds, _ = districts.extract(ctx_of(snippet("districts.txt")))
    roles = {d.name: (d.level, d.role) for d in ds}
    assert roles["柯桥区"] == ("区", "key_area")
    assert roles["诸暨市"] == ("市", "in_scope") and roles["新昌县"] == ("县", "in_scope")
    assert len(ds) == 6


def test_districts_short_forms_guided(ctx_of):
    ds, _ = districts.extract(ctx_of(snippet("districts_hz.txt"), city="杭州"))
    roles = {d.name: d.role for d in ds}
    assert roles["桐庐县"] == roles["建德市"] == roles["淳安县"] == "guided"
    assert roles["西湖区"] == "in_scope"
    assert "齐贤镇" in roles and "安昌街道" in roles
    assert not any(d.name.startswith("西湖") and d.name != "西湖区" for d in ds)


def test_districts_mentions_link_passages(ctx_of):
    ds, mentions = districts.extract(ctx_of(snippet("districts.txt")))
    iris = {d.iri for d in ds}
    assert {i for _, i in mentions} == iris


def test_districts_unknown_city_still_finds_towns(ctx_of):
    ds, _ = districts.extract(ctx_of("推进安昌街道、齐贤镇试点。", city="未知"))
    assert {d.name for d in ds} == {"安昌街道", "齐贤镇"}
