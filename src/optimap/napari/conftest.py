"""pytest's doctest collection of this package: the Qt modules are left out without napari and a Qt binding.

(Here, inside the package, and not in ``src/conftest.py``: two ``conftest.py`` outside packages,
this one and ``tests/conftest.py``, would both be imported as the module ``conftest``.)
"""

import importlib.util


def _missing(name):
    try:
        return importlib.util.find_spec(name) is None
    except (ImportError, ValueError):
        return True


# These modules import qtpy at the top: they need napari and a Qt binding.
QT_MODULES = ["_controls.py", "_view.py", "_widget.py", "_worker.py"]

collect_ignore = []
if _missing("napari") or all(_missing(binding) for binding in ("PySide6", "PyQt6", "PyQt5", "PySide2")):
    collect_ignore += QT_MODULES
