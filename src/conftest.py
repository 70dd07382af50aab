"""Doctest collection of the sources: modules that need an optional GUI stack are left out when it is missing."""

import importlib.util


def _missing(name):
    try:
        return importlib.util.find_spec(name) is None
    except (ImportError, ValueError):
        return True


collect_ignore = []
# The napari plugin's Qt modules import qtpy and matplotlib's Qt backend: they need napari and a Qt binding.
if _missing("napari") or all(_missing(binding) for binding in ("PySide6", "PyQt6", "PyQt5", "PySide2")):
    collect_ignore += ["optimap/napari/_widget.py", "optimap/napari/_plot.py"]
