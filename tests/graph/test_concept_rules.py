"""Issue 12: which mined names stay concepts. Names of a document's own example code, people of a credits list
and a word the text writes inside one compound are not concepts; the compound is. Small inline texts."""

from __future__ import annotations

import pytest
from graph_helpers import extract, graph_of, make_doc

from kgqa.graph import Glossary, build_graph, extract_document
from kgqa.graph.compounds import compound_of
from kgqa.graph.query import ConceptGraph
from kgqa.graph.text import concept_id
from kgqa.types import Chunk

pytestmark = pytest.mark.unit

PROSE = (
    "Create a file called zorblax.py for the frobnicator.\n\n"
    "The zorblax module imports the frobnicator. Then zorblax calls it again; Quuxmaker answers.\n\n"
    "Using zorblax you reach the frobnicator; Quuxmaker waits."
)
CODE = "\n\n    class Quuxmaker(Base):\n        pass\n\n    import zorblax\n\nThe Quuxmaker and zorblax run."


def _with_code(text: str, code_from: int) -> ConceptGraph:
    """``text`` as one document whose tail (from ``code_from`` on) is a code block of its last chunk."""
    doc, chunks = make_doc(text)
    last = chunks[-1]
    chunks[-1] = Chunk(last.chunk_id, last.doc_id, last.start, last.end, last.text, code=((code_from, len(text) - 30),))
    g = Glossary()
    return build_graph([extract_document(doc, chunks, g)], g)


def test_names_the_examples_make_up_are_no_concepts() -> None:
    text = PROSE + CODE
    with_code = _with_code(text, len(PROSE))
    assert "zorblax" not in with_code.concepts  # the text writes its module file, zorblax.py
    assert "quuxmaker" not in with_code.concepts  # its code defines the class
    assert "frobnicator" in with_code.concepts
    # the same prose without the file name: zorblax is a name the text uses, not one it makes up
    plain = graph_of(PROSE.replace("zorblax.py", "the zorblax"))
    assert {"zorblax", "quuxmaker"} <= set(plain.concepts)


CREDITS = (
    "Ann Lee (German) , Dax Morvane (Simplified Chinese) , Cy Dunn , Di Ek (Greek) , Ed Fo (Brazilian Portuguese) , "
    "Gu Ha (Czech)"
)


def test_people_are_no_concepts_whether_a_credits_list_or_a_sentence_names_them() -> None:
    text = "\n\n".join(
        [
            CREDITS,
            "本版本由 Dax Morvane 进行复制和重新排版，Peter Quill 最先写了 Wilbo。",
            "Dax Morvane 修改了 Wilbo 的说明。Peter Quill 和 Wilbo 在一起，Peter 也用 Sparse Transformer。",
            "Sparse Transformer 的 Transformer 层和 Wilbo 一起。",
        ]
    )
    ids = set(graph_of(text).concepts)
    assert "dax-morvane" not in ids  # credited
    # spoken of: the surname is written nowhere else, the given name also alone (Peter), never in lower case
    assert "peter-quill" not in ids
    assert "sparse-transformer" in ids  # a term: its head word recurs on its own


def test_a_word_written_inside_one_compound_is_that_compound() -> None:
    text = "\n\n".join(
        [
            "This is called name mangling. Name mangling helps the frobnicator.",
            "The mangling is done early, and the frobnicator keeps it.",
            "Name mangling again, with a frobnicator and another frobnicator.",
        ]
    )
    g = graph_of(text)
    assert "mangling" not in g.concepts
    assert g.concepts["name-mangling"].label == "name mangling"
    # the lone word still finds the concept ("The mangling is done early")
    assert len(g.concepts["name-mangling"].chunk_ids) == 3


def test_compound_needs_the_same_modifier_in_half_of_the_uses_and_twice() -> None:
    assert compound_of("mangling", "name mangling. name mangling. the mangling. this mangling.") == "name mangling"
    assert compound_of("mangling", "name mangling. the mangling. this mangling.") == ""
    assert compound_of("hexadecimal", "precise hexadecimal. the hexadecimal.") == ""


def test_a_final_capital_s_is_no_plural_in_an_id() -> None:
    assert concept_id("macOS") == "macos"
    assert concept_id("iOS") == "ios"
    assert concept_id("Modules") == "module"
    assert concept_id("Keyword Arguments") == "keyword-argument"


def test_a_plural_whose_singular_is_no_english_word_keeps_its_id() -> None:
    assert concept_id("indices") == "indices"  # not "indice"
    assert concept_id("vertices") == "vertices"
    assert concept_id("devices") == "device"


def test_an_english_alias_sentence_makes_one_concept_of_both_names() -> None:
    text = "\n\n".join(
        [
            "Frobnicator errors, also known as widget faults, are common.",
            "A frobnicator error stops the widget. Each frobnicator error is logged.",
            "Each value has a class (also called its type), and the widget faults are rare.",
        ]
    )
    g = graph_of(text)
    assert "widget faults" in g.concepts["frobnicator-error"].aliases
    assert "widget-fault" not in g.concepts
    assert not any("its type" in c.aliases for c in g.concepts.values())  # an article or possessive is no name


def test_asking_for_many_compounds_reads_the_text_once():
    """The compound rule is asked about every single-word candidate of a corpus: each question must cost a
    lookup, not another pass over the text (CPU time of this thread, so a busy machine scales both alike)."""
    import time

    from kgqa.graph import compounds

    words = [f"word{i}" for i in range(200)]
    text = " ".join(f"name {w} the {w} of name mangling." for w in words) * 20

    def cost(asked: list[str]) -> float:
        compounds._index.cache_clear()
        started = time.thread_time()
        for w in asked:
            compounds.compound_of(w, text)
        return time.thread_time() - started

    one = min(cost(words[:1]) for _ in range(3))
    many = min(cost(words) for _ in range(3))
    assert many < 5 * one  # 200 passes over the text would cost about 200 times one
    assert compounds.compound_of("mangling", text) == "name mangling"


def test_a_name_its_one_passage_keeps_naming_is_a_concept_and_one_said_once_is_not() -> None:
    once = "项目里用到了佐布算法（Zorblax）。\n\n别的段落说的是模型和数据。"
    topic = "佐布算法（Zorblax）很快。佐布算法能排序。佐布算法也能搜索。\n\n别的段落说的是模型和数据。"
    assert "zorblax" not in graph_of(once).concepts
    assert "zorblax" in graph_of(topic).concepts


def test_the_label_over_a_list_of_people_is_no_term() -> None:
    people = "Ann Lee , Bo Chen , Cy Dunn , Di Ek , Ed Fo , Gu Ha , Ho Ib"
    with_list = extract(f"Translations\n\n{people}\n\nThe translations are done.")
    without = extract("Translations\n\nThe translations are done.")
    assert "Translations" not in {t.en for t in with_list.terms}
    assert "Translations" in {t.en for t in without.terms}


def test_the_top_folder_of_a_drawn_file_tree_is_an_example_name() -> None:
    from kgqa.graph.extract import example_names
    from kgqa.types import Document

    tree = ("    sound/                  Top-level package\n"
            "          __init__.py       Initialize the sound package\n"
            "          effects/          Subpackage for sound effects\n")
    text = "A package layout:\n\n" + tree
    doc = Document("d", "d.md", "D", "en", text, "sha")
    names = example_names(doc, [Chunk("c", "d", 0, len(text), text, code=((19, len(text)),))])
    assert "sound" in names
    assert "effects" not in names  # a subfolder's name is an ordinary word the text also uses as one
    # a path in prose draws no tree
    prose = Document("p", "p.md", "P", "en", "Look in sound/ for it.", "sha2")
    assert "sound" not in example_names(prose, [Chunk("c", "p", 0, 22, prose.text)])


def test_the_files_of_a_drawn_tree_are_example_names_also_across_two_chunks() -> None:
    from tests.graph.test_marked_terms import _doc

    tree = ("sound/                  Top-level package\n"
            "      __init__.py       Initialize the sound package\n"
            "      effects/          Subpackage for sound effects\n"
            "              echo.py\n"
            "              surround.py\n"
            "              reverse.py")
    said = [("In this example, the echo and surround modules are imported.", [("echo", "code"), ("surround", "code")]),
            ("From the surround module you might use the reverse function.", [("surround", "code")]),
            ("The surround module writes sound; import surround first.", [("surround", "code"), ("surround", "code")])]

    def graph(tree_is_code: bool) -> ConceptGraph:
        doc, chunks = _doc([(tree, []), *said])
        cut = chunks[0].start + tree.index("              surround.py")
        first, rest = chunks[0], chunks[1:]
        if tree_is_code:  # the chunker cut the tree's code block in two
            rest = [Chunk("t1", "d", cut, first.end, doc.text[cut:first.end], code=((cut, first.end),)), *rest]
            first = Chunk("t0", "d", first.start, cut - 1, doc.text[first.start:cut - 1],
                          code=((first.start, cut - 1),))
        return build_graph([extract_document(doc, [first, *rest], Glossary())], Glossary())

    assert not {"echo", "surround", "surround-module"} & set(graph(True).concepts)
    # the same text where the tree is no code block: the modules are names the text uses
    assert "surround" in graph(False).concepts


def test_a_dunder_file_name_is_found_where_the_text_writes_it() -> None:
    from kgqa.graph.lexicon import Lexicon

    lexicon = Lexicon({"__init__.py": "init-py", "self-attention": "self-attention"})
    text = "The __init__.py files make a package; self  attention is spaced twice."
    found = [(m.key, text[m.start : m.end]) for m in lexicon.link(text)]
    assert found == [("init-py", "__init__.py"), ("self-attention", "self  attention")]
