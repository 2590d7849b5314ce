"""Shared plumbing for the site's notebooks: scale and device selection, real data,
the result record and the figure style. The papers' mechanisms stay in the notebooks.

Submodules load on first use (`kit.run`, `kit.data`, ...), so the site's build can read
kit.report's constants without importing PyTorch.
"""
import importlib

__all__ = ["cache", "data", "lm", "plots", "pretrained", "report", "run", "tasks", "text", "tokens",
           "train", "transformer", "translation"]


def __getattr__(name):
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
