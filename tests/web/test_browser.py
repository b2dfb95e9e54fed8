"""Browser test: Debian chromium (via Playwright, never `playwright install`) against the real
server (web.http.server.create_app on the session's real build, served by uvicorn on loopback).
Screenshots go to test-artifacts/ (fixture artifacts_dir)."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LONG = 120_000          # ms: the first question loads the embedding model


@pytest.fixture(scope="module")
def server_url(built):
    from tests.web.sparql_fixtures import live_server
    from web.http.server import create_app
    with live_server(create_app(built, built.cfg)) as url:
        yield url + "/"


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, server_url):
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    pg = ctx.new_page()
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.dialogs = dialogs
    pg.goto(server_url)
    pg.wait_for_selector("#pg-question textarea", timeout=60_000)
    yield pg
    ctx.close()


def _ask(page, question: str) -> None:
    page.get_by_role("tab", name="问答").click()
    box = page.locator("#pg-question textarea")
    box.fill(question)
    page.locator("#pg-ask").click()


def _ui_data(built):
    from web.ui.data import UIData
    return UIData(built)


def test_browser_question_shows_answer_with_highlighted_citation(page, built, artifacts_dir):
    from web.ui.examples import example_questions
    questions = example_questions(_ui_data(built))
    assert questions, "no example questions could be built from the graph"
    _ask(page, questions[0])
    page.wait_for_selector("#pg-answer .pg-answer", timeout=LONG)
    answer = page.locator("#pg-answer")
    assert "置信度" in answer.inner_text()
    page.wait_for_selector("#pg-answer .pg-cite mark", timeout=5_000)
    cite = page.locator("#pg-answer .pg-cite").first
    cities = [d.city for d in built.corpus.documents.values()]
    assert any(c in cite.inner_text() for c in cities)
    cite.locator("details summary").first.click()       # the whole section opens
    assert cite.locator("details[open] .pg-text").count() == 1
    page.screenshot(path=str(artifacts_dir / "ui_qa.png"), full_page=True)


def test_browser_example_click_asks_it(page, built):
    from web.ui.examples import example_questions
    question = example_questions(_ui_data(built))[-1]
    page.get_by_role("tab", name="问答").click()
    page.get_by_text(question, exact=True).first.click()
    page.wait_for_selector("#pg-answer .pg-question", timeout=LONG)
    assert question in page.locator("#pg-answer .pg-question").inner_text()
    assert page.locator("#pg-question textarea").input_value() == question


def test_browser_script_question_renders_as_text(page, artifacts_dir):
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>到2025年目标是多少?"
    _ask(page, evil)
    page.wait_for_selector("#pg-answer .pg-question", timeout=LONG)
    page.wait_for_timeout(500)
    assert "<script>alert(1)</script>" in page.locator("#pg-answer .pg-question").inner_text()
    assert page.locator("#pg-answer img").count() == 0
    assert page.dialogs == []
    page.screenshot(path=str(artifacts_dir / "ui_qa_escaped.png"), full_page=False)


def test_browser_empty_question_gives_friendly_message(page):
    _ask(page, "   ")
    page.wait_for_selector("#pg-answer .pg-msg", timeout=30_000)
    text = page.locator("#pg-answer").inner_text()
    assert text.strip() and "Traceback" not in text


def test_browser_compare_tab_shows_every_plan(page, built, artifacts_dir):
    page.get_by_role("tab", name="对比").click()
    table = page.locator("#pg-compare table.pg-compare")
    table.wait_for(timeout=30_000)
    headers = table.locator("thead th").all_inner_texts()
    for doc in built.corpus.documents.values():
        assert any(doc.city in h for h in headers), f"no column for {doc.city}: {headers}"
    assert table.locator("tbody td .pg-val, tbody td .pg-achieved").count() > 0
    page.screenshot(path=str(artifacts_dir / "ui_compare.png"), full_page=False)


def test_browser_compare_by_typed_text_shows_what_each_plan_answers(page, built, artifacts_dir):
    """Typing a topic (停车: the plans share no parking indicator) lists, per plan, the plan's
    sentences the decision model accepts for it, side by side."""
    page.get_by_role("tab", name="对比").click()
    page.locator("#pg-compare table.pg-compare").wait_for(timeout=30_000)
    box = page.get_by_label("或输入主题")
    box.fill("停车")
    box.press("Enter")
    page.wait_for_function(
        "document.querySelector('#pg-compare') && "
        "document.querySelector('#pg-compare').innerText.includes('相关原文')", timeout=LONG)
    row = page.locator("#pg-compare tbody tr").last
    cells = row.locator("td").all_inner_texts()
    assert len(cells) == 1 + len(built.corpus.documents)
    assert all("停车" in c or "泊位" in c for c in cells[1:]), cells
    page.screenshot(path=str(artifacts_dir / "ui_compare_topic.png"), full_page=False)


def test_browser_compare_by_scheme_topic_puts_both_plans_measures_side_by_side(page, built):
    page.get_by_role("tab", name="对比").click()
    page.locator("#pg-compare table.pg-compare").wait_for(timeout=30_000)
    page.locator("#pg-cmp-topic input").click()
    page.get_by_role("option", name="停车").click()
    page.wait_for_function(
        "document.querySelector('#pg-compare') && "
        "document.querySelector('#pg-compare').innerText.includes('同一主题的举措')", timeout=LONG)
    cells = page.locator("#pg-compare tbody tr").last.locator("td").all_inner_texts()
    assert len(cells) == 1 + len(built.corpus.documents)
    assert all("停车" in c or "泊位" in c for c in cells[1:]), cells


def test_browser_targets_tab_lists_targets(page, artifacts_dir):
    page.get_by_role("tab", name="指标").click()
    page.locator("#pg-targets").wait_for(timeout=30_000)
    page.wait_for_function(
        "document.querySelectorAll('#pg-targets tbody tr').length > 0", timeout=30_000)
    page.screenshot(path=str(artifacts_dir / "ui_targets.png"), full_page=False)


def test_browser_sparql_example_returns_rows(page, artifacts_dir):
    page.get_by_role("tab", name="SPARQL").click()
    page.locator("#pg-sparql-run").click()
    page.wait_for_selector("#pg-sparql-status .pg-msg", timeout=LONG)
    status = page.locator("#pg-sparql-status").inner_text()
    assert "行" in status and not status.startswith("0 行"), status
    page.wait_for_function(
        "document.querySelectorAll('#pg-sparql-table tbody tr').length > 0", timeout=30_000)
    page.screenshot(path=str(artifacts_dir / "ui_sparql.png"), full_page=True)


def _type_query(page, text: str) -> None:
    page.get_by_role("tab", name="SPARQL").click()
    page.locator("#pg-sparql-editor .cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)          # no editor auto-closing of braces and quotes


def test_browser_sparql_error_is_a_message_not_a_traceback(page):
    _type_query(page, "DELETE WHERE { ?s ?p ?o }")
    page.locator("#pg-sparql-run").click()
    page.wait_for_selector("#pg-sparql-status .pg-msg-warn", timeout=30_000)
    text = page.locator("#pg-sparql-status").inner_text()
    assert text.strip() and "Traceback" not in text


def test_browser_sparql_literal_markup_renders_as_text(page):
    _type_query(page, 'SELECT ?x WHERE { BIND("<img src=x onerror=alert(7)><b>粗</b>" AS ?x) }')
    page.locator("#pg-sparql-run").click()
    page.wait_for_function(
        "document.querySelector('#pg-sparql-table') &&"
        " document.querySelector('#pg-sparql-table').innerText.includes('onerror')", timeout=30_000)
    assert page.locator("#pg-sparql-table img, #pg-sparql-table b").count() == 0
    assert page.dialogs == []


def test_browser_graph_search_draws_and_expands(page, built, artifacts_dir):
    data = _ui_data(built)
    label = data.indicators[0].pref_label
    page.get_by_role("tab", name="图谱").click()
    box = page.locator("#pg-graph-search").locator("textarea, input").first
    box.fill(label)
    box.press("Enter")
    page.wait_for_selector("#pg-graph svg .pg-node", timeout=30_000)
    nodes = page.locator("#pg-graph .pg-node")
    assert nodes.count() >= 2
    focus_before = nodes.first.get_attribute("data-iri")
    nodes.nth(1).click()          # clicking a neighbour makes it the focus
    page.wait_for_function(
        "(iri) => { const n = document.querySelector('#pg-graph .pg-node');"
        " return n && n.getAttribute('data-iri') !== iri; }", arg=focus_before, timeout=30_000)
    page.screenshot(path=str(artifacts_dir / "ui_graph.png"), full_page=True)


def test_browser_sparql_typed_query_keeps_its_braces(page):
    """Typed key by key (not pasted): the editor inserts no closing brackets or quotes."""
    query = ('SELECT ?label WHERE {\n?plan a <https://w3id.org/plangraph/ns#Plan> ;\n'
             'rdfs:label ?label .\nFILTER(LANG(?label) = "zh")\n}')
    page.get_by_role("tab", name="SPARQL").click()
    page.locator("#pg-sparql-editor .cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" + query)
    text = page.evaluate("(() => { const c = document.querySelector('#pg-sparql-editor "
                         ".cm-content'); return (c.cmTile || c.cmView).view.state.doc"
                         ".toString(); })()")
    def strip(s: str) -> str:                       # the editor may indent new lines
        return "".join(s.split())

    assert strip(text) == strip("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>" + query)
    page.locator("#pg-sparql-run").click()
    page.wait_for_selector("#pg-sparql-status .pg-msg", timeout=30_000)
    assert "行" in page.locator("#pg-sparql-status").inner_text()
