"""Check returned workbooks: nothing in a file is trusted, everything is recomputed.

`check_files(paths, blueprints)` returns a `CheckReport`; a bad file becomes
findings and a status, never an exception, and never stops the batch.

By concern: `identity` (whose file this is), `values` (structure, formulas, stored values,
inputs), `rules` (the blueprint's rules between variables), `annotate` (the copy sent back),
`chunk` (one chunk of files, read, evaluated and judged), `pool` (chunks over the cores).
"""

from iki_xlsx.check.chunk import check_chunk, check_file
from iki_xlsx.check.pool import BATCH_SIZE, WarmPool, check_files, iter_check
from iki_xlsx.check.result import TOLERANCE, CheckReport, FileResult
from iki_xlsx.check.values import WEB_FUNCTIONS, canonical_formula, parse_number
from iki_xlsx.core.codes import REJECTING
from iki_xlsx.core.states import Status
from iki_xlsx.plan.index import BlueprintIndex

__all__ = [
    "BATCH_SIZE",
    "REJECTING",
    "TOLERANCE",
    "WEB_FUNCTIONS",
    "BlueprintIndex",
    "CheckReport",
    "FileResult",
    "Status",
    "WarmPool",
    "canonical_formula",
    "check_chunk",
    "check_file",
    "check_files",
    "iter_check",
    "parse_number",
]
