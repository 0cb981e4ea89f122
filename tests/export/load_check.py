"""Load every config of an exported folder with the `datasets` of the running Python and
print what came out as JSON: run by the tests under the pinned and the oldest supported
`datasets` (the oldest in its own venv).

Usage: python load_check.py OUT_DIR CONFIG... [--parquet FILE] [--disk FOLDER]
"""
import json
import sys

import datasets
from datasets import load_dataset, load_from_disk

datasets.disable_progress_bars()


def loaded(ds) -> dict:
    return {split: {"rows": part.num_rows, "features": repr(part.features), "data": part.to_list()}
            for split, part in ds.items()}


def main(argv):
    out, rest = argv[0], argv[1:]
    options = {k: rest[rest.index(k) + 1] for k in ("--parquet", "--disk") if k in rest}
    configs = [c for c in rest if c not in options and c not in options.values()]
    result = {"version": datasets.__version__,
              "configs": {c: loaded(load_dataset(out, c)) for c in configs}}
    if "--parquet" in options:
        result["parquet"] = loaded(load_dataset("parquet", data_files={"train": options["--parquet"]}))
    if "--disk" in options:
        result["disk"] = loaded(load_from_disk(options["--disk"]))
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
