"""The answer stage: sentence choice, graded abstention, the similarity floors and the probe questions.

Part of :mod:`kgqa.tuning`; see its docstring for the rules every constant follows.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Compose:
    """Sentence scoring and answer growth (``answer/compose.py``)."""

    # the composer reads every passage retrieval returns for a part (five by default): on colloquial questions the
    # passage that holds the answer is often ranked second to fifth (gold at rank 2 to 5 in 13 of the 19 missed
    # tutorial dev questions, python bench/misses.py pytutorial-en), and the sentence scores find it there. Fitted
    # with ``rank`` below (python bench/fit_compose.py --margin 0.1 --lexical 0.1 --rank 0 0.01 0.015 0.02 0.025
    # 0.03 0.05 0.08 --chunks 3 4 5): dev quote hit notes / gimp-zh / pytutorial-en 0.895 / 0.544 / 0.679 at five
    # passages and rank 0.01, against 0.860 / 0.509 / 0.623 at three passages and rank 0.05; test 0.846 / 0.625 /
    # 0.400 at both. Fitting on any two corpora picks the same point for the third (the cross-corpus check).
    chunks_per_part: int = 5
    # about two to four sentences: a quote a reader checks at a glance
    char_budget: int = 280
    # English spells the same content in about 2.5 times the characters of Chinese (a word is 4.7 letters and
    # a space against 1.6 characters), so an English answer gets twice the budget. Not fitted.
    latin_budget_factor: float = 2.0
    # a list answer shows at most this many items; longer lists are cut, the citation shows the rest
    max_items: int = 6
    # score = cosine + lexical * overlap + heading * heading match - rank * passage rank - position * index.
    # The cosine carries the choice. Keyword overlap breaks near-ties between sentences of one passage: fitted
    # on the dev splits of all three corpora for the worst corpus (python bench/fit_compose.py), 0.1 against 0
    # and 0.25 (with the support margin below, dev quote hit notes / gimp-zh / pytutorial-en 0.860 / 0.460 /
    # 0.587 at 0.1, 0.900 / 0.420 / 0.652 at 0, 0.860 / 0.440 / 0.609 at 0.25). A matching heading (0.1)
    # favours the unit that answers the question. The rank penalty makes the passage retrieval ranked first win
    # a tie: a lower passage needs a sentence 0.01 of cosine better per rank to be quoted instead. Fitted with
    # ``chunks_per_part`` (see there): 0 ties on the worst corpus's dev split (gimp-zh 0.544) and does worse on
    # the tutorial (0.623); 0.015 to 0.05 do worse on gimp-zh (0.509 to 0.526); 0.05 was the value before.
    # ``heading`` and ``position`` are not fitted.
    lexical: float = 0.1
    heading: float = 0.1
    rank: float = 0.01
    position: float = 0.004
    # the best other sentence of the passages read (not a lead, not next to one already chosen) joins the
    # answer as one more citation when it scores within this margin of the anchor and is at most
    # ``support_chars`` long (times the Latin factor); never when the question and the anchor are in different
    # languages, where the cosines of a passage's sentences are too close to tell a runner-up from noise (a
    # sentence on 混合精度 for "Mixture-of-Experts"). Fitted with python bench/fit_compose.py on the dev splits
    # of all three corpora, for the worst corpus, against no support sentence and margins 0.02 to 0.25: dev
    # quote hit notes / gimp-zh / pytutorial-en 0.860 / 0.360 / 0.500 without, 0.860 / 0.460 / 0.587 at 0.1,
    # median cited characters 161 / 194 / 321 against 180 / 253 / 385 (0.06 and 0.15 tie on gimp-zh and do
    # worse or longer elsewhere). Fitting on any two corpora picks 0.1 as well (the cross-corpus check).
    support_margin: float = 0.1
    support_chars: int = 200
    # When the passages read hold sentences of both languages (at least ``language_shift_min`` of each), the
    # cosines of those in the other language than the question's are raised by the gap between the two
    # languages' mean cosines (``compose._language_shift``): the model scores a sentence in the question's own
    # language higher whatever it says. Not fitted: the mean is what the gap is.
    language_shift: bool = True
    language_shift_min: int = 2
    # the LLM layer keeps a cited claim only when the sentence it cites holds at least this share of the claim's
    # keywords (``answer/llm.py``): a third ties the claim to its source without demanding the source's wording.
    # Not fitted.
    llm_support_min: float = 0.3
    # An anchor outside a list gives way to the list of its passage when at least ``list_min_items`` of the
    # list's items score within ``list_margin`` of it (-1: never), and then no supporting sentence joins: several
    # items that nearly match are more evidence than one remark (a closing line after the list that shares
    # 大模型 with 「介绍MoE，MoE怎么使用到大模型上」 was quoted instead of the MoE list). 0.03 is about the spread
    # of the cosines of one passage's sentences. Not fitted: `python bench/fit_compose.py --margin 0.1 --lexical
    # 0.1 --list-margin -1 0.01 0.02 0.03 0.05 0.08` changes no dev quote hit on any corpus at any of these values.
    list_margin: float = 0.03
    list_min_items: int = 2
    # an answer is about the concepts its question names and, after them, those its cited sentences name, in
    # the order of the citations: the map highlights them, and when the question names none (a paraphrase)
    # the related concepts start from them. At most five: a question rarely names more than three, and beyond
    # five the highlight covers most nouns of a passage. Not fitted.
    answer_concepts: int = 5
    # a comparison of two concepts is answered from the best of the top passages that names both, when one of
    # these ranks does: the retriever's usual top five, where the passage comparing them mostly is (list vs
    # tuple: fourth). Not fitted.
    comparison_window: int = 5


@dataclass(frozen=True)
class Decide:
    """Answer, answer with a caveat, or refuse (``answer/decide.py``)."""

    # wordfreq's Zipf scale: 3.0 is about once per million words of general text. A question word at least
    # this common (网速, 装包, Italian, weather) is an ordinary word, not a key term, so its absence from the
    # corpus says nothing about whether the corpus answers the question. Not fitted.
    ordinary_zipf: float = 3.0
    # a name the question sets apart (a capitalised word inside an English question, any English word in a
    # Chinese one) that is capitalised (Django, Flask), or any such word when the corpus writes English (pandas,
    # excel), is a product or project name unless general language uses it about once in 10,000 words (Italian
    # 4.5, London 4.9, Windows 4.6): the frequency lists count such names at 3 to 4 (Django 3.1, Excel 3.7), as
    # often as ordinary words, yet a corpus that never names one says nothing about it. A lower-case English
    # word in a Chinese question about a Chinese corpus keeps ``ordinary_zipf`` (cache, batch: the corpus may
    # write it only in Chinese). Not fitted.
    name_ordinary_zipf: float = 4.0
    # a Latin word this long or longer that is one edit (two from 9 letters) away from a word of the corpus
    # is a typo of it (transfomer -> transformer), not an unknown term. Not fitted.
    typo_min_length: int = 5
    # a shorter word (four letters: gmip, GDFL) is a typo only with two neighbouring letters swapped; one
    # substituted letter would make most short words typos of one another. Not fitted.
    swap_min_length: int = 4
    typo_long_length: int = 9
    # a Chinese word one character short of a corpus keyword (解器 for 解码器) is a typo of it; from this many
    # characters, one short of any run of the corpus text too (简体文版 for 简体中文版). A two-character word
    # would find some three characters around it in most texts, so it needs the keyword. Not fitted.
    short_text_min_length: int = 3
    # a lower-case Latin word of this length or more that general language rarely uses (under
    # ``ordinary_zipf``: pytest, tkinter, functools) and the corpus never does is a key term the corpus lacks, as
    # an acronym or a capitalised name is. Shorter rare strings are mostly abbreviations and code fragments
    # (lru, pdb, len). Not fitted.
    rare_word_min_length: int = 4
    # that rule needs a corpus written mainly in English: at least this share of its words are English,
    # counting a Chinese word as 1.6 characters. In a corpus that only names English terms (the bundled notes,
    # 7%) or is half translated (the GIMP manual, 26%), the English word of a question may stand only in its
    # Chinese form (decoder, 解码器). The Python tutorial has 100%. Not fitted.
    min_english_word_share: float = 0.5
    cjk_chars_per_word: float = 1.6
    # when the unknown key terms are at least this share of the question's key terms, the question is about
    # what the corpus lacks: refuse. Below it, answer what is there and say what is missing. Not fitted.
    refuse_unknown_share: float = 0.5
    # a word at least this share of the passages contain is the corpus's subject (gimp in 63% of the GIMP
    # manual's passages, 模型 and transformer in 85% and 79% of the notes'; nothing in the Python tutorial, where
    # python is in 35%): beside a term the corpus lacks, it says nothing of the question is there, so a question
    # whose only known words are such (GIMP 有 iPad 或者安卓版吗) is refused when the best passage holds too
    # little of the rest. Half: a word most passages share. Not fitted.
    subject_share: float = 0.5
    # a version number the corpus never writes refuses the question when it names a release: after the word
    # version or 版, or after a name, which is a Latin word rarer in general English than this Zipf frequency
    # (gimp is at 2.8, python at 3.8); a more common word (is 7.1, than 6.1, about 6.4) is a function word, and
    # the number is arithmetic ("is 3.5 bigger"). Not fitted.
    release_name_max_zipf: float = 5.0
    # share of the question's content words found in the best passage: at or above this, the passage is
    # about the question even when no concept links (a paraphrase in the corpus's own words). Not fitted.
    min_word_coverage: float = 0.34
    # share of CJK characters above which a corpus counts as (partly) Chinese, so that a Chinese word missing
    # from it means something; the English tutorial has none, the GIMP manual (half untranslated) has 30%.
    # Not fitted.
    min_cjk_share: float = 0.02


@dataclass(frozen=True)
class Similarity:
    """Best-sentence cosine floors, per embedding model: cosines of different models are not comparable.

    Calibrated for intfloat/multilingual-e5-small on the dev split of bench/devset.yaml: in-corpus questions
    naming no concept start at 0.834, out-of-corpus ones reach 0.82. Fitted (notes dev split). Used only as
    one signal among several: on a manual nobody tuned for, the floor alone separates nothing.
    """

    e5_min: float = 0.80
    e5_min_unlinked: float = 0.83


@dataclass(frozen=True)
class Probes:
    """Questions about nothing any knowledge base of documents holds, in both languages. At load time each is
    asked of the knowledge base; the best sentence similarity they reach is what an unrelated question scores
    with this model on this corpus, so a question that names nothing the corpus has must beat it. Everyday
    topics, fixed once, never taken from a dev set. Not fitted."""

    zh: tuple[str, ...] = (
        "明天会下雨吗？", "附近有什么好吃的餐厅？", "昨晚的比赛谁赢了？", "红烧肉怎么做？", "最近有什么好看的电影？",
        "股票明天会涨吗？", "去海边旅游要带什么？", "猫为什么总是睡觉？",
    )
    en: tuple[str, ...] = (
        "Will it rain tomorrow?", "Any good restaurants near here?", "Who won the game last night?",
        "How do I make pancakes?", "What are some good movies to watch?", "Will the stock market go up?",
        "What should I pack for a beach holiday?", "Why do cats sleep so much?",
    )
    # an unlinked question must beat the best probe by this much; similarities of one model on one corpus
    # spread by about 0.01 between unrelated questions. Not fitted.
    margin: float = 0.0


COMPOSE = Compose()
DECIDE = Decide()
SIMILARITY = Similarity()
PROBES = Probes()
