"""Progress of long work: written by the worker thread, read by a timer on the page."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Progress:
    """How far a long job got; `busy` while it runs, so it is not started twice."""

    fraction: float = 0.0
    text: str = ""
    busy: bool = False

    def report(self, fraction: float) -> None:
        """Progress callback for the core: the share done, 0 to 1."""
        self.fraction = fraction
