"""Export a run folder: its records into the formats asked for, plus the dataset card.

The validate stage writes the records (`validated.jsonl`: each dialogue with its validation)
and the export stage `export.json`; `export_folder` needs nothing else, so `dslgen export DIR`
re-exports a finished run without running anything.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from dslgen.errors import RunError
from dslgen.export import context as export_context
from dslgen.export.card import write_card
from dslgen.export.context import ExportContext
from dslgen.export.formats import Written, export
from dslgen.output.jsonl import iter_jsonl
from dslgen.plan.artifacts import VALIDATED
from dslgen.sim.dialogue import VALIDATED_KEYS

LOG_FILES = (VALIDATED,)  # the run's records, in the order they are read


@dataclass
class Exported:
    out_dir: Path
    written: list[Written]
    card: Path

    def summary(self) -> str:
        lines = []
        for w in self.written:
            counts = ", ".join(f"{s} {n}" for s, n in w.counts.items())
            lines.append(f"{w.format:<9} {counts}" + (f"  ({w.note})" if w.note else ""))
        return "\n".join(lines + [f"card: {self.card}"])


def export_records(records: list[dict], context: ExportContext, out_dir: Path, log_files: list[str]) -> Exported:
    """Write the formats of `context` and the card into `out_dir`."""
    written = export(records, context, out_dir)
    card = write_card(records, written, context, out_dir, log_files)
    return Exported(out_dir, written, card)


def export_folder(run_dir: str | Path, formats: tuple[str, ...] | None = None,
                  out_dir: str | Path | None = None) -> Exported:
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise RunError(f"{run_dir}: no such folder", hint="name the output folder of a run (out/<spec name>)")
    context = export_context.load(run_dir)
    if formats:
        context = context.with_formats(tuple(formats))
    out = Path(out_dir) if out_dir else run_dir
    records, logs = read_records(run_dir)
    if out != run_dir:
        logs = _copied_logs(run_dir, out, logs)
    return export_records(records, context, out, logs)


def read_records(run_dir: Path) -> tuple[list[dict], list[str]]:
    """Every record of the run's log files, and the names of the files that exist."""
    present = [name for name in LOG_FILES if (run_dir / name).exists()]
    return [r for name in present for r in iter_jsonl(run_dir / name, VALIDATED_KEYS)], present


def _copied_logs(run_dir: Path, out: Path, logs: list[str]) -> list[str]:
    """Exporting elsewhere: the card's `dialogues` config needs the log beside it."""
    out.mkdir(parents=True, exist_ok=True)
    for name in logs:
        shutil.copyfile(run_dir / name, out / name)
    return logs
