"""kg.regulations: titles, kinds and statuses scoped to the clause of their verb."""
from kg import regulations
from tests.kg.conftest import snippet


def _status(ctx_of, text, section=""):
    regs, _ = regulations.extract(ctx_of(text, section=section))
    return {r.title: r.status for r in regs}


def test_regulations_list_shares_verb(ctx_of):
    st = _status(ctx_of, snippet("regulations.txt"))
    for t in ("《绍兴市城市管理条例》", "《绍兴市城市管理工作标准》", "《绍兴市城市照明管理办法》"):
        assert st[t] == "to_issue"
    assert st["《绍兴市养犬管理条例》"] == st["《绍兴市城市河道建设和管理条例》"] == "to_revise"


def test_regulations_verb_after_titles(ctx_of):
    st = _status(ctx_of, snippet("regulations.txt"))
    assert st["《绍兴市生活垃圾处置服务标准》"] == "to_issue"
    assert st["《杭州市市政设施管理条例》"] == "to_revise"


def test_regulations_existing_forms(ctx_of):
    st = _status(ctx_of, snippet("regulations.txt"))
    assert st["《绍兴市区户外广告和招牌设置管理规定》"] == "existing"
    assert st["《绍兴市水平衡测试管理办法》"] == "existing"        # 修订了: done
    assert st["《杭州市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要》"] == "existing"
    assert st["《关于做好平台建设和联网工作的通知》"] == "existing"


def test_regulations_own_title_mentioned_and_anaphoric_revision(ctx_of):
    st = _status(ctx_of, snippet("regulations.txt"))
    assert st["《绍兴市城市管理“十四五”规划》"] == "mentioned"
    assert st["《绍兴市区环境卫生专项规划》"] == "to_revise"


def test_regulations_review_section_makes_issue_verbs_existing(ctx_of):
    st = _status(ctx_of, "编制《绍兴市区工业用水定额》。", section="一、“十三五”成就")
    assert st["《绍兴市区工业用水定额》"] == "existing"


def test_regulations_kind_from_title():
    assert regulations.kind_of("《城市综合管理服务平台建设指南(试行)》") == "指南"
    assert regulations.kind_of("《绍兴市区户外广告设置指引规划(修编)(2020-2025)》") == "规划"
    assert regulations.kind_of("《绍兴市区工业用水定额》") == "定额"
    assert regulations.kind_of("《某某白皮书》") == "other"


def test_regulations_offsets_point_at_title(ctx_of):
    ctx = ctx_of(snippet("regulations.txt"))
    regs, mentions = regulations.extract(ctx)
    assert all(ctx.raw[r.start:r.end] == r.title for r in regs)
    assert len(mentions) >= len(regs)
