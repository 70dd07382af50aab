"""Running a script that opens a real window in a subprocess, and reading back what it reports.

The Qt tests (test_select_qt.py, test_select_xvfb.py) run their window in a subprocess so that
switching matplotlib's backend cannot disturb the Agg tests of this process. The script prints one
line ``RESULT <json>``; a script that fails or hangs is reported with its output, never a hang.
"""

import json
import subprocess
import sys


def run_window_script(script, params, env, cwd, prefix=()):
    """Run ``script`` (Python source) with ``params`` as its JSON argument; return ``(report, stdout)``.

    ``prefix`` goes before the interpreter (e.g. ``xvfb-run -a``). UserWarnings (matplotlib, optimap)
    are errors in the script; the deprecation warnings PySide6 raises about matplotlib's Qt backend
    are not ours to fix.
    """
    proc = subprocess.run(
        [*prefix, sys.executable, "-W", "error::UserWarning", "-c", script, json.dumps(params)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=cwd,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    report = json.loads(lines[-1][len("RESULT ") :])
    assert report["errors"] == [], report["errors"]
    return report, proc.stdout
