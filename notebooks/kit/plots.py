"""One look for every figure: small PNGs that load fast on a web page."""
import matplotlib as mpl


def style() -> None:
    """Set matplotlib defaults for web-sized figures (call once, in the setup cell)."""
    mpl.rcParams.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "figure.figsize": (6.0, 3.5),
            "figure.autolayout": True,
            "font.size": 10,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "legend.frameon": False,
        }
    )
