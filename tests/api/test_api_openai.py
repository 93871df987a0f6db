"""The OpenAI-compatible endpoint as chat front ends and the official ``openai`` client drive it, on a live
server: responses validated against ``openai.types``, the front ends' recorded task prompts, the answer
language a system message asks for, max_tokens / stop / n / response_format, unknown models, API keys."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from live_server import LiveServer
from openai import OpenAI
from openai.types import Model
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from sse_parse import parse_sse

from kgqa.answer.cite import EN_LEAD
from kgqa.apps.api import create_app
from kgqa.apps.api.tasks import MAX_TITLE_CJK, MAX_TITLE_WORDS, follow_up_of
from kgqa.config import Settings
from kgqa.index.token_count import TokenCounter
from kgqa.testing import FakeChatModel

pytestmark = pytest.mark.integration

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("*.json"))
QUESTION = "什么是多头注意力？"
KEYS = ["key-one", "key-two"]


@pytest.fixture
def oai(live: LiveServer) -> OpenAI:
    return OpenAI(base_url=f"{live.url}/v1", api_key="unused", max_retries=0, timeout=30)


@pytest.fixture(scope="module")
def tokens(api_settings: Settings) -> TokenCounter:
    return TokenCounter(api_settings.model_dir)


def ask(oai: OpenAI, question: str, system: str | None = None, **options: Any) -> Any:
    messages = [{"role": "system", "content": system}] if system else []
    return oai.chat.completions.create(model="kgqa", messages=[*messages, {"role": "user", "content": question}],
                                       **options)


# --- the wire format ----------------------------------------------------------------------------


def test_a_completion_validates_against_openais_types(client: httpx.Client) -> None:
    body = {"model": "kgqa", "messages": [{"role": "user", "content": QUESTION}]}
    reply = ChatCompletion.model_validate(client.post("/v1/chat/completions", json=body).json())
    assert reply.object == "chat.completion" and reply.choices[0].message.role == "assistant"
    usage = reply.usage
    assert usage is not None and usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    streamed = {**body, "stream": True, "stream_options": {"include_usage": True}}
    with client.stream("POST", "/v1/chat/completions", json=streamed) as r:
        events = parse_sse(r.iter_lines())
    assert events[-1].data == "[DONE]"
    chunks = [ChatCompletionChunk.model_validate(json.loads(e.data)) for e in events[:-1]]
    assert chunks[-1].choices == [] and chunks[-1].usage == reply.usage
    assert "".join(c.choices[0].delta.content or "" for c in chunks[:-1]) == reply.choices[0].message.content


def test_models_and_model_retrieval(oai: OpenAI) -> None:
    assert [m.id for m in oai.models.list()] == ["kgqa"]
    assert isinstance(oai.models.retrieve("kgqa"), Model) and oai.models.retrieve("kgqa").id == "kgqa"
    with pytest.raises(openai.NotFoundError) as info:
        oai.models.retrieve("gpt-4o")
    assert info.value.code == "model_not_found"


def test_an_unknown_model_is_openais_404(oai: OpenAI, client: httpx.Client) -> None:
    with pytest.raises(openai.NotFoundError) as info:
        oai.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": QUESTION}])
    assert (info.value.code, info.value.param, info.value.type) == ("model_not_found", "model", "invalid_request_error")
    error = client.post("/v1/chat/completions", json={"model": "llama3", "messages": [
        {"role": "user", "content": QUESTION}]}).json()["error"]
    assert {"message", "type", "param", "code"} <= set(error) and "'llama3'" in error["message"]


# --- front-end tasks ----------------------------------------------------------------------------


def fixture_of(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def concept_labels(client: httpx.Client, ids: list[str]) -> set[str]:
    concepts = [client.get(f"/v1/concepts/{cid}").json() for cid in ids]
    return {c["label"] for c in concepts} | {c["label_zh"] for c in concepts}


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_recorded_front_end_tasks_get_the_format_they_ask_for(path: Path, oai: OpenAI, client: httpx.Client) -> None:
    fixture = fixture_of(path)
    raw = oai.chat.completions.with_raw_response.create(**fixture["request"])
    assert "kgqa" not in raw.http_response.json()  # no cited answer behind a title or tags
    reply = raw.parse()
    content = reply.choices[0].message.content or ""
    assert reply.choices[0].finish_reason == "stop"
    question = fixture["question"]
    expected = client.post("/v1/ask", json={"question": question}).json()
    if fixture["format"] == "text":  # LibreChat: the bare title
        value: Any = content
    else:
        parsed = json.loads(content)
        assert list(parsed) == [fixture["kind"]]
        value = parsed[fixture["kind"]]
    if fixture["kind"] == "title":
        assert isinstance(value, str) and value and value.lower() in question.lower()
        if question.isascii():
            assert len(value.split()) <= MAX_TITLE_WORDS
        else:
            assert len(value) <= MAX_TITLE_CJK
    elif fixture["kind"] == "tags":
        assert value and set(value) <= concept_labels(client, expected["concepts"])
    elif fixture["kind"] == "follow_ups":
        language = "zh" if not question.isascii() else "en"
        offered = {follow_up_of(r["label_zh"] if language == "zh" else r["label"], r["question"], language)
                   for r in expected["related_concepts"]}
        assert value and set(value) <= offered and question not in value
    else:
        assert value == [question]


def test_a_task_quoting_a_long_conversation_is_not_held_to_the_question_limit(oai: OpenAI) -> None:
    template = fixture_of(Path(__file__).parent / "fixtures" / "openwebui_tags.json")["request"]["messages"][0]
    long_answer = "多头注意力把输入投影到多个子空间。" * 150
    history = f"USER: {QUESTION}\nASSISTANT: {long_answer}"
    start, end = template["content"].index("<chat_history>\n"), template["content"].index("\n</chat_history>")
    content = template["content"][: start + len("<chat_history>\n")] + history + template["content"][end:]
    assert len(content) > 2000
    reply = oai.chat.completions.create(model="kgqa", messages=[{"role": "user", "content": content}])
    assert json.loads(reply.choices[0].message.content or "")["tags"]


@pytest.fixture(scope="module")
def llm_server(live: LiveServer, api_settings: Settings) -> Iterator[tuple[LiveServer, list[str]]]:
    prompts: list[str] = []

    def answer(prompt: str) -> str:
        prompts.append(prompt)
        if "tags" in prompt:  # a model server that fails on this request
            raise ConnectionError("model server unreachable")
        return '{"title": "Attention Heads"}'

    kb = dataclasses.replace(live.app.state.kb_holder.get(), chat_model=FakeChatModel(reply=answer))
    server = LiveServer.start(create_app(api_settings, kb_provider=lambda: kb), name="uvicorn-llm")
    yield server, prompts
    server.stop()


def test_with_an_llm_configured_the_task_prompt_goes_to_it(
    llm_server: tuple[LiveServer, list[str]], oai: OpenAI
) -> None:
    server, prompts = llm_server
    with_llm = OpenAI(base_url=f"{server.url}/v1", api_key="unused", max_retries=0, timeout=30)
    fixture = fixture_of(Path(__file__).parent / "fixtures" / "openwebui_title.json")
    reply = with_llm.chat.completions.create(**fixture["request"])
    assert reply.choices[0].message.content == '{"title": "Attention Heads"}'
    assert prompts == [fixture["request"]["messages"][0]["content"]]
    # when the model fails, the knowledge base answers: the chat still gets its tags
    tags = fixture_of(Path(__file__).parent / "fixtures" / "openwebui_tags.json")
    reply = with_llm.chat.completions.create(**tags["request"])
    without_llm = oai.chat.completions.create(**tags["request"])
    assert len(prompts) == 2 and reply.choices[0].message.content == without_llm.choices[0].message.content


# --- the answer language ------------------------------------------------------------------------


def test_a_system_message_sets_the_answer_language(oai: OpenAI) -> None:
    plain = ask(oai, QUESTION).choices[0].message.content or ""
    english = ask(oai, QUESTION, "Answer in English only.").choices[0].message.content or ""
    assert not plain.startswith(EN_LEAD) and english.startswith(EN_LEAD)
    assert (ask(oai, "hello", "「请用中文回答」").choices[0].message.content or "").startswith("你好")
    assert (ask(oai, "hello").choices[0].message.content or "").startswith("Hello")
    refusal = ask(oai, "What is the capital of France?", "请用中文回答").choices[0].message.content or ""
    assert refusal.startswith("知识库中没有找到")


# --- reply limits -------------------------------------------------------------------------------


def test_max_tokens_cuts_at_a_sentence_with_finish_reason_length(oai: OpenAI, tokens: TokenCounter) -> None:
    whole = ask(oai, QUESTION).choices[0].message.content or ""
    assert tokens(whole) > 40
    cut = ask(oai, QUESTION, max_tokens=40)
    text = cut.choices[0].message.content or ""
    assert cut.choices[0].finish_reason == "length" and text and whole.startswith(text)
    assert text.endswith(("。", "]", ".", "\n", "！", "？")) and cut.usage is not None
    assert cut.usage.completion_tokens == tokens(text) <= 40
    stream = list(ask(oai, QUESTION, max_completion_tokens=40, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in stream) == text
    assert stream[-1].choices[0].finish_reason == "length"
    roomy = ask(oai, QUESTION, max_tokens=tokens(whole))
    assert roomy.choices[0].finish_reason == "stop" and roomy.choices[0].message.content == whole


def test_usage_counts_tokens_of_the_default_tokenizer(oai: OpenAI, tokens: TokenCounter) -> None:
    reply = ask(oai, QUESTION, "answer briefly")
    assert reply.usage is not None
    assert reply.usage.prompt_tokens == tokens(f"answer briefly\n{QUESTION}")
    assert reply.usage.completion_tokens == tokens(reply.choices[0].message.content or "")


def test_stop_is_honoured_and_json_object_gives_the_structured_answer(oai: OpenAI) -> None:
    whole = ask(oai, QUESTION).choices[0].message.content or ""
    stopped = ask(oai, QUESTION, stop=["\nSources:"]).choices[0].message.content or ""
    assert stopped == whole[: whole.index("\nSources:")]
    structured = json.loads(ask(oai, QUESTION, response_format={"type": "json_object"}).choices[0].message.content
                            or "")
    assert structured["citations"] and whole.startswith(structured["answer"].rstrip())


@pytest.mark.parametrize(
    ("options", "param"),
    [
        ({"n": 2}, "n"),
        ({"response_format": {"type": "json_schema", "json_schema": {"name": "a", "schema": {}}}}, "response_format"),
        ({"stop": ["a", "b", "c", "d", "e"]}, "stop"),
        ({"logprobs": True}, "logprobs"),
        ({"tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}], "tool_choice": "required"},
         "tool_choice"),
    ],
)
def test_parameters_kgqa_cannot_honour_are_refused_in_openais_shape(
    oai: OpenAI, options: dict[str, Any], param: str
) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        ask(oai, QUESTION, **options)
    assert info.value.status_code == 400 and info.value.param == param
    assert param in info.value.message


# --- API keys -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keyed(live: LiveServer, api_settings: Settings) -> Iterator[LiveServer]:
    settings = api_settings.model_copy(update={"api_keys": KEYS})
    server = LiveServer.start(create_app(settings, kb_provider=live.app.state.kb_holder.get), name="uvicorn-keys")
    yield server
    server.stop()


def test_with_api_keys_the_chat_routes_need_one(keyed: LiveServer) -> None:
    without = OpenAI(base_url=f"{keyed.url}/v1", api_key="not-a-key", max_retries=0, timeout=30)
    with pytest.raises(openai.AuthenticationError) as info:
        without.chat.completions.create(model="kgqa", messages=[{"role": "user", "content": QUESTION}])
    assert info.value.status_code == 401 and info.value.code == "invalid_api_key"
    with pytest.raises(openai.AuthenticationError):
        without.models.list()
    with_key = OpenAI(base_url=f"{keyed.url}/v1", api_key=KEYS[1], max_retries=0, timeout=30)
    assert with_key.chat.completions.create(model="kgqa", messages=[{"role": "user", "content": QUESTION}]).choices


def test_with_api_keys_the_rest_of_v1_needs_one_too_in_the_apis_own_shape(
    keyed: LiveServer, admin: dict[str, str]
) -> None:
    with httpx.Client(base_url=keyed.url, timeout=30) as c:
        refused = c.post("/v1/ask", json={"question": QUESTION})
        assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
        assert refused.json()["error"]["type"] == "unauthorized" and "code" not in refused.json()["error"]
        assert c.get("/v1/concepts", headers={"Authorization": "Bearer wrong"}).status_code == 401
        key = {"Authorization": f"Bearer {KEYS[0]}"}
        assert c.post("/v1/ask", json={"question": QUESTION}, headers=key).status_code == 200
        # open: health, the page and its files; a CORS preflight carries no credentials
        assert c.get("/healthz").status_code == 200 and c.get("/").status_code == 200
        assert c.post("/slack/events", json={"type": "url_verification"}).status_code != 401
        preflight = {"Origin": "http://ui.example", "Access-Control-Request-Method": "POST"}
        assert c.options("/v1/chat/completions", headers=preflight).status_code == 200
        # upload and delete still need the admin token, which passes the key check by itself
        upload = {"file": ("note.md", b"# Note\n\nA note.\n", "text/markdown")}
        assert c.post("/v1/documents", files=upload, headers=key).status_code == 403
        assert c.get("/v1/documents", headers=admin).status_code == 200
