"""Lazy package attributes, declared once in the package's ``__init__.pyi`` stub.

Each package's public names are listed in its ``__init__.pyi`` as imports,
``from ._normalize import normalize as normalize`` (a name from a private
module) or ``from . import trace as trace`` (a subpackage). Type checkers and
editors read the stub; at run time :func:`attach_stub` reads the same lines and
imports each name from its module the first time it is used, so ``import
optimap`` stays fast and the list of names is written in one place.
"""

import importlib
import os


def stub_exports(init_file):
    """``{name: module}`` from the ``__init__.pyi`` beside ``init_file``; module ``""`` means a subpackage.

    Examples
    --------
    >>> import optimap.trace
    >>> stub_exports(optimap.trace.__file__)["normalize"]
    '_normalize'
    >>> stub_exports(optimap.__file__)["trace"]
    ''
    """
    # Plain string handling, not ast or re: this runs on ``import optimap`` and must stay cheap.
    with open(os.path.splitext(init_file)[0] + ".pyi", encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    exports = {}
    for line in lines:
        words = line.split()
        # from .module import name as name   /   from . import subpackage as subpackage
        if len(words) == 6 and words[0] == "from" and words[1].startswith(".") and words[2:5:2] == ["import", "as"]:
            exports[words[5]] = words[1][1:]
    return exports


def attach_stub(package, init_file):
    """``__getattr__``, ``__dir__`` and ``__all__`` for ``package`` from its ``__init__.pyi``.

    Examples
    --------
    >>> import optimap.trace
    >>> __getattr__, __dir__, __all__ = attach_stub("optimap.trace", optimap.trace.__file__)
    >>> __getattr__("normalize").__name__
    'normalize'
    """
    exports = stub_exports(init_file)
    names = sorted(exports)

    def __getattr__(name):
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = exports[name]
        if module:
            value = getattr(importlib.import_module(f"{package}.{module}"), name)
        else:
            value = importlib.import_module(f"{package}.{name}")
        setattr(importlib.import_module(package), name, value)  # later look-ups skip __getattr__
        return value

    def __dir__():
        return names

    return __getattr__, __dir__, names
