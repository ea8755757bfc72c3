"""Side-by-side speed of ember against PyTorch: `python bench/bench.py` (= `ember bench`).

The workloads and the method live in ember/tools/bench.py, so the installed `ember bench`
runs the same code.
"""

from ember.tools.bench import main

if __name__ == "__main__":
    main()
