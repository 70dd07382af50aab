"""Lazy module attributes: a public name is imported from its private module on first use."""

import importlib


def attach(package, exports):
    """``__getattr__``, ``__dir__`` and ``__all__`` for ``package`` from ``{name: private module}``.

    Examples
    --------
    >>> __getattr__, __dir__, __all__ = attach("optimap.trace", {"normalize": "_normalize"})
    >>> __getattr__("normalize").__name__
    'normalize'
    """
    names = sorted(exports)

    def __getattr__(name):
        module_name = exports.get(name)
        if module_name is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module_name}"), name)
        setattr(importlib.import_module(package), name, value)  # later look-ups skip __getattr__
        return value

    def __dir__():
        return names

    return __getattr__, __dir__, names
