"""Chat front ends' background task prompts, recognised and answered without a language model.

Open WebUI asks the chat model for a title, tags, follow-up questions and search queries with prompts that
start with ``### Task:``, quote the conversation inside ``<chat_history>`` (``USER: ...`` / ``ASSISTANT:
...`` lines) and ask for a JSON object (``{"title": ...}``, ``{"tags": [...]}``, ``{"follow_ups": [...]}``,
``{"queries": [...]}``). LibreChat asks for a bare conversation title. Answering them as questions gives a
refusal that the front end then shows as the chat's title; here they get the reply format they ask for,
built from what the knowledge base knows about the conversation (:class:`Facts`). Pure functions.

>>> task = recognise([("user", "### Task:\\nGenerate a concise title.\\n### Output:\\nJSON format: "
...                    '{ "title": "your concise title here" }\\n<chat_history>\\nUSER: What is RoPE?\\n'
...                    "</chat_history>")])
>>> task.kind, task.json, task.question
('title', True, 'What is RoPE?')
>>> reply(task, Facts(question=task.question, language="en"))
'{"title": "RoPE"}'
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

TaskKind = Literal["title", "tags", "follow_ups", "queries"]

# what the templates ask for: Open WebUI "3-5 word title" / LibreChat "5-word-or-less"; "1-3 broad tags, along
# with 1-3 more specific" (so up to 6); "3-5 follow-up questions"; "1-3 ... search queries"
MAX_TITLE_WORDS = 5
MAX_TITLE_CJK = 16  # five Chinese words are about ten to sixteen characters
MAX_TAGS = 6
MAX_FOLLOW_UPS = 5
MAX_QUERIES = 3
GENERAL_TAG = "General"  # the tag Open WebUI's own template prescribes when nothing specific fits

_OPEN_WEBUI_KEY = re.compile(r'\{\s*"(title|tags|follow_ups|queries)"\s*:')
_CHAT_HISTORY = re.compile(r"<chat_history>\s*(.*?)\s*</chat_history>", re.S)
_OWUI_TURN = re.compile(r"^(USER|ASSISTANT|SYSTEM):[ \t]?", re.M)
_REASONING = re.compile(r"<details\b[^>]*>.*?</details>", re.S)
_LIBRECHAT = re.compile(r"5-word-or-less title|concise title for (?:this|the) conversation", re.I)
_LC_CONVO = re.compile(r"^(User|AI|Assistant):[ \t]?", re.M)
_LC_LEGACY = re.compile(r'\|\|>User:\s*"(?P<user>.*?)"\s*\|\|>Response:\s*"(?P<reply>.*?)"\s*(?:\|\|>Title:|$)', re.S)


@dataclass(frozen=True)
class Turn:
    role: Literal["user", "assistant"]
    text: str


@dataclass(frozen=True)
class TaskPrompt:
    """A recognised task: what it asks for, in which form (a JSON object or the bare title), and the
    conversation it quotes."""

    kind: TaskKind
    json: bool
    turns: tuple[Turn, ...]

    @property
    def question(self) -> str:
        """The last question of the quoted conversation ('' when it quotes none)."""
        return next((t.text for t in reversed(self.turns) if t.role == "user"), "")

    @property
    def history(self) -> list[dict[str, str]]:
        """The turns before that question, as ``ask`` takes them."""
        last = max((i for i, t in enumerate(self.turns) if t.role == "user"), default=0)
        return [{"role": t.role, "content": t.text} for t in self.turns[:last]]

    @property
    def user_texts(self) -> list[str]:
        return [t.text for t in self.turns if t.role == "user"]


@dataclass(frozen=True)
class Facts:
    """What the knowledge base says about the quoted conversation: the concepts it links to the user's
    turns (labels in the conversation's language), their related concepts as (label, the corpus question
    that names it), and the analysed parts of the last question (follow-ups resolved)."""

    question: str
    language: str
    concepts: Sequence[str] = ()
    related: Sequence[tuple[str, str]] = ()
    query_parts: Sequence[str] = ()


def _turns(text: str, marker: re.Pattern[str], roles: dict[str, Literal["user", "assistant"]]) -> tuple[Turn, ...]:
    """Split ``ROLE: text`` lines (a turn runs until the next role marker) into turns; system lines are dropped."""
    marks = list(marker.finditer(text))
    turns: list[Turn] = []
    for m, nxt in zip(marks, [*marks[1:], None], strict=True):
        body = _REASONING.sub("", text[m.end() : nxt.start() if nxt else len(text)]).strip()
        role = roles.get(m.group(1).lower())
        if role and body:
            turns.append(Turn(role, body))
    return tuple(turns)


def _open_webui(text: str) -> TaskPrompt | None:
    if not text.lstrip().startswith("### Task:"):
        return None
    history = _CHAT_HISTORY.search(text)
    output = text.rfind("### Output")
    key = _OPEN_WEBUI_KEY.search(text, output if output >= 0 else 0) or _OPEN_WEBUI_KEY.search(text)
    if history is None or key is None:
        return None  # another task (autocomplete, image prompt) or a custom template: answered as a question
    turns = _turns(history.group(1), _OWUI_TURN, {"user": "user", "assistant": "assistant"})
    kind: TaskKind = key.group(1)  # type: ignore[assignment]
    return TaskPrompt(kind, True, turns)


def _unquote(text: str) -> str:
    """LibreChat's legacy prompt quotes the reply after putting it through JSON.stringify: undo both.

    >>> _unquote('"RoPE rotates keys"'), _unquote("plain")
    ('RoPE rotates keys', 'plain')
    """
    candidate = text if len(text) > 1 and text[0] == text[-1] == '"' else f'"{text}"'
    try:
        value = json.loads(candidate)
    except json.JSONDecodeError:
        return text
    return value if isinstance(value, str) else text


def _librechat(text: str) -> TaskPrompt | None:
    if not _LIBRECHAT.search(text):
        return None
    legacy = _LC_LEGACY.search(text)
    if legacy:
        pair = (Turn("user", _unquote(legacy["user"]).strip()), Turn("assistant", _unquote(legacy["reply"]).strip()))
        return TaskPrompt("title", False, tuple(t for t in pair if t.text))
    convo = text.split("Conversation:", 1)[1] if "Conversation:" in text else text
    turns = _turns(convo, _LC_CONVO, {"user": "user", "ai": "assistant", "assistant": "assistant"})
    return TaskPrompt("title", False, turns) if turns else None


def recognise(messages: Sequence[tuple[str, str]]) -> TaskPrompt | None:
    """The task a front end's request asks for, from its (role, text) messages; None for a real question.

    Open WebUI sends the task as the only user message; LibreChat as one system or user message.
    """
    if not messages:
        return None
    role, text = messages[-1]
    if role == "user":
        task = _open_webui(text)
        if task:
            return task
    if len(messages) <= 2:
        for role, text in messages:
            if role in ("system", "developer", "user"):
                task = _librechat(text)
                if task:
                    return task
    return None


# --- replies ------------------------------------------------------------------------------------

_ZH_LEAD = re.compile(r"^(?:请问|请你|请|麻烦|能否|可否|可以|帮我|给我)?"
                      r"(?:介绍一下|解释一下|讲讲|说说|讲一下|说一下|介绍|解释)?(?:一下)?(?:什么是|何为|何谓)?")
_ZH_TAIL = re.compile(r"(?:到底)?(?:是什么意思|是什么|是啥|指什么|是指什么)?(?:呢|吗|啊|呀)?$")
_EN_LEAD = re.compile(
    r"^(?:(?:can|could|would) you |please )*(?:(?:explain|describe|define|tell me about|what is|what are|what's|"
    r"what does|what do|who is|who are|give me an overview of|an overview of)\s+)?(?:the |an? )?", re.I)
_END_PUNCT = re.compile(r"[\s?？!！。.,，:：;；\"'“”‘’]+$")
_SMALL = {"a", "an", "the", "of", "in", "on", "and", "or", "to", "for", "with", "vs", "at", "by"}


def _cjk(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def _title_case(words: list[str]) -> str:
    # a word that already has a capital (RoPE, BERT, KV) keeps its spelling
    return " ".join(w if any(c.isupper() for c in w) or (i and w in _SMALL) else w[:1].upper() + w[1:]
                    for i, w in enumerate(words))


def title_of(question: str, language: str) -> str:
    """A short title from the question: its question scaffolding removed, five words at most.

    >>> title_of("什么是多头注意力？", "zh"), title_of("What is multi-head attention?", "en")
    ('多头注意力', 'Multi-head Attention')
    >>> title_of("How does knowledge distillation work for small models in practice?", "en")
    'How Does Knowledge Distillation Work'
    """
    text = " ".join(question.split())
    text = _END_PUNCT.sub("", text.splitlines()[0] if text else "")
    if _cjk(text) and language == "zh":
        core = _ZH_TAIL.sub("", _ZH_LEAD.sub("", text)) or text
        core = _END_PUNCT.sub("", core)
        return core[:MAX_TITLE_CJK] or "新对话"
    core = _EN_LEAD.sub("", text) or text
    words = [w.strip(",;:\"'()") for w in core.split()][:MAX_TITLE_WORDS]
    return _title_case([w for w in words if w]) or ("新对话" if language == "zh" else "New Chat")


def _unique(items: Sequence[str], limit: int, skip: Sequence[str] = ()) -> list[str]:
    seen = {_key(s) for s in skip}
    out: list[str] = []
    for item in items:
        item = item.strip()
        if item and _key(item) not in seen:
            seen.add(_key(item))
            out.append(item)
    return out[:limit]


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


_QUESTION_PREFIX = re.compile(r"^\s*(?:\d+[.、)]\s*|问题\s*[:：]\s*|Q\s*[:：]\s*)+", re.I)


def follow_up_of(label: str, question: str, language: str) -> str:
    """A question the user could ask next about a related concept: the corpus question that names it
    (its numbering or "问题:" lead removed), else "what is <label>" when the corpus has only a heading.

    >>> follow_up_of("ALiBi", "问题:ALiBi 有什么优点?", "zh"), follow_up_of("自注意力机制", "自注意力机制", "zh")
    ('ALiBi 有什么优点?', '什么是自注意力机制？')
    """
    text = _QUESTION_PREFIX.sub("", question).strip()
    if text.endswith(("?", "？")):
        return text
    if not label:
        return ""
    return f"什么是{label}？" if language == "zh" else f"What is {label}?"


def value_of(task: TaskPrompt, facts: Facts) -> str | list[str]:
    """The task's answer as plain data: a title, or a list of tags, follow-ups or queries.

    >>> t = TaskPrompt("follow_ups", True, (Turn("user", "什么是RoPE？"),))
    >>> value_of(t, Facts("什么是RoPE？", "zh", related=[("RoPE", "什么是RoPE？"), ("ALiBi", "ALiBi 是什么？")]))
    ['ALiBi 是什么？']
    """
    if task.kind == "title":
        return title_of(facts.question, facts.language)
    if task.kind == "tags":
        return _unique(facts.concepts, MAX_TAGS) or [GENERAL_TAG]
    if task.kind == "follow_ups":
        questions = [follow_up_of(label, q, facts.language) for label, q in facts.related]
        return _unique(questions, MAX_FOLLOW_UPS, skip=task.user_texts)
    return _unique(facts.query_parts, MAX_QUERIES)


def reply(task: TaskPrompt, facts: Facts) -> str:
    """The reply text: the JSON object Open WebUI asks for, or LibreChat's bare title."""
    value = value_of(task, facts)
    if not task.json:
        return value if isinstance(value, str) else ", ".join(value)
    return json.dumps({task.kind: value}, ensure_ascii=False)

