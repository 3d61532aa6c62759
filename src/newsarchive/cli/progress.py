"""The progress bar of a long run (output.RunDisplay), in a module of its own: rich's progress
machinery is loaded only when a run draws a bar on a terminal, not at every command's start."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

__all__ = ["progress_bar"]


class _RateColumn(ProgressColumn):
    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed or 0:.1f} {self.unit}/s", style="progress.data.speed")


def progress_bar(console: Console, kinds: dict[str, str], unit: str) -> Progress:
    """A bar with a count of each of `kinds` (in its style), the rate and the time left."""
    counts = [
        TextColumn(f"[{style}]{{task.fields[{kind}]}} {kind}") for kind, style in kinds.items()
    ]
    return Progress(
        BarColumn(),
        MofNCompleteColumn(),
        *counts,
        _RateColumn(unit),
        TimeRemainingColumn(),
        console=console,
        redirect_stdout=False,  # results are written by RunDisplay.emit
        redirect_stderr=False,
    )
