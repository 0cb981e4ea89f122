"""The files of an output folder: what each stage reads and writes, named once here."""
from __future__ import annotations

TASKS = "tasks.jsonl"  # the tasks dialogues pursue, one TaskSpec a line
TASKS_REJECTED = "tasks.rejected.jsonl"  # proposed tasks not admitted, each with its reason
PROPOSED_TOOLS = "proposed_tools.yaml"  # tools the generator proposed and execution admitted: review, then commit
PROPOSED_TOOLS_REJECTED = "proposed_tools.rejected.jsonl"  # the other proposals, with their diagnostics
RETURN_SCHEMAS_REJECTED = "return_schemas.rejected.jsonl"  # predicted return schemas not admitted
RETURN_SCHEMAS = "return_schemas.json"  # tool name → JSON Schema of its output
DIALOGUES = "dialogues.jsonl"  # every simulated dialogue, appended as it finishes
VALIDATED = "validated.jsonl"  # every dialogue with its validation result (what exports read)
REJECTED = "rejected.jsonl"  # the dialogues that failed, with their reason codes
REPORT = "report.json"  # counts by reason, Table-1 statistics, difficulty mix, tool usage
STATS = "stats.json"  # Table-1 statistics per mode
CARD = "README.md"  # the dataset card (Hugging Face layout)
EXPORT_CONTEXT = "export.json"  # what the exporters need besides the records (`dslgen export DIR`)
MANIFEST = "manifest.json"  # per stage: what its outputs were made from
LOCK = ".dslgen.lock"  # held by the one run writing into the folder

# Made from the spec alone: out of date as soon as the spec changes. Generated data
# (dialogues, validation results) stays what it is and can be re-checked.
FROM_SPEC = frozenset({TASKS, TASKS_REJECTED, RETURN_SCHEMAS, RETURN_SCHEMAS_REJECTED, PROPOSED_TOOLS,
                       PROPOSED_TOOLS_REJECTED})
