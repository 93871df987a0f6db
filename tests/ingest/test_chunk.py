"""Chunk boundaries on the four corpus documents and on small crafted texts."""

from __future__ import annotations

import re

import pytest

from kgqa.ingest.chunk import chunk_document, content_key, merge_duplicates
from kgqa.ingest.structure import parse_sections
from kgqa.types import Document

pytestmark = pytest.mark.unit

DOCS = [
    "llm-principles-and-transformer-inference",
    "transformer-interview-questions",
    "llm-algorithm-interview-5",
    "llm-architecture-design",
]


def doc(text: str, path: str = "x.txt") -> Document:
    return Document("x", path, "X", "zh", text, "sha")


@pytest.mark.parametrize("doc_id", DOCS)
def test_every_span_slices_back_to_the_exact_text(corpus_docs, doc_id):
    d = corpus_docs[doc_id]
    chunks = chunk_document(d).chunks
    assert chunks, doc_id
    for c in chunks:
        assert c.doc_id == doc_id
        assert d.text[c.start : c.end] == c.text
        assert c.text == c.text.strip()


@pytest.mark.parametrize("doc_id", DOCS)
def test_chunks_do_not_overlap_and_stay_in_order(corpus_docs, doc_id):
    chunks = chunk_document(corpus_docs[doc_id]).chunks
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert a.end <= b.start


@pytest.mark.parametrize("doc_id", DOCS)
def test_no_chunk_crosses_a_heading(corpus_docs, doc_id):
    d = corpus_docs[doc_id]
    sections = parse_sections(d.text, plain_text=not d.path.endswith(".md"))
    starts = sorted(s.heading_line.start for s in sections if s.heading_line)
    for c in chunk_document(d).chunks:
        inside = [s for s in starts if c.start < s < c.end]
        assert not inside, (c.section, inside)


def test_markdown_qa_units_keep_question_and_answer_together(corpus_docs):
    chunks = chunk_document(corpus_docs["llm-principles-and-transformer-inference"]).chunks
    qa = [c for c in chunks if "**题目：**" in c.text]
    assert len(qa) >= 20
    for c in qa:
        assert "**答案：**" in c.text
        assert c.text.startswith("###")


def test_numbered_question_sections_keep_their_answer(corpus_docs):
    chunks = chunk_document(corpus_docs["llm-architecture-design"]).chunks
    for c in chunks:
        if "问题:" in c.text.split("\n")[0] or "问题：" in c.text.split("\n")[0]:
            assert "回答" in c.text
    assert any(c.heading[-1].startswith("3.2 问题") and "BERT" in c.text for c in chunks)


def test_question_list_is_not_indexed_and_answers_get_their_question(corpus_docs):
    d = corpus_docs["transformer-interview-questions"]
    result = chunk_document(d)
    assert result.listed_questions == 35
    assert result.attached_questions == 15
    # no chunk is made of the bare question list
    assert not any("Q和K使用不同的权重矩阵" in c.text for c in result.chunks)
    by_title = {c.heading[-1]: c for c in result.chunks}
    assert "位置编码的作用" in by_title["位置编码"].question
    assert "过拟合" in by_title["防止过拟合"].question
    assert "部署" in by_title["部署考虑因素"].question
    assert "有效率" in by_title["Transformer 高效的原因"].question
    for c in result.chunks:
        assert c.kind == "qa" and c.question_span is not None
        assert d.text[c.question_span.start : c.question_span.end] == c.question
        assert c.question in c.index_text()


def test_promotional_tail_is_dropped_and_counted(corpus_docs):
    result = chunk_document(corpus_docs["transformer-interview-questions"])
    assert result.boilerplate_sections >= 4 and result.boilerplate_chars > 1000
    joined = "".join(c.text for c in result.chunks)
    for marker in ("二维码", "免费领取", "学习计划", "AGI大模型学习路线"):
        assert marker not in joined
    assert "部署考虑因素" in joined  # the last real answer survives


def test_flattened_code_stays_in_one_chunk(corpus_docs):
    chunks = chunk_document(corpus_docs["llm-algorithm-interview-5"]).chunks
    code = [c for c in chunks if "class SparseAttention" in c.text]
    assert len(code) == 1
    assert "return out" in code[0].text
    alibi = [c for c in chunks if "class ALiBiAttention" in c.text]
    assert len(alibi) == 1 and alibi[0].text.endswith("return attn @ v")


def test_long_prose_is_cut_at_sentence_ends_with_exact_spans():
    sentence = "这是一个很长的句子用于测试切分。"
    text = "## 标题\n" + sentence * 80 + "\n"
    d = doc(text, "x.md")
    chunks = chunk_document(d, max_chars=200).chunks
    assert len(chunks) > 3
    for c in chunks:
        assert d.text[c.start : c.end] == c.text
        assert len(c.text) <= 200
        assert c.heading == ("标题",)
    assert all(c.text.endswith("。") for c in chunks)


def test_duplicate_sections_are_merged_with_every_occurrence(corpus_docs):
    d = corpus_docs["llm-principles-and-transformer-inference"]
    merged, count = merge_duplicates(chunk_document(d).chunks)
    assert count >= 4
    low_rank = [c for c in merged if "如何进行Transformer模型的低秩分解" in c.text]
    assert len(low_rank) == 1
    occ = low_rank[0].occurrences
    assert len(occ) == 2
    for o in occ:
        assert re.sub(r"### \d+\. ", "", d.text[o.start : o.end]) == re.sub(r"### \d+\. ", "", low_rank[0].text)


def test_content_key_ignores_heading_numbers_only():
    assert content_key("### 19. 标题\n正文") == content_key("### 24. 标题\n正文")
    assert content_key("### 19. 标题\n正文") != content_key("### 19. 标题\n别的正文")


def test_chunk_ids_are_stable(corpus_docs):
    d = corpus_docs["llm-architecture-design"]
    assert [c.chunk_id for c in chunk_document(d).chunks] == [c.chunk_id for c in chunk_document(d).chunks]
