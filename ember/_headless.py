"""The matplotlib backend of ``ember run`` without a display: ``plt.show()`` saves PNGs.

``ember run`` selects it through ``MPLBACKEND=module://ember._headless`` (matplotlib's own hook
for third-party backends), so matplotlib stays optional and is imported only by programs that
use it. Drawing is Agg's; ``show`` saves each open figure as ``<EMBER_FIGURES>-<n>.png``, prints
the path and closes the figure, where a window would have opened and blocked.
"""

from __future__ import annotations

import os
import sys

from matplotlib.backends.backend_agg import FigureCanvasAgg

# The name matplotlib looks up in a backend module.
FigureCanvas = FigureCanvasAgg

_saved = 0  # figures saved by this process: the counter in the file names


def show(*args, **kwargs) -> None:
    """``plt.show()``: save every open figure, print where, and close it."""
    global _saved
    from matplotlib import pyplot as plt

    # Set by ember run as <folder>/<program stem>; a bare fallback for a process that inherited
    # MPLBACKEND without it.
    prefix = os.environ.get("EMBER_FIGURES") or os.path.join(os.getcwd(), "figure")
    # The program's own prints come first in the output, as they did before the window.
    sys.stdout.flush()
    for num in plt.get_fignums():
        _saved += 1
        path = f"{prefix}-{_saved}.png"
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            plt.figure(num).savefig(path)
        except OSError as e:
            # The program's folder may be read-only (an installed example): say what to do.
            raise OSError(
                f"plt.show() could not save the figure to {path} ({e.strerror or e}); "
                "choose a folder with: ember run --figures DIR PROGRAM"
            ) from e
        plt.close(num)
        print(f"ember: figure saved to {path}", file=sys.stderr, flush=True)
