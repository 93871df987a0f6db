"""Every error kgqa raises on purpose. Messages say what was wrong, the value, and how to fix it.

::

    KgqaError
    ├── ConfigError          a setting is missing or invalid
    ├── InputError           bad user input (query, top_k, history, upload)
    ├── CorpusError          the corpus cannot be ingested
    │   ├── EmptyCorpusError      no documents found
    │   ├── UnsupportedFormatError  a file type we cannot read
    │   ├── UnreadableFileError   binary, undecodable or unreadable file
    │   │   └── ConversionTimeoutError  its conversion ran over KGQA_INGEST_DOCUMENT_TIMEOUT_S
    │   └── EmptyDocumentError    a file with no text (or none that could be extracted)
    ├── ModelError           the embedding model cannot be loaded, converted or reached (a server)
    ├── IndexError_          the index is missing, corrupt or built by another model
    ├── BudgetExceededError  a question ran over its time budget (KGQA_ASK_TIMEOUT_S)
    └── ConceptNotFoundError a concept name or id that the graph does not know
"""

from __future__ import annotations


class KgqaError(Exception):
    """Base class for all kgqa errors."""


class ConfigError(KgqaError):
    pass


class InputError(KgqaError, ValueError):
    pass


class CorpusError(KgqaError):
    pass


class EmptyCorpusError(CorpusError):
    pass


class UnsupportedFormatError(CorpusError):
    pass


class UnreadableFileError(CorpusError):
    pass


class ConversionTimeoutError(UnreadableFileError):
    pass


class EmptyDocumentError(CorpusError):
    pass


class ModelError(KgqaError):
    pass


class IndexError_(KgqaError):  # noqa: N801 - avoid shadowing the builtin IndexError
    pass


class BudgetExceededError(KgqaError):
    pass


class ConceptNotFoundError(KgqaError, LookupError):
    def __init__(self, name: str, suggestions: list[str] | None = None) -> None:
        self.name = name
        self.suggestions = suggestions or []
        hint = f"; did you mean: {', '.join(self.suggestions)}" if self.suggestions else ""
        super().__init__(f"unknown concept {name!r}{hint}. List concepts with `kgqa concepts`.")
