"""The chat endpoint's pure helpers: front-end task prompts (recorded in fixtures/), the answer language a
system message asks for, and the reply limits (stop, max_tokens)."""

from __future__ import annotations

import doctest
import json
from pathlib import Path
from typing import Any

import pytest

from kgqa.answer.llm import forward, prompt
from kgqa.apps.api import chat, tasks
from kgqa.apps.api.chat import Shaping, requested_language, shape, truncate
from kgqa.apps.api.schemas import ChatMessage
from kgqa.apps.api.tasks import Facts, TaskPrompt, Turn, recognise, reply, title_of
from kgqa.testing import FakeChatModel

pytestmark = pytest.mark.unit

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("*.json"))


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def messages_of(fixture: dict[str, Any]) -> list[tuple[str, str]]:
    return [(m["role"], m["content"]) for m in fixture["request"]["messages"]]


def test_every_front_end_template_is_recorded() -> None:
    kinds = {(load(p)["source"].split()[0], load(p)["kind"]) for p in FIXTURES}
    assert {("Open", "title"), ("Open", "tags"), ("Open", "follow_ups"), ("Open", "queries"),
            ("LibreChat", "title")} <= kinds


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_recorded_task_prompts_are_recognised(path: Path) -> None:
    fixture = load(path)
    task = recognise(messages_of(fixture))
    assert task is not None
    assert (task.kind, task.json) == (fixture["kind"], fixture["format"] == "json")
    assert task.question == fixture["question"]
    assert [t.role for t in task.turns] == ["user", "assistant"]


@pytest.mark.parametrize(
    "messages",
    [
        [("user", "什么是多头注意力？")],
        [("user", "Give me a title for my essay about attention")],
        [("system", "Be brief."), ("user", "What is RoPE?")],
        # Open WebUI's autocompletion asks for {"text": ...}: not one of the tasks answered here
        [("user", '### Task:\nYou are an autocompletion system.\n### **Output Rules**:\n- Respond only in JSON '
                  'format: `{ "text": "<your_completion>" }`.\n<chat_history>\nUSER: hi\n</chat_history>')],
    ],
)
def test_questions_are_not_tasks(messages: list[tuple[str, str]]) -> None:
    assert recognise(messages) is None


def test_a_task_is_not_recognised_in_a_long_conversation_of_real_questions() -> None:
    lc = load(Path(__file__).parent / "fixtures" / "librechat_title_agents.json")
    convo = [("user", "q1"), ("assistant", "a1"), *messages_of(lc), ("assistant", "a2"), ("user", "What is RoPE?")]
    assert recognise(convo) is None


def test_open_webui_history_keeps_multiline_turns_and_drops_reasoning() -> None:
    text = ('### Task:\nGenerate tags\n### Output:\nJSON format: { "tags": ["tag1"] }\n<chat_history>\n'
            "USER: 第一行\n第二行\nASSISTANT: <details type=\"reasoning\">thinking</details>答案\nUSER: 它呢？\n"
            "</chat_history>")
    task = recognise([("user", text)])
    assert task is not None and task.kind == "tags"
    assert task.turns == (Turn("user", "第一行\n第二行"), Turn("assistant", "答案"), Turn("user", "它呢？"))
    assert task.question == "它呢？" and task.history == [
        {"role": "user", "content": "第一行\n第二行"}, {"role": "assistant", "content": "答案"}]


def test_librechat_legacy_prompt_unquotes_the_stringified_reply() -> None:
    task = recognise(messages_of(load(Path(__file__).parent / "fixtures" / "librechat_title_legacy.json")))
    assert task is not None and task.turns[1].text.startswith("Multi-head attention runs")


@pytest.mark.parametrize(
    ("question", "language", "title"),
    [
        ("什么是多头注意力？", "zh", "多头注意力"),
        ("请介绍一下知识蒸馏", "zh", "知识蒸馏"),
        ("RoPE是什么？", "zh", "RoPE"),
        ("What is RoPE?", "en", "RoPE"),
        ("explain the KV cache", "en", "KV Cache"),
        ("  ", "en", "New Chat"),
        ("", "zh", "新对话"),
    ],
)
def test_title_of_the_question(question: str, language: str, title: str) -> None:
    assert title_of(question, language) == title


def test_replies_have_the_format_each_template_asks_for() -> None:
    turns = (Turn("user", "什么是RoPE？"),)
    facts = Facts("什么是RoPE？", "zh", concepts=["旋转位置编码", "位置编码", "旋转位置编码"],
                  related=[("ALiBi", "问题:ALiBi 有什么优点?"), ("位置编码", "位置编码")],
                  query_parts=["什么是RoPE？"])
    assert json.loads(reply(TaskPrompt("title", True, turns), facts)) == {"title": "RoPE"}
    assert json.loads(reply(TaskPrompt("tags", True, turns), facts)) == {"tags": ["旋转位置编码", "位置编码"]}
    assert json.loads(reply(TaskPrompt("follow_ups", True, turns), facts)) == {
        "follow_ups": ["ALiBi 有什么优点?", "什么是位置编码？"]}
    assert json.loads(reply(TaskPrompt("queries", True, turns), facts)) == {"queries": ["什么是RoPE？"]}
    assert reply(TaskPrompt("title", False, turns), facts) == "RoPE"


def test_tags_fall_back_to_the_templates_general_tag() -> None:
    assert json.loads(reply(TaskPrompt("tags", True, ()), Facts("", "en"))) == {"tags": ["General"]}


@pytest.mark.parametrize(
    ("system", "language"),
    [
        ("Answer in English only.", "en"),
        ("You are helpful. Always respond in English.", "en"),
        ("请用英文回答", "en"),
        ("「请用中文回答」", "zh"),
        ("Reply in Simplified Chinese, please.", "zh"),
        ("Be brief and cite sources.", None),
        ("English-speaking users ask about Chinese documents.", None),
    ],
)
def test_requested_language_from_the_system_message(system: str, language: str | None) -> None:
    msgs = [ChatMessage(role="system", content=system), ChatMessage(role="user", content="什么是RoPE？")]
    assert requested_language(msgs) == language


def test_a_later_system_message_overrides_an_earlier_one_and_user_text_asks_nothing() -> None:
    msgs = [ChatMessage(role="system", content="Answer in English."),
            ChatMessage(role="user", content="请用中文回答：什么是RoPE？"),
            ChatMessage(role="developer", content="请用中文回答")]
    assert requested_language(msgs) == "zh"
    assert requested_language(msgs[:2]) == "en"


def words(text: str) -> int:
    return len(text.split())


def test_truncate_keeps_whole_sentences_within_the_budget() -> None:
    text = "RoPE rotates queries and keys. It encodes relative positions. It extrapolates well."
    for budget in range(1, 13):
        cut, was_cut = truncate(text, budget, words)
        assert words(cut) <= budget and text.startswith(cut) and was_cut == (budget < 12)
        if budget >= 5:
            assert cut.endswith(".")
    assert truncate("一句话。第二句话。", 1, len) == ("一", True)
    assert truncate("一句话。第二句话。", 5, len) == ("一句话。", True)


def test_shape_applies_stop_before_max_tokens() -> None:
    assert shape("A b. C d. E f.", Shaping(stop=("C",)), words) == ("A b. ", "stop")
    assert shape("A b. C d. E f.", Shaping(max_tokens=4), words) == ("A b. C d.", "length")
    assert shape("A b.", Shaping(max_tokens=4), words) == ("A b.", "stop")


def test_a_streamed_reply_joins_back_and_ends_with_its_finish_reason() -> None:
    reply_ = chat.make_reply("第一句。第二句。", "问题", Shaping(max_tokens=4), len)
    chunks = chat.completion_chunks(reply_, include_usage=True)
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks[:-1]) == "第一句。"
    assert chunks[-2]["choices"][0]["finish_reason"] == "length"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"] == {
        "prompt_tokens": 2, "completion_tokens": 4, "total_tokens": 6}


def test_llm_prompt_names_the_answer_language_and_forward_passes_the_task_prompt() -> None:
    assert "Answer in English." in prompt("什么是RoPE？", [], "en")[0][1]
    assert "请用中文回答" in prompt("What is RoPE?", [], "zh")[0][1]
    seen: list[str] = []
    model = FakeChatModel(reply=lambda p: seen.append(p) or '{"title": "Rotary Embeddings"}')  # type: ignore[func-returns-value]
    text = forward(model, [("system", "sys"), ("user", "### Task: title"), ("tool", "ignored")])
    assert text == '{"title": "Rotary Embeddings"}' and seen == ["sys\n### Task: title"]


@pytest.mark.parametrize("module", [tasks, chat])
def test_docstring_examples(module: object) -> None:
    result = doctest.testmod(module)  # type: ignore[arg-type]
    assert result.attempted > 0 and result.failed == 0
