"""Shared plumbing for the site's notebooks: scale and device selection, real data,
the result record and the figure style. The papers' mechanisms stay in the notebooks."""
from . import data, plots, report, run

__all__ = ["data", "plots", "report", "run"]
