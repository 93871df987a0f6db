"""A small Server-Sent Events parser (per the WHATWG spec), so tests read the stream as a browser would."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass
class Event:
    event: str
    data: str
    id: str | None = None


def parse_sse(lines: Iterable[str]) -> list[Event]:
    """Events from decoded lines (without line endings); comments and retry fields are skipped."""
    events: list[Event] = []
    name, data, eid = "", [], None
    for line in lines:
        if line == "":
            if data:
                events.append(Event(name or "message", "\n".join(data), eid))
            name, data, eid = "", [], None
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
        elif field == "id":
            eid = value
    if data:
        events.append(Event(name or "message", "\n".join(data), eid))
    return events
