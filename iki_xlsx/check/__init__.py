"""Check returned workbooks: nothing in a file is trusted, everything is recomputed.

`check_files(paths, blueprints)` returns a `CheckReport`; a bad file becomes
findings and a status, never an exception, and never stops the batch.

By concern: `identity` (whose file this is), `values` (structure, formulas, stored values,
inputs), `rules` (the blueprint's rules between variables), `annotate` (the copy sent back),
`chunk` (one chunk of files, read, evaluated and judged), `pool` (chunks over the cores).
"""

from ..blueprint_index import BlueprintIndex
from ..codes import REJECTING
from .chunk import check_chunk, check_file
from .pool import BATCH_SIZE, check_files, iter_check
from .result import TOLERANCE, CheckReport, FileResult, Status
from .values import WEB_FUNCTIONS, canonical_formula, parse_number

__all__ = [
    "BATCH_SIZE",
    "REJECTING",
    "TOLERANCE",
    "WEB_FUNCTIONS",
    "BlueprintIndex",
    "CheckReport",
    "FileResult",
    "Status",
    "canonical_formula",
    "check_chunk",
    "check_file",
    "check_files",
    "iter_check",
    "parse_number",
]
