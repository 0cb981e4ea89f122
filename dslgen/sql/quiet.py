"""sqlglot logs warnings for input our own checks already judge: a statement it cannot read
(it falls back to a generic Command, which the checks report as a diagnostic at its
position) and SQLite JSON paths outside its grammar (`$[#-1]`, valid for SQLite). Those two
are dropped here, once for the process; any other sqlglot warning still shows."""
from __future__ import annotations

import logging

_HANDLED = ("Falling back to parsing as a 'Command'", "Invalid JSON path syntax")


class _Handled(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        return not any(h in text for h in _HANDLED)


_logger = logging.getLogger("sqlglot")
if not any(isinstance(f, _Handled) for f in _logger.filters):
    _logger.addFilter(_Handled())
