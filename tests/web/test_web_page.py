"""The concept-map and chat page in headless Chromium against the real app: ask, read a citation in its
document, search concepts, open neighbours, find a path and read each hop's evidence.
"""

from __future__ import annotations

import re

import httpx
import pytest

pytestmark = pytest.mark.integration


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def ask(page, question: str) -> None:  # type: ignore[no-untyped-def]
    answers = page.locator("[data-testid=answer]")
    before = answers.count()
    page.fill("[data-testid=question]", question)
    page.click("[data-testid=ask]")
    answers.nth(before).wait_for()


def dataset(page, key: str) -> str:  # type: ignore[no-untyped-def]
    value: str = page.eval_on_selector("#cy", f"el => el.dataset.{key} || ''")
    return value


def search(page, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Types into the concept search and returns the ids it offers."""
    page.fill("[data-testid=concept-search]", "")
    page.fill("[data-testid=concept-search]", text)
    results = page.locator("[data-testid=search-result]")
    results.first.wait_for()
    return [results.nth(i).get_attribute("data-id") or "" for i in range(results.count())]


def test_page_draws_the_concept_map_with_both_names(page) -> None:  # type: ignore[no-untyped-def]
    assert int(dataset(page, "nodes")) >= 10
    assert int(dataset(page, "edges")) >= 5
    assert page.evaluate("document.querySelectorAll('#cy canvas').length"), "cytoscape drew no canvas"
    assert page.get_attribute("[data-testid=concept-search]", "placeholder").startswith("Search concepts")


def test_ask_then_open_a_citation_in_its_document(page, web_server) -> None:  # type: ignore[no-untyped-def]
    question = "什么是多头注意力？"
    expected = httpx.post(f"{web_server.url}/v1/ask", json={"question": question}, timeout=30).json()
    assert expected["citations"], "the fixture question must be answerable from the corpus"

    with page.expect_response("**/v1/ask") as response:
        ask(page, question)
    assert response.value.headers["content-type"].startswith("text/event-stream")  # the page reads the stream
    citations = page.locator("[data-testid=citation]")
    assert citations.count() >= 1
    first = expected["citations"][0]
    page.click(f"[data-testid=citation][data-n='{first['n']}']")
    highlight = page.locator("[data-testid=highlight]")
    highlight.wait_for()
    assert squash(highlight.inner_text()) == squash(first["quote"])
    assert highlight.is_visible() and highlight.evaluate("el => { const r = el.getBoundingClientRect(); "
                                                         "return r.top >= 0 && r.bottom <= innerHeight; }")
    # the highlight sits at the citation's offsets in the document text
    doc = httpx.get(f"{web_server.url}/v1/documents/{first['doc_id']}", timeout=30).json()
    before = page.eval_on_selector("[data-testid=doc-text]", "el => el.firstChild.textContent")
    assert before == doc["text"][: first["start"]]
    page.click("[data-testid=doc-close]")
    assert page.locator("[data-testid=doc-viewer]").is_hidden()


def test_answer_concepts_are_highlighted_and_chips_ask_the_follow_up(page) -> None:  # type: ignore[no-untyped-def]
    ask(page, "什么是多头注意力？")
    page.wait_for_function("document.getElementById('cy').dataset.answer")
    assert "multi-head-attention" in dataset(page, "answer").split()
    chips = page.locator("[data-testid=related-chip]")
    assert chips.count() >= 1
    follow_up = chips.first.get_attribute("title")
    chips.first.click()
    page.locator("[data-testid=answer]").nth(1).wait_for()
    assert page.locator("[data-testid=msg-user]").nth(1).inner_text() == follow_up


@pytest.mark.parametrize(("text", "concept"), [
    ("注意力机制", "attention"), ("multi-head", "multi-head-attention"), ("MHA", "multi-head-attention"),
])
def test_search_by_chinese_english_or_alias(page, text: str, concept: str) -> None:  # type: ignore[no-untyped-def]
    assert concept in search(page, text)


def test_concept_panel_shows_definition_and_typed_neighbours_with_evidence(page) -> None:  # type: ignore[no-untyped-def]
    search(page, "attention")
    page.click("[data-testid=search-result][data-id='attention']")
    title = page.locator("[data-testid=concept-title]")
    title.wait_for()
    assert "attention" in title.inner_text() and "注意力" in title.inner_text()
    definition = page.locator("[data-testid=definition] blockquote").inner_text()
    assert "注意力" in definition or "attention" in definition.lower()
    page.click("[data-testid=definition-open]")
    page.locator("[data-testid=highlight]").wait_for()
    assert squash(page.inner_text("[data-testid=highlight]")) == squash(definition)
    page.click("[data-testid=doc-close]")

    neighbours = page.locator("[data-testid=neighbour]")
    neighbours.first.wait_for()
    assert neighbours.count() >= 2
    assert page.locator("[data-testid=neighbour] .rel").first.inner_text().strip()  # the relation type

    nodes_before = int(dataset(page, "nodes"))
    page.click("[data-testid=expand]")
    page.wait_for_function(f"Number(document.getElementById('cy').dataset.nodes) >= {nodes_before}")

    evidence = page.locator("[data-testid=neighbour] [data-testid=evidence]").first
    quote = evidence.inner_text().strip("“”")
    evidence.click()
    page.locator("[data-testid=highlight]").wait_for()
    assert squash(page.inner_text("[data-testid=highlight]")) == squash(quote)
    page.click("[data-testid=doc-close]")

    # a neighbour opens its own panel
    neighbour = page.locator("[data-testid=neighbour] .concept-link").first
    name = neighbour.inner_text()
    neighbour.click()
    title_is = "name => document.querySelector('[data-testid=concept-title]')?.textContent === name"
    page.wait_for_function(title_is, arg=name)


def test_ask_about_this_asks_in_the_chat(page) -> None:  # type: ignore[no-untyped-def]
    search(page, "MHA")
    page.click("[data-testid=search-result][data-id='multi-head-attention']")
    page.click("[data-testid=ask-about]")
    page.locator("[data-testid=answer]").first.wait_for()
    assert "multi-head attention" in page.locator("[data-testid=msg-user]").first.inner_text()


def test_path_finder_draws_the_chain_and_each_hops_evidence(page, web_server) -> None:  # type: ignore[no-untyped-def]
    expected = httpx.get(f"{web_server.url}/v1/path", params={"source": "attention", "target": "softmax"},
                         timeout=30).json()
    page.fill("[data-testid=path-source]", "attention")
    page.fill("[data-testid=path-target]", "softmax")
    page.click("[data-testid=find-path]")
    hops = page.locator("[data-testid=hop]")
    hops.first.wait_for()
    assert hops.count() == len(expected["edges"]) >= 1
    assert dataset(page, "path").split() == [n["id"] for n in expected["path"]]
    for i, edge in enumerate(expected["edges"]):
        hop = hops.nth(i)
        assert edge["type"] in hop.inner_text()
        if edge["evidence"]:
            shown = hop.locator("[data-testid=evidence]").inner_text()
            assert squash(edge["evidence"]["quote"]) in squash(shown)
    assert all(e["evidence"] for e in expected["edges"]), "every hop of this path is stated in the corpus"
    hops.last.locator("[data-testid=evidence]").click()
    page.locator("[data-testid=highlight]").wait_for()
    last_quote = expected["edges"][-1]["evidence"]["quote"]
    assert squash(page.inner_text("[data-testid=highlight]")) == squash(last_quote)


def test_unknown_concept_in_path_finder_says_so(page) -> None:  # type: ignore[no-untyped-def]
    page.fill("[data-testid=path-source]", "attention")
    page.fill("[data-testid=path-target]", "no-such-concept-zzz")
    page.click("[data-testid=find-path]")
    error = page.locator("[data-testid=path-error]")
    error.wait_for()
    assert "no-such-concept-zzz" in error.inner_text()


def test_relation_filter_hides_edges_of_a_type(page) -> None:  # type: ignore[no-untyped-def]
    page.click(".filter summary")
    boxes = page.locator("[data-testid=relation-type]")
    assert boxes.count() >= 2
    visible = int(dataset(page, "visibleEdges"))
    boxes.first.uncheck()
    assert int(dataset(page, "visibleEdges")) < visible
    boxes.first.check()
    assert int(dataset(page, "visibleEdges")) == visible


def test_language_toggle_switches_the_ui_text(page) -> None:  # type: ignore[no-untyped-def]
    assert page.inner_text("[data-testid=ask]") == "Ask"
    page.click("[data-testid=lang-toggle]")
    assert page.inner_text("[data-testid=ask]") == "提问"
    assert page.evaluate("document.documentElement.lang") == "zh"
    page.reload()
    page.wait_for_function("Number(document.getElementById('cy').dataset.nodes) > 0")
    assert page.inner_text("[data-testid=ask]") == "Ask"  # ?lang=en in the address wins over the saved choice


def test_defining_sentence_prefers_a_definition_over_a_mention(page) -> None:  # type: ignore[no-untyped-def]
    concept = {"label": "quantization", "label_zh": "量化", "aliases": [], "chunks": [
        {"doc_id": "d", "title": "t", "section": "一、模型压缩", "text": "模型压缩包括剪枝和量化。",
         "start": 0, "end": 12},
        {"doc_id": "d", "title": "t", "section": "二、方法",
         "text": "二、方法\n量化（Quantization）是把权重换成低精度的方法。其他。", "start": 100, "end": 134},
    ]}
    found = page.evaluate("async c => (await import('/static/map.js')).definingSentence(c)", concept)
    assert found["text"] == "量化（Quantization）是把权重换成低精度的方法。"
    assert (found["start"], found["end"]) == (105, 105 + len(found["text"]))
    assert found["mention"] == [0, 2]


def test_title_and_example_question_come_from_the_knowledge_base(page, web_server) -> None:  # type: ignore[no-untyped-def]
    overview = httpx.get(f"{web_server.url}/v1/overview", timeout=30).json()
    page.wait_for_function("t => document.title.startsWith(t)", arg=overview["title"])
    assert page.inner_text("h1").startswith(overview["title"])
    example = overview["questions"]["en"][0]
    assert example in page.inner_text(".chat .hint")
