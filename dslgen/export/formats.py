"""The export formats, one entry each, and the writer that puts a run's records into them.

Each format writes a folder of its own under the output folder: `<format>/<split>.jsonl`
(`.parquet` for parquet; a `datasets.save_to_disk` folder for arrow). A split with no rows
gets no file: `datasets` cannot load an empty data file (it stops with StopIteration or
"corresponds to no data"), so the card declares only the splits that have rows.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, get_args

from dslgen.errors import RunError
from dslgen.export import hf, preference, sharegpt
from dslgen.export.context import ExportContext
from dslgen.export.conversation import training_messages
from dslgen.export.features import declared
from dslgen.export.openai import openai_row
from dslgen.export.splits import split_ids
from dslgen.spec.models import ExportFormat


@dataclass(frozen=True)
class Format:
    name: str
    about: str
    columns: dict | None  # the declared schema; None: inferred from the rows
    row: Callable | None = None  # (record, training messages) -> row, for one-dialogue formats
    rows: Callable | None = None  # (records, system prompt, keep greeting) -> rows, for preference data
    container: str = "jsonl"  # jsonl | parquet | arrow


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("openai", "chat API messages; call arguments and tools as the API has them", None, openai_row),
    Format("hf", "one schema for `datasets`; arguments and tool schemas as JSON text", hf.COLUMNS, hf.hf_row),
    Format("sharegpt", "LLaMA-Factory's sharegpt layout with tools", sharegpt.COLUMNS, sharegpt.sharegpt_row),
    Format("parquet", "the hf rows as Parquet", hf.COLUMNS, hf.hf_row, container="parquet"),
    Format("arrow", "the hf rows as a datasets.save_to_disk folder", hf.COLUMNS, hf.hf_row, container="arrow"),
    Format("kto", "unpaired preference rows: label = passed validation", preference.KTO_COLUMNS,
           rows=preference.kto_rows),
    Format("dpo", "an accepted and a rejected dialogue of the same tasks", preference.DPO_COLUMNS,
           rows=preference.dpo_rows),
)}
assert set(FORMATS) == set(get_args(ExportFormat)), "a format named in the spec has no writer"


@dataclass
class Written:
    """What one format wrote: rows per split and the files (relative to the output folder)."""

    format: str
    counts: dict[str, int]
    files: dict[str, str] = field(default_factory=dict)
    columns: dict | None = None
    note: str = ""

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def export(records: list[dict], context: ExportContext, out_dir: Path) -> list[Written]:
    """Write every format the context asks for; returns what each wrote."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return [write_format(FORMATS[name], records, context, out_dir) for name in context.settings.formats]


def write_format(fmt: Format, records: list[dict], context: ExportContext, out_dir: Path) -> Written:
    rows = format_rows(fmt, records, context)
    by_split = {name: [] for name in context.settings.splits}
    for split, ids in split_ids([r["id"] for r in rows], context.settings.splits, context.seed).items():
        wanted = set(ids)
        by_split[split] = [r for r in rows if r["id"] in wanted]
    folder = out_dir / fmt.name
    if folder.exists():
        shutil.rmtree(folder)  # the format's own folder: no stale split from an earlier export
    folder.mkdir(parents=True)
    columns, note = (fmt.columns, "") if fmt.columns is not None else declared(rows)
    written = Written(fmt.name, {s: len(v) for s, v in by_split.items()}, columns=columns, note=note)
    _CONTAINERS[fmt.container](fmt, by_split, written, folder, out_dir)
    if fmt.name == "sharegpt":
        info = sharegpt.dataset_info(f"{context.name}", {s: Path(p).name for s, p in written.files.items()})
        (folder / "dataset_info.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return written


def format_rows(fmt: Format, records: list[dict], context: ExportContext) -> list[dict]:
    keep_greeting = context.settings.greeting == "keep"
    if fmt.rows is not None:
        return fmt.rows(records, context.system_prompt, keep_greeting)
    kept = [r for r in records if context.settings.keep == "all" or r["validation"]["valid"]]
    rows = []
    for record in kept:
        messages = training_messages(record, context.system_prompt, keep_greeting)
        if messages:
            rows.append(fmt.row(record, messages))
    return rows


def _write_jsonl(fmt: Format, by_split: dict, written: Written, folder: Path, out_dir: Path) -> None:
    for split, rows in by_split.items():
        if rows:
            path = folder / f"{split}.jsonl"
            write_jsonl_atomic(path, rows)
            written.files[split] = str(path.relative_to(out_dir))


def write_jsonl_atomic(path: Path, rows: list[dict]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def _write_parquet(fmt: Format, by_split: dict, written: Written, folder: Path, out_dir: Path) -> None:
    for split, rows in by_split.items():
        if rows:
            path = folder / f"{split}.parquet"
            # the Arrow schema alone (no datasets-version-specific metadata): any reader takes it
            import pyarrow.parquet as pq

            pq.write_table(_dataset(rows, fmt.columns).data.table.replace_schema_metadata(None), str(path))
            written.files[split] = str(path.relative_to(out_dir))


def _write_arrow(fmt: Format, by_split: dict, written: Written, folder: Path, out_dir: Path) -> None:
    """Every split, empty ones too: load_from_disk, unlike load_dataset, loads an empty split."""
    from datasets import DatasetDict

    parts = DatasetDict({s: _dataset(rows, fmt.columns) for s, rows in by_split.items()})
    # an empty split saved with no shard does not load back: give it one (empty) shard
    parts.save_to_disk(str(folder), num_shards={s: 1 for s, rows in by_split.items() if not rows})
    written.note = f"load with datasets.load_from_disk('{folder.relative_to(out_dir)}')"


def _dataset(rows: list[dict], columns: dict):
    try:
        import datasets
        from datasets import Dataset, Features, Value
    except ImportError:
        raise RunError("the parquet and arrow formats need the `datasets` package",
                       hint="pip install 'dslgen[hf]'") from None
    datasets.disable_progress_bars()  # the export prints its own summary

    def feature(t):
        if isinstance(t, str):
            return Value(t)
        if "list" in t:
            return [feature(t["list"])]  # a one-item list: a list feature in every datasets version
        return {name: feature(inner) for name, inner in t["struct"].items()}

    features = Features({n: feature(t) for n, t in columns.items()})
    if not rows:  # from_list([]) loses the columns
        return Dataset.from_dict({n: [] for n in columns}, features=features)
    return Dataset.from_list(rows, features=features)


_CONTAINERS = {"jsonl": _write_jsonl, "parquet": _write_parquet, "arrow": _write_arrow}
