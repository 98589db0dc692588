"""Run the whole pytest suite on SQLite, then on a throw-away PostgreSQL, and say how each went.

python -m tools.test_both [PYTEST ARGS...]
"""

import os
import subprocess
import sys
import tempfile
import time


def _run(label: str, command: list[str], env: dict[str, str]) -> tuple[str, int, float]:
    print(f"\n=== {label} ===", flush=True)
    started = time.monotonic()
    code = subprocess.run(command, env=env).returncode
    return label, code, time.monotonic() - started


def main(pytest_args: list[str]) -> int:
    pytest = [sys.executable, "-m", "pytest", *pytest_args]
    base = {k: v for k, v in os.environ.items() if k != "KREDO_TEST_DATABASE_URL"}
    with tempfile.TemporaryDirectory(prefix="kredo-sqlite-") as folder:
        sqlite_env = {**base, "KREDO_TEST_DATABASE_URL": f"sqlite:///{folder}/kredo_test.db"}
        results = [_run("SQLite", pytest, sqlite_env)]
    results.append(
        _run("PostgreSQL", [sys.executable, "-m", "tools.with_postgres", "--", *pytest], base)
    )
    print("\n=== summary ===")
    for label, code, seconds in results:
        verdict = "passed" if code == 0 else f"FAILED (exit {code})"
        print(f"{label:<11} {verdict} in {seconds:.0f}s")
    return 0 if all(code == 0 for _, code, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
