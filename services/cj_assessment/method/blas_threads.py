"""One BLAS thread per service process, set before numpy is first imported.

The scale's matrices are small (one row per essay). OpenBLAS's worker threads then only
contend with the event loop, with the fits running in other threads and with other
processes: on two busy cores a 100-essay refit took 0.5-4.7 s with them and 10 ms with one
thread. An operator's own setting wins (setdefault).
"""

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
