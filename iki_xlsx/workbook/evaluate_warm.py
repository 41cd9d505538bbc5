"""The `formulas` engine's compiled shapes kept as bytes, for a later process to use instead of
compiling them again (compiling a plan's shapes is about a quarter of one file's check).

A compiled shape is the engine's own object (a schedula `DispatchPipe` over the engine's
functions). Its functions and schedula's tokens (`EMPTY`, `NONE`, ...) are module-level objects
of `formulas` and `schedula` that pickle cannot rebuild (closures made when their modules
load; tokens compared by identity), so they are written as references to where they live
(`module:name`, `module:name[key]`) and taken from the same place when read: the bytes hold
the shape's structure and constants, never code. Reading accepts only those references, the
classes of `formulas`, `schedula` and a few plain containers: a file that names anything else,
or was written by other versions of the engine, is refused (`None`), and the shape is compiled
as always.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import sys
import types
from collections.abc import Mapping
from typing import Any

from iki_xlsx.workbook.evaluate import Compiled, Shape, engine_module, warm_up

# the engine's modules whose objects a compiled shape may refer to: writing lists them all,
# reading imports only those a file names (not the packages `formulas` and `schedula`
# themselves: their names appear as their submodules are used)
_MODULES = (
    "formulas.builder", "formulas.cell", "formulas.errors", "formulas.functions",
    "formulas.functions.comp", "formulas.functions.date", "formulas.functions.eng",
    "formulas.functions.financial", "formulas.functions.google", "formulas.functions.info",
    "formulas.functions.logic", "formulas.functions.look", "formulas.functions.math",
    "formulas.functions.operators", "formulas.functions.stat", "formulas.functions.text",
    "formulas.parser", "formulas.ranges", "formulas.tokens", "formulas.tokens.function",
    "formulas.tokens.operand", "formulas.tokens.operator", "formulas.tokens.parenthesis",
    "schedula.dispatcher", "schedula.utils", "schedula.utils.alg",
    "schedula.utils.asy", "schedula.utils.base", "schedula.utils.blue", "schedula.utils.cst",
    "schedula.utils.dsp", "schedula.utils.gen", "schedula.utils.graph", "schedula.utils.sol",
    "schedula.utils.utl",
)
# classes a compiled shape is made of, outside the engine's own modules
_PLAIN = {("builtins", name) for name in ("set", "frozenset", "dict", "list", "tuple",
                                          "bytearray", "slice", "complex", "object", "getattr")}
_PLAIN |= {("collections", name) for name in ("OrderedDict", "defaultdict", "deque")}
_PLAIN |= {("functools", "partial"), ("copyreg", "_reconstructor"), ("itertools", "count"),
           ("numpy", "dtype"), ("numpy", "ndarray"), ("numpy._core.multiarray", "_reconstruct"),
           ("numpy._core.multiarray", "scalar"), ("numpy.dtypes", "ObjectDType"),
           ("numpy.dtypes", "Float64DType"), ("numpy.dtypes", "BoolDType"),
           ("numpy.dtypes", "Int64DType")}
_SCALARS = (str, bytes, int, float, bool, type(None))


class _References:
    """The engine's module-level objects by where they live, and back: every module's when
    writing (`everything`), only the modules a file names when reading (`named`)."""

    def __init__(self) -> None:
        self.by_id: dict[int, str] = {}
        self.by_name: dict[str, Any] = {}
        self.modules: set[str] = set()
        self.stamp = hashlib.sha256("\n".join(
            [sys.version, *(f"{m}={getattr(engine_module(m), '__version__', '')}"
                            for m in ("formulas", "schedula", "numpy"))]).encode()).hexdigest()

    def everything(self) -> _References:
        if len(self.modules) < len(_MODULES):
            warm_up()  # every function module, as compiling loads them
            for name in _MODULES:
                self._module(name)
        return self

    def named(self, name: str) -> Any:
        module = name.partition(":")[0]
        if module not in _MODULES:
            raise pickle.UnpicklingError(f"unknown reference {name!r}")
        self._module(module)
        if name not in self.by_name:
            raise pickle.UnpicklingError(f"unknown reference {name!r}")
        return self.by_name[name]

    def _module(self, name: str) -> None:
        if name in self.modules:
            return
        for attribute, value in list(vars(engine_module(name)).items()):
            if attribute.startswith("__"):  # the module's own (its builtins among them)
                continue
            self._add(value, f"{name}:{attribute}")
            if isinstance(value, dict):
                for key, item in list(value.items()):
                    self._add(item, f"{name}:{attribute}[{key!r}]")
                    if isinstance(item, dict):
                        for inner, deeper in item.items():
                            self._add(deeper, f"{name}:{attribute}[{key!r}][{inner!r}]")
        if name == "formulas.builder":
            from formulas.builder import _default_filter

            for i, item in enumerate(_default_filter()):
                self._add(item, f"formulas.builder:_default_filter()[{i}]")
        self.modules.add(name)

    def _add(self, value: Any, name: str) -> None:
        """Every name reads; an object is written by the least of its names, whichever order
        the names were found in."""
        if isinstance(value, type | types.ModuleType) or type(value) in _SCALARS:
            return
        if self.by_name.setdefault(name, value) is not value:  # two keys that print alike
            return
        known = self.by_id.get(id(value))
        if known is None or name < known:
            self.by_id[id(value)] = name


_REFERENCES: _References | None = None


def _references() -> _References:
    global _REFERENCES
    if _REFERENCES is None:
        _REFERENCES = _References()
    return _REFERENCES


class _Writer(pickle.Pickler):
    def __init__(self, file: io.BytesIO, references: _References) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.references = references

    def persistent_id(self, obj: Any) -> str | None:
        return self.references.by_id.get(id(obj))


class _Reader(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, references: _References) -> None:
        super().__init__(file)
        self.references = references

    def persistent_load(self, pid: Any) -> Any:
        if not isinstance(pid, str):
            raise pickle.UnpicklingError(f"unknown reference {pid!r}")
        return self.references.named(pid)

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _PLAIN:
            return super().find_class(module, name)
        if module.split(".")[0] not in ("formulas", "schedula"):
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed")
        owner = super().find_class(module, name.split(".")[0])
        if not isinstance(owner, type):  # a class, or a method of one (schedula keeps its
            raise pickle.UnpicklingError(f"{module}.{name} is not a class")  # own methods)
        return super().find_class(module, name)


def dump_shapes(shapes: Mapping[Shape, Compiled]) -> dict[str, Any]:
    """The shapes as plain data (each compiled shape as bytes); a shape that cannot be written
    so is left out (a later process compiles it)."""
    references = _references().everything()
    kept: dict[Shape, bytes] = {}
    for key, found in shapes.items():
        buffer = io.BytesIO()
        try:
            _Writer(buffer, references).dump(found)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            continue
        kept[key] = buffer.getvalue()
    return {"mesin": references.stamp, "bentuk": kept}


def load_shapes(data: Any) -> dict[Shape, Compiled]:
    """The compiled shapes of `dump_shapes`'s data; none when the data is not such, or was
    written by other versions of Python or the engine; a shape that does not read is left out
    (compiled again)."""
    references = _references()
    if not isinstance(data, dict) or data.get("mesin") != references.stamp:
        return {}
    kept = data.get("bentuk")
    if not isinstance(kept, dict):
        return {}
    shapes: dict[Shape, Compiled] = {}
    for key, blob in kept.items():
        if not isinstance(blob, bytes):
            continue
        try:
            found = _Reader(io.BytesIO(blob), references).load()
        except Exception:  # whatever a damaged blob raises: compiled again
            continue
        if (isinstance(found, tuple) and len(found) == 2 and callable(found[0])
                and isinstance(found[1], tuple)
                and all(isinstance(i, int) for i in found[1])):
            shapes[key] = found
    return shapes
