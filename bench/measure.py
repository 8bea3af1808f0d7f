"""Run one command and report its wall time and the peak RSS of its whole process tree.

A fresh process per stage: RUSAGE_CHILDREN then covers exactly that stage's processes.
"""

import json
import resource
import subprocess
import sys
import time

if __name__ == "__main__":
    t0 = time.monotonic()
    proc = subprocess.run(sys.argv[1:])
    wall = time.monotonic() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps({"returncode": proc.returncode, "wall_s": round(wall, 2), "peak_rss_mb": round(peak_kb / 1024, 1)})
    )
