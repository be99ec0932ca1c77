"""The processes `benchmark_scale` runs and measures: its throwaway database, gunicorn with the
project's config, Debian's nginx serving the same bytes from a file, Varnish with the
project's VCL in front of gunicorn, and the wrk load generator. Each is a context manager
that starts the process on a free port and stops it (and only it) on exit."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import Request, urlopen

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
VCL = ROOT / "deploy" / "varnish" / "default.vcl"


class BenchmarkError(Exception):
    """A process the benchmark needs did not start or failed: the message says which."""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url, headers=None):
    """The body and headers of a GET (our own local servers only)."""
    with urlopen(Request(url, headers=headers or {}), timeout=10) as response:  # noqa: S310
        return response.read(), response.headers


def program(name):
    """The path of a Debian program, on PATH or in /usr/sbin; None when not installed."""
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin")


def _wait_for(url, process, what, log=None, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            fetch(url)
            return
        except OSError:
            time.sleep(0.2)
    process.kill()
    detail = Path(log).read_text()[-3000:] if log and Path(log).exists() else ""
    raise BenchmarkError(f"{what} did not start.\n{detail}")


def _stop(process, sig=signal.SIGTERM, seconds=30):
    process.send_signal(sig)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wrk(url, *, connections, seconds, timeout=2):
    """One wrk run (2 threads): requests per second, p99 latency, errors and non-2xx."""
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(
        "done = function(summary, latency, requests)\n"
        '  io.write(string.format(\'JSON{"requests":%d,"errors":%d,"non_2xx":%d,'
        '"p99":"%.1f ms"}\\n\', summary.requests, summary.errors.connect + '
        "summary.errors.read + summary.errors.write + summary.errors.timeout, "
        "summary.errors.status, latency:percentile(99) / 1000))\n"
        "end\n"
    )
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout}s"]
    try:
        result = subprocess.run(
            [*command, "-s", str(script), url],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        )
    finally:
        script.unlink()
    lines = result.stdout.splitlines()
    figures = json.loads(next(line for line in lines if line.startswith("JSON"))[4:])
    rps = next(float(line.split()[1]) for line in lines if line.startswith("Requests/sec:"))
    return {**figures, "rps": rps}


class ThrowawayDatabase:
    """A database of the benchmark's own, created on entry and dropped on exit: a SQLite
    file in the temporary folder, or `<name>_benchmark` beside a PostgreSQL DATABASE_URL."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.config = settings.DATABASES["default"]
        self.postgres = self.config["ENGINE"].endswith("postgresql")

    def __enter__(self):
        if not self.postgres:
            return f"sqlite:///{self.tmp / 'benchmark.sqlite3'}"
        self.name = f"{self.config['NAME']}_benchmark"[:63]
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}"')
        self._admin(f'CREATE DATABASE "{self.name}"')
        return os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + self.name

    def __exit__(self, *exc):
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def _admin(self, sql):
        from django.db import connection

        with connection._nodb_cursor() as cursor:
            cursor.execute(sql)


class Gunicorn:
    """The project's gunicorn config against the throwaway database, on a free port, with
    extra environment (e.g. PAGE_CACHE=0)."""

    def __init__(self, env, tmp, name, **extra_env):
        self.port = free_port()
        # No task worker or scheduler runs beside it: /healthz does not wait for their beats.
        self.env = {
            "HEALTHZ_WORKER_MAX_AGE": "0",
            "HEALTHZ_SCHEDULER_MAX_AGE": "0",
            **env,
            **extra_env,
            "BIND": f"127.0.0.1:{self.port}",
        }
        self.log_path = tmp / f"gunicorn-{name}.log"
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.log = open(self.log_path, "w")  # noqa: SIM115 (closed on exit)
        command = [str(Path(sys.executable).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py"]
        self.process = subprocess.Popen(
            [*command, "qa_cms.wsgi"], cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log
        )
        _wait_for(f"{self.url}/healthz", self.process, "gunicorn", self.log_path)
        return self

    def workers(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return children.read_text().split() if children.exists() else []

    def worker_rss_mb(self):
        """The largest resident memory of the web workers, in MB."""
        sizes = []
        for pid in self.workers():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return max(sizes) if sizes else None

    def __exit__(self, *exc):
        _stop(self.process)
        self.log.close()


class Nginx:
    """Debian's nginx (nginx-light) serving `body` from a file, with a temporary config."""

    def __init__(self, tmp, body):
        self.dir = tmp / "nginx"
        self.dir.mkdir()
        (self.dir / "page.html").write_bytes(body)
        # nginx's workers run as its own user: they need to reach the page.
        for path in (tmp, self.dir, self.dir / "page.html"):
            path.chmod(0o755)
        self.port = free_port()

    def __enter__(self):
        conf, d = self.dir / "nginx.conf", self.dir
        conf.write_text(
            f"worker_processes 2; pid {d}/nginx.pid; error_log {d}/error.log; daemon off;\n"
            "events { worker_connections 1024; }\n"
            f"http {{ access_log off; client_body_temp_path {d}/body; proxy_temp_path {d}/p;\n"
            f"  fastcgi_temp_path {d}/f; uwsgi_temp_path {d}/u; scgi_temp_path {d}/s;\n"
            f"  server {{ listen 127.0.0.1:{self.port}; root {d};\n"
            "    location / { default_type text/html; try_files /page.html =404; } } }\n"
        )
        self.log = open(d / "stderr.log", "w")  # noqa: SIM115 (closed on exit)
        self.process = subprocess.Popen(
            [program("nginx"), "-c", str(conf), "-p", str(d)],
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        url = f"http://127.0.0.1:{self.port}/"
        _wait_for(url, self.process, "nginx", d / "stderr.log", seconds=20)
        return url

    def __exit__(self, *exc):
        _stop(self.process, signal.SIGQUIT, seconds=10)
        self.log.close()


class Varnish:
    """Debian's varnishd with the project's VCL (deploy/varnish/default.vcl, which needs
    varnish-modules' xkey) in front of `backend_port`, in the foreground, as
    tests/ops/test_varnish.py runs it."""

    def __init__(self, tmp, backend_port):
        self.dir = tmp / "varnish"
        self.dir.mkdir()
        vcl = VCL.read_text()
        if '.port = "8000";' not in vcl:
            raise BenchmarkError(f"{VCL} no longer names port 8000 for the backend.")
        self.vcl = self.dir / "benchmark.vcl"
        self.vcl.write_text(vcl.replace('"8000"', f'"{backend_port}"'))
        self.port = free_port()

    def __enter__(self):
        self.log = open(self.dir / "varnishd.log", "w")  # noqa: SIM115 (closed on exit)
        command = [program("varnishd"), "-F", "-j", "none", "-n", str(self.dir / "work")]
        self.process = subprocess.Popen(
            [*command, "-a", f"127.0.0.1:{self.port}", "-f", str(self.vcl), "-s", "malloc,64m"],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{self.port}"
        _wait_for(url + "/robots.txt", self.process, "varnishd", self.dir / "varnishd.log")
        return url

    def __exit__(self, *exc):
        _stop(self.process, seconds=10)
        self.log.close()


PEER_SOURCE = ROOT / "benchmarks" / "wagtail_peer"
# The peer's own virtualenv, inside the project (.cache/ is not committed): nothing is
# installed anywhere else. The Wagtail the table was measured against.
PEER_VENV = ROOT / ".cache" / "wagtail-peer" / "venv"
PEER_PACKAGES = ("wagtail>=8.0,<8.1", "gunicorn>=23.0")


class WagtailPeer:
    """A stock Wagtail site (benchmarks/wagtail_peer) in its own virtualenv (`venv`, made
    with `pip install wagtail gunicorn` from the package index when missing), holding one
    page made from `content` (a JSON file), served by gunicorn with `workers` sync workers.
    Built on first entry; entered again, it serves the same site again."""

    def __init__(self, tmp, content, *, venv, workers=2):
        self.dir = tmp / "wagtail-peer"
        self.content, self.venv, self.workers = content, Path(venv), workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def _run(self, *args):
        result = subprocess.run(
            args, cwd=self.dir, env=self.env, capture_output=True, text=True, check=False
        )
        if result.returncode:
            raise BenchmarkError(
                f"{' '.join(map(str, args))[:200]} failed:\n{result.stderr[-3000:]}"
            )
        return result.stdout

    def __enter__(self):
        if not self.dir.exists():
            self._build()
        self.log = open(self.dir / "gunicorn.log", "w")  # noqa: SIM115 (closed on exit)
        command = [str(self.venv / "bin" / "gunicorn"), f"--workers={self.workers}"]
        self.process = subprocess.Popen(
            [*command, f"--bind=127.0.0.1:{self.port}", "peer.wsgi"],
            cwd=self.dir,
            env=self.env,
            stdout=self.log,
            stderr=self.log,
        )
        _wait_for(self.url + self.path, self.process, "the Wagtail peer", self.dir / "gunicorn.log")
        return self

    def _build(self):
        if not (self.venv / "bin" / "gunicorn").exists():
            subprocess.run([sys.executable, "-m", "venv", str(self.venv)], check=True)
            pip = [str(self.venv / "bin" / "pip"), "install", "--quiet", *PEER_PACKAGES]
            if subprocess.run(pip, check=False).returncode:
                raise BenchmarkError(
                    f"pip could not install {' '.join(PEER_PACKAGES)} into {self.venv} (the "
                    "package index unreachable?). Build it by hand: "
                    f"python -m venv {self.venv} && {self.venv}/bin/pip install "
                    f"{' '.join(repr(p) for p in PEER_PACKAGES)}; or name a virtualenv that "
                    "has them with --peer-venv (WAGTAIL_PEER_VENV)."
                )
        shutil.copytree(PEER_SOURCE, self.dir)
        self.env = {"PATH": os.environ.get("PATH", ""), "PEER_DIR": str(self.dir)}
        python = str(self.venv / "bin" / "python")
        self._run(python, "manage.py", "makemigrations", "peer", "-v0")
        self._run(python, "manage.py", "migrate", "--no-input", "-v0")
        self.path = self._run(python, "manage.py", "load_answer", str(self.content)).strip()
        self.version = self._run(python, "-c", "import wagtail; print(wagtail.__version__)")

    def __exit__(self, *exc):
        _stop(self.process)
        self.log.close()
