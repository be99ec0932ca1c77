"""Real processes for the fault tests: `manage.py` commands on a database of their own,
started, waited for, killed."""

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def environment(database_url, **extra):
    return {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database_url,
        "STATIC_MANIFEST": "0",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def manage(*args, env, timeout=120):
    """Run a command to its end; its output, or AssertionError with it."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def shell(code, *, env):
    """Python in `manage.py shell`; what it printed, stripped."""
    return manage("shell", "--no-imports", "-c", code, env=env).strip()


def start(*args, env, log: Path):
    """A long-running command in the background, its output in `log`."""
    with open(log, "a") as out:
        return subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_until(condition, *, seconds, what, logs=()):
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        if time.monotonic() > deadline:
            shown = "\n".join(f"--- {log}\n{Path(log).read_text()[-4000:]}" for log in logs)
            raise AssertionError(f"{what}: not within {seconds} s\n{shown}")
        time.sleep(0.1)
    return value


def stop(process, sig=signal.SIGTERM, seconds=20):
    """Stop a process (TERM, then KILL); its exit code."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode
