"""kg.orgs: issuing bodies and departments with a place prefix."""
from conftest import snippet

from kg import orgs


def test_orgs_named_departments(ctx_of):
    names = {o.name for o in orgs.extract(ctx_of(snippet("orgs.txt")))}
    assert {"绍兴市发展和改革委员会", "绍兴市综合行政执法局", "诸暨市智慧城管中心", "诸暨市信访局",
            "市大数据局", "市政府", "省住建厅"} <= names


def test_orgs_no_false_bureaus(ctx_of):
    names = {o.name for o in orgs.extract(ctx_of(snippet("orgs.txt")))}
    assert not any(n.endswith(("格局", "部门")) for n in names)
