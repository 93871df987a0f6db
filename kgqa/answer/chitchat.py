"""Conversation turns that are not questions: greetings, thanks, goodbyes, "who are you", "what can you do".

They get a short friendly reply in the user's language that says what the knowledge base covers and
suggests questions it can answer, never a cited passage. Recognition is deliberately narrow: the whole turn,
once punctuation, particles and a name are set aside, must be one of the phrases below (or a run of them),
so "你好，什么是RoPE？" is a question, not chit-chat. A greeting or thanks followed by a remark that asks
nothing and names nothing the corpus knows ("Thanks, that solved it!", "谢谢你，太有用了") is chit-chat too,
when the caller says what the corpus knows (``names_subject``).

>>> [kind_of(t) for t in ("你好", "谢谢啦！", "hi there", "What can you do?", "你好，什么是RoPE？")]
['greeting', 'thanks', 'greeting', 'capabilities', None]
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

PHRASES: dict[str, tuple[str, ...]] = {
    "greeting": (
        "你好", "您好", "嗨", "哈喽", "hello", "hi", "hey", "hi there", "hello there", "hey there", "早上好", "下午好",
        "晚上好", "早", "早安", "good morning", "good afternoon", "good evening", "在吗", "在不在", "有人吗",
        "yo", "greetings", "howdy", "大家好", "你好呀", "hiya",
    ),
    "thanks": (
        "谢谢", "多谢", "谢了", "感谢", "非常感谢", "谢谢你", "thanks", "thank you", "thx", "ty", "thanks a lot",
        "thank you so much", "many thanks", "cheers", "辛苦了", "太棒了", "好的", "ok", "okay", "great", "cool",
        "nice", "awesome", "明白了", "懂了", "知道了", "got it", "perfect", "好", "好吧", "收到",
        "that was helpful", "that helps", "that helped", "helpful", "very helpful", "thanks for the help",
        "thanks for your help", "thank you for your help", "thank you for the help", "appreciate it", "有帮助",
        "很有帮助", "帮大忙了",
    ),
    "goodbye": (
        "再见", "拜拜", "bye", "goodbye", "see you", "see ya", "晚安", "good night", "回头见", "先这样", "就这样",
        "今天先这样", "先问到这", "今天先问到这", "就问到这", "先问到这里", "that's all", "that is all", "i'm done",
        "bye bye", "later",
    ),
    "identity": (
        "你是谁", "你叫什么", "你是什么", "你是哪位", "who are you", "what are you", "who am i talking to",
        "who am i talking with", "who is this", "who's this", "你是机器人吗", "are you a bot",
        "are you human", "你是人吗", "what is your name", "what's your name", "what is this", "what is this thing",
        "what's this", "what's this thing", "这是什么", "这是啥", "这是什么东西", "你是干什么的", "你是干嘛的",
    ),
    "capabilities": (
        "你能做什么", "你会什么", "你可以做什么", "你能干什么", "你能干嘛", "你有什么用", "能做什么", "怎么用",
        "what can you do", "what do you do", "how do i use this", "how does this work", "help", "帮助",
        "你能帮我什么", "what can i ask", "what can i ask you", "我可以问什么", "能问什么", "你都知道什么",
        "what do you know",
    ),
}
_FILLER = re.compile(
    r"^(?:啊|呀|哦|噢|嗯|呢|吧|啦|哈|嘿|了|的|吗|么|哇|太|真|请问|一下|so|really|bot|kgqa|assistant|buddy|friend|"
    r"there|so much|a lot|very much|again|guys|all|everyone|机器人|小助手|助手|朋友)$",
    re.I,
)
_SEP = re.compile(r"[\s,，。.!！?？~～、;；:：…'\"“”‘’()（）\-]+")
# "你都能帮我干点啥", "你还会做些什么": a capability question in any of its usual shapes
_ZH_CAPABILITY = re.compile(
    r"^(?:你|我)?(?:都|还|到底)?(?:能|会|可以)(?:帮我|帮忙|为我)?(?:做|干|回答|解答|问你?|聊)?(?:点|些)?(?:什么|啥|哪些|嘛)"
    r"(?:方面|类|样)?(?:的)?(?:问题|东西|事情?)?$"
)
# "what kind of questions can I ask you?", "what topics do you cover?"
_EN_CAPABILITY = re.compile(
    r"^(?:so |and )?what (?:kinds?|sorts?|types?) of (?:questions|things|stuff) (?:can|could|should|may) i ask(?: you)?"
    r"(?: about)?$|^what (?:topics|subjects) (?:do|can) you (?:cover|know|answer)(?: about)?$"
)
_ASKS = re.compile(
    r"[?？]|\b(?:how|what|why|when|where|which|who|can|could|does|do|is|are)\b|"
    r"怎么|什么|为什么|为啥|如何|哪|吗|呢|咋|啥",
    re.I,
)
_OPENING_KINDS = ("greeting", "thanks")
_INDEX = {p: kind for kind, phrases in PHRASES.items() for p in phrases}
_LONGEST = 40  # the longest turn read (kind_of); a capability pattern may span all of it


def _match_run(text: str) -> list[str] | None:
    """Kinds of the phrases ``text`` is made of (greedy, longest first, fillers allowed), else None."""
    kinds: list[str] = []
    i = 0
    while i < len(text):
        for n in range(min(_LONGEST, len(text) - i), 0, -1):
            piece = text[i : i + n]
            nxt = text[i + n] if i + n < len(text) else " "
            boundary = not (piece[-1].isascii() and piece[-1].isalnum() and nxt.isascii() and nxt.isalnum())
            capability = _ZH_CAPABILITY.match(piece) or _EN_CAPABILITY.match(piece)
            if boundary and (piece in _INDEX or capability or _FILLER.match(piece)):
                if piece in _INDEX or capability:
                    kinds.append(_INDEX.get(piece, "capabilities"))
                i += n
                break
        else:
            return None
        while i < len(text) and text[i] == " ":
            i += 1
    return kinds or None


def kind_of(turn: str, names_subject: Callable[[str], bool] | None = None) -> str | None:
    """``greeting`` | ``thanks`` | ``goodbye`` | ``identity`` | ``capabilities`` for a chit-chat turn, else None.
    ``names_subject(text)`` says whether a remark names something the corpus knows."""
    plain = "".join(c for c in turn.lower() if not unicodedata.category(c).startswith(("S", "C")))  # emoji
    text = _SEP.sub(" ", plain).strip()
    if not text or len(text) > 40:
        return None
    kinds = _match_run(text)
    if kinds:
        # "hi, what can you do?" is about capabilities; "thanks, bye" a goodbye: the last phrase says what is wanted
        return kinds[-1]
    if names_subject is None:
        return None
    return _opening_then_remark(text, names_subject)


def _opening_then_remark(text: str, names_subject: Callable[[str], bool]) -> str | None:
    """A greeting or thanks, then a remark that asks nothing and names no subject: the opening's kind."""
    pieces = text.split(" ")
    for n in range(len(pieces) - 1, 0, -1):
        kinds = _match_run(" ".join(pieces[:n]))
        if kinds:
            remark = " ".join(pieces[n:])
            if kinds[-1] in _OPENING_KINDS and not _ASKS.search(remark) and not names_subject(remark):
                return kinds[-1]
            return None
    return None


_REPLY = {
    "zh": {
        "greeting": "你好！",
        "thanks": "不客气！",
        "goodbye": "再见，欢迎随时回来提问。",
        "identity": "我是这个知识库的问答助手，回答都引用原文句子。",
        "capabilities": "我可以根据知识库里的文档回答问题，每句回答都标注出处。",
    },
    "en": {
        "greeting": "Hello!",
        "thanks": "You're welcome!",
        "goodbye": "Goodbye, come back any time.",
        "identity": "I answer questions from this knowledge base, citing the sentences I quote.",
        "capabilities": "I answer questions from the documents in this knowledge base and cite every sentence.",
    },
}


def reply(kind: str, language: str, topics: Sequence[str], suggestions: Sequence[str]) -> str:
    """The reply: a friendly line, what the knowledge base covers, and questions to try."""
    lang = "zh" if language == "zh" else "en"
    parts = [_REPLY[lang][kind]]
    if kind != "goodbye":
        if topics:
            parts.append(f"知识库涵盖：{'、'.join(topics)}。" if lang == "zh" else f"It covers {', '.join(topics)}.")
        if suggestions:
            lead = "可以试试问：" if lang == "zh" else "You could ask:"
            parts.append(lead + ("" if lang == "zh" else " ") + (" / ".join(suggestions)))
    return ("" if lang == "zh" else " ").join(parts)
