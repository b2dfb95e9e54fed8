"""Property tests: the question analyser never raises, and answering any text gives an Answer
(or a QuestionError for empty/too long input) whose citations slice their plan exactly."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qa
from core.errors import QuestionError
from qa.analysis import analyze

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
PUNCT = st.sampled_from(list("，。？！、；：“”（）《》%≤≥<>-—0123456789 \n\t年月日市区县率目标多少哪些对比"))
TEXT = st.text(alphabet=st.one_of(CJK, PUNCT, st.characters()), max_size=120)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(TEXT)
def test_properties_analyser_never_raises(small_ctx, text):
    a = analyze(small_ctx, text)
    assert isinstance(a.terms, (list, tuple))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(TEXT)
def test_properties_answer_is_an_answer_or_a_question_error(mini_ws, text):
    try:
        ans = qa.answer(mini_ws, text)
    except QuestionError:
        assert not text.strip() or len(text.strip()) > mini_ws.cfg.max_question_chars
        return
    assert isinstance(ans.found, bool) and ans.answer
    for c in ans.citations + ans.related:
        assert c.quote == mini_ws.corpus.raw(c.doc)[c.start:c.end]
