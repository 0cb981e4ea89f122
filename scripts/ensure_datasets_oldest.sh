#!/bin/sh
# The oldest `datasets` dslgen supports (pyproject: datasets>=3.0.1, the first release that
# loads JSON Lines whose structs gain keys from row to row), in its own venv beside the
# project's, for tests/export/test_load.py. Idempotent: made once, reused after.
set -eu
cd "$(dirname "$0")/.."
VENV=.venv-datasets-oldest
PINS="datasets==3.0.1 pyarrow==15.0.2 numpy==1.26.4 fsspec==2024.6.1 huggingface-hub==0.25.2 pandas==2.2.3"
STAMP="$VENV/.installed"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$PINS" ]; then exit 0; fi
rm -rf "$VENV"
python3 -m venv "$VENV"
# shellcheck disable=SC2086
"$VENV/bin/pip" install --quiet --disable-pip-version-check $PINS
echo "$PINS" > "$STAMP"
echo "datasets-oldest: $VENV ($PINS)"
