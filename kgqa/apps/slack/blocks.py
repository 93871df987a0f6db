"""Block Kit rendering of an :class:`~kgqa.types.Answer`: pure functions from plain data to JSON-able dicts.

Slack's limits shape the output: a section's text holds at most 3,000 characters, a context block at most
10 elements, a button label 75 characters, a button value 2,000, a message 50 blocks.

>>> [len(p) for p in split_text("a" * 4000, limit=3000)]
[3000, 1000]
>>> mrkdwn("**RoPE** <= 2 & more")
'*RoPE* &lt;= 2 &amp; more'
>>> escape("<!channel> see <https://evil.example|docs>")
'&lt;!channel&gt; see &lt;https://evil.example|docs&gt;'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from kgqa.types import Answer, Citation, RelatedConcept

Block = dict[str, Any]

SECTION_LIMIT = 3000
CONTEXT_ELEMENTS = 10
BUTTON_TEXT_LIMIT = 75
BUTTON_VALUE_LIMIT = 2000
MESSAGE_BLOCKS = 50
FALLBACK_LIMIT = 3000
QUOTE_CHARS = 140
RELATED_BUTTONS = 5

RELATED_ACTION = "kgqa_related"  # action ids are "kgqa_related:<i>": unique within one message
VOTE_UP_ACTION = "kgqa_vote_up"
VOTE_DOWN_ACTION = "kgqa_vote_down"
SHARE_ACTION = "kgqa_share"

# where a long text may be cut, best first; a sentence break keeps its trailing citation markers
_BREAKS = (
    re.compile(r"\n\s*\n"),
    re.compile(r"\n"),
    re.compile(r"[。！？!?；;.](?:\[\d+\])*"),
    re.compile(r"[，,、]|\s"),
)
_ENTITY_TAIL = re.compile(r"&[a-z]{0,3}$")


_USER_ID = re.compile(r"^[UW][A-Z0-9]{1,20}$")


def escape(text: str) -> str:
    """The one escaping of every string the bot sends to Slack (message ``text``, block text, replies,
    errors): Slack's three control characters become entities, so a question or document that carries
    ``<!channel>``, ``<@U123>`` or ``<https://evil.example|Click>`` is shown as typed and never pings or links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clipped(text: str, limit: int) -> str:
    """``escape(text)`` in at most ``limit`` characters, never cut inside an entity."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    head = escaped[: limit - 1]
    tail = _ENTITY_TAIL.search(head)
    return (head[: tail.start()] if tail else head).rstrip() + "…"


def user_mention(user_id: str) -> str:
    """A live mention of a Slack user id (``<@U123>``); anything that is not an id is shown escaped."""
    return f"<@{user_id}>" if _USER_ID.match(user_id) else escape(user_id)


def mrkdwn(text: str) -> str:
    """Markdown-ish answer text -> Slack mrkdwn: :func:`escape`, then ``**b**`` -> ``*b*``."""
    escaped = escape(text)
    escaped = re.sub(r"\*\*(.+?)\*\*", r"*\1*", escaped)
    return re.sub(r"^#{1,6}\s+(.+)$", r"*\1*", escaped, flags=re.M)


def split_text(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` characters at the best break in the second half of each
    window (paragraph, line, sentence, word), never inside an ``&amp;``-style entity."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = 0
        for pattern in _BREAKS:
            # look a little past the limit so a marker like "[12]" straddling it is seen whole (and not cut)
            ends = [m.end() for m in pattern.finditer(rest, 0, limit + 8) if limit // 2 < m.end() <= limit]
            if ends:
                cut = ends[-1]
                break
        if not cut:
            tail = _ENTITY_TAIL.search(window)
            cut = tail.start() if tail else limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": clip(text, BUTTON_TEXT_LIMIT), "emoji": True},
        "action_id": action_id,
        "value": value[:BUTTON_VALUE_LIMIT],
    }
    if style:
        button["style"] = style
    return button


def citation_elements(citations: Sequence[Citation]) -> list[Block]:
    """One context element per citation: number, document title › section, and a short quote."""
    out = []
    for c in citations:
        where = f"{c.title} › {c.section}" if c.section else c.title
        quote = clip(" ".join(c.quote.split()), QUOTE_CHARS)
        out.append(
            {"type": "mrkdwn", "text": clip(f"*[{c.n}]* {mrkdwn(where)}\n“{mrkdwn(quote)}”", SECTION_LIMIT)}
        )
    return out


def related_buttons(related: Sequence[RelatedConcept]) -> list[Block]:
    """A button per related concept whose value is the question to ask about it."""
    buttons = []
    for i, r in enumerate(related[:RELATED_BUTTONS]):
        label = r.label_zh or r.label
        question = r.question or label
        buttons.append(_button(f"🔗 {label}", f"{RELATED_ACTION}:{i}", question))
    return buttons


def feedback_buttons(answer_id: str, *, share: bool) -> list[Block]:
    buttons = [_button("👍", VOTE_UP_ACTION, answer_id), _button("👎", VOTE_DOWN_ACTION, answer_id)]
    if share:
        buttons.append(_button("Share in channel", SHARE_ACTION, answer_id, style="primary"))
    return buttons


def answer_blocks(
    answer: Answer, answer_id: str, *, question: str = "", asked_by: str | None = None, share: bool = False
) -> list[Block]:
    """The message for one answer: who asked (for button asks and shares), the text in sections of at most
    3,000 characters, the citations, related-concept buttons, and 👍/👎 (plus "share" for ephemeral replies).
    An abstention says so and offers the related concepts it knows as buttons."""
    head: list[Block] = []
    if asked_by:
        head.append(_context([f"{user_mention(asked_by)} asked: {mrkdwn(clip(question, 300))}"]))
    body = mrkdwn(answer.answer) if not answer.abstained else f":grey_question: {mrkdwn(answer.answer)}"
    sections = [{"type": "section", "text": {"type": "mrkdwn", "text": p}} for p in split_text(body)]
    tail: list[Block] = []
    cites = citation_elements(answer.citations)
    for start in range(0, len(cites), CONTEXT_ELEMENTS):
        tail.append({"type": "context", "elements": cites[start : start + CONTEXT_ELEMENTS]})
    related = related_buttons(answer.related_concepts)
    if related:
        label = "Try one of these instead:" if answer.abstained else "Related concepts:"
        tail.append(_context([label]))
        tail.append({"type": "actions", "block_id": "kgqa_related", "elements": related})
    if answer_id:  # an answer the feedback store could not record gets no buttons that need it
        tail.append(
            {"type": "actions", "block_id": "kgqa_feedback", "elements": feedback_buttons(answer_id, share=share)}
        )
    room = MESSAGE_BLOCKS - len(head) - len(tail)
    if len(sections) > room:
        sections = sections[: room - 1] + [_context(["… the answer is too long for one Slack message."])]
    return head + sections + tail


def fallback_text(answer: Answer) -> str:
    """The plain ``text`` of the message (notifications, screen readers, the thread history read back),
    escaped: Slack parses it like mrkdwn."""
    return clipped(answer.answer, FALLBACK_LIMIT)


def notice_text(text: str) -> str:
    """A notice, an error or a usage hint as message ``text`` (escaped like everything the bot sends)."""
    return clipped(text, FALLBACK_LIMIT)


def notice_blocks(text: str) -> list[Block]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": clipped(text, SECTION_LIMIT)}}]


def _context(texts: Sequence[str]) -> Block:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": clip(t, SECTION_LIMIT)} for t in texts],
    }
