"""`make soak`: the long reliability checks, against gunicorn and PostgreSQL on this machine.

1. Load: the seed corpus in a fresh database on the local PostgreSQL (127.0.0.1:5432),
   gunicorn with production settings (DEBUG off), and wrk for SOAK_SECONDS (60) at
   SOAK_CONNECTIONS (64) over the public pages and API, while scripts/soak_publisher.py
   publishes new versions of sorafenib through the real workflow. Every response outside
   2xx/3xx is counted, and every page carrying version markers is checked to show one whole
   version; a sequential reader also checks that the version it sees never goes back.
2. Faults: a throwaway PostgreSQL cluster of its own (initdb in a temporary directory, on a
   free port; the machine's main cluster is never touched), gunicorn against it, then the
   cluster is stopped (fast, then immediate) and its connections are cut. While it is down
   every page and API call must answer 503 within a second (/healthz 200, /readyz 503), and
   everything must answer 200 again soon after it is back, without restarting gunicorn.

All traffic goes to 127.0.0.1. Prints a summary, writes it into docs/reliability.md between
the soak markers, and exits non-zero if anything leaked, mixed, failed or was slow.
"""

import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = str(BASE_DIR / ".venv" / "bin" / "python")
GUNICORN = str(BASE_DIR / ".venv" / "bin" / "gunicorn")
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
MAIN_POSTGRES = os.environ.get("SOAK_POSTGRES", "postgres://postgres@127.0.0.1:5432")
SECONDS = int(os.environ.get("SOAK_SECONDS", "60"))
CONNECTIONS = int(os.environ.get("SOAK_CONNECTIONS", "64"))
DRUG = "sorafenib"
REPORT = BASE_DIR / "docs" / "reliability.md"
PATHS = [
    "/",
    f"/drugs/{DRUG}/",
    "/drugs/",
    f"/api/v1/drugs/{DRUG}/",
    "/trials/",
    f"/drugs/{DRUG}/",
    "/trials/sharp/",
    "/api/v1/drugs/",
    f"/drugs/{DRUG}/versions/",
    "/api/v1/trials/?phase=3",
    "/search/?q=sorafenib",
    f"/api/v1/drugs/{DRUG}/",
    "/adverse-events/",
    "/references/",
    "/api/v1/search/?q=hand-foot",
    "/feed/",
    "/sitemap.xml",
    "/api/v1/changes/",
]
FAULT_PATHS = ["/", "/drugs/", f"/drugs/{DRUG}/", "/api/v1/drugs/", f"/api/v1/drugs/{DRUG}/"]


def say(line: str) -> None:
    print(f"[soak {datetime.now():%H:%M:%S}] {line}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_environment(database_url: str, static_root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO",
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "60",
        "DATABASE_REPLICA_URLS": "",
        "REDIS_URL": "",
        "STATIC_ROOT": str(static_root),
        # The load comes from one address; the API's per-address rate limit would answer 429.
        "API_THROTTLE_ANON": "off",
        "PYTHONUNBUFFERED": "1",
    }


def manage(environment: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def fetch(port: int, path: str, timeout: float = 10.0) -> tuple[int, float, str, str]:
    """(status, seconds, content type, body) of one GET, as a client behind the TLS proxy."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"X-Forwarded-Proto": "https"})
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        return (
            response.status,
            time.monotonic() - started,
            response.getheader("Content-Type", ""),
            body,
        )
    finally:
        connection.close()


@contextmanager
def gunicorn(environment: dict[str, str], port: int, log: Path, workers: int):
    environment = {
        **environment,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
    }
    config = BASE_DIR / "config" / "gunicorn.py"
    command = [GUNICORN, "config.wsgi"]
    if config.exists():
        command[1:1] = ["-c", str(config)]
    else:
        command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            for _ in range(100):
                with suppress(OSError):
                    if fetch(port, "/healthz", timeout=1)[0] == 200:
                        break
                time.sleep(0.2)
            else:
                raise RuntimeError(f"gunicorn did not start: see {log}")
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def psql(url: str, sql: str) -> None:
    subprocess.run(
        ["psql", url, "-v", "ON_ERROR_STOP=1", "-qc", sql],
        check=True,
        capture_output=True,
        timeout=60,
    )


def wrk_installed() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    say("wrk is missing: installing Debian's package")
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=environment)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=environment)
    return shutil.which("wrk") or "wrk"


class SequentialReader(threading.Thread):
    """Reads the drug's page and API document one after another, as a person refreshing would.

    Each must be one whole version, and the version must never go back.
    """

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.stop = threading.Event()
        self.reads = 0
        self.problems: list[str] = []
        self.versions: set[int] = set()

    @staticmethod
    def hash_matches(body: str) -> bool:
        """The API's document is exactly the one whose hash was frozen with it."""
        served = json.loads(body)
        canonical = json.dumps(
            served["document"], sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return hashlib.sha256(canonical.encode()).hexdigest() == served["content_hash"]

    def run(self) -> None:
        highest = {"page": 0, "api": 0}
        while not self.stop.is_set():
            for kind, path, pattern in (
                ("page", f"/drugs/{DRUG}/", r'<span class="pill">Version (\d+)</span>'),
                ("api", f"/api/v1/drugs/{DRUG}/", r'"version":\s*(\d+)'),
            ):
                status, _, _, body = fetch(self.port, path, timeout=30)
                self.reads += 1
                shown = re.search(pattern, body)
                markers = set(re.findall(r"soakmark(\d+)x", body))
                if status != 200 or not shown:
                    self.problems.append(f"{path}: status {status}")
                    continue
                version = int(shown.group(1))
                self.versions.add(version)
                if markers and markers != {str(version)}:
                    self.problems.append(f"{path}: version {version} with markers {markers}")
                if kind == "api" and not self.hash_matches(body):
                    self.problems.append(f"{path}: document does not match its content hash")
                if version < highest[kind]:
                    self.problems.append(f"{path}: went back from {highest[kind]} to {version}")
                highest[kind] = max(highest[kind], version)
            time.sleep(0.1)


def load_test(workdir: Path) -> dict:
    wrk = wrk_installed()
    database = f"monographs_soak_{os.getpid()}"
    url = f"{MAIN_POSTGRES}/{database}"
    psql(f"{MAIN_POSTGRES}/postgres", f"CREATE DATABASE {database}")
    try:
        environment = production_environment(url, workdir / "static")
        say(f"database {database}: migrate, load the seed corpus, collect static files")
        manage(environment, "migrate", "--no-input", "-v", "0")
        manage(environment, "load_seeds", "-v", "0")
        manage(environment, "collectstatic", "--no-input", "-v", "0")
        port = free_port()
        with gunicorn(environment, port, workdir / "gunicorn-load.log", workers=4):
            for path in PATHS:
                status = fetch(port, path)[0]
                if status != 200:
                    raise RuntimeError(f"{path} answers {status} before the load starts")
            stop_file = workdir / "stop-publishing"
            publisher = subprocess.Popen(
                [PYTHON, "scripts/soak_publisher.py", DRUG, str(stop_file)],
                cwd=BASE_DIR,
                env=environment,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            first = publisher.stdout.readline()
            if not first.startswith("published"):
                raise RuntimeError(f"the publisher could not publish: {first}")
            reader = SequentialReader(port)
            reader.start()
            say(f"wrk: {SECONDS} s, {CONNECTIONS} connections, {len(PATHS)} addresses")
            result = subprocess.run(
                [
                    wrk,
                    f"--threads={min(2, CONNECTIONS)}",
                    f"--connections={CONNECTIONS}",
                    f"--duration={SECONDS}s",
                    "--timeout=10s",
                    "--latency",
                    "--script=scripts/soak.lua",
                    f"http://127.0.0.1:{port}",
                ],
                cwd=BASE_DIR,
                env={**os.environ, "SOAK_PATHS": ",".join(PATHS), "SOAK_DRUG": DRUG},
                capture_output=True,
                text=True,
                timeout=SECONDS + 120,
            )
            stop_file.touch()
            publisher_output = first + publisher.communicate(timeout=120)[0]
            reader.stop.set()
            reader.join(timeout=60)
        line = next(ln for ln in result.stdout.splitlines() if ln.startswith("SOAK "))
        figures = json.loads(line.removeprefix("SOAK "))
        published = re.search(r"PUBLISHED (\d+)", publisher_output)
        figures |= {
            "seconds": SECONDS,
            "connections": CONNECTIONS,
            "requests_per_second": round(figures["requests"] / SECONDS, 1),
            # The first version is published before wrk starts, so that markers are live.
            "versions_published_during_load": int(published.group(1)) - 1 if published else None,
            "publisher_ok": publisher.returncode == 0,
            "sequential_reads": reader.reads,
            "versions_seen_by_reader": len(reader.versions),
            "reader_problems": reader.problems[:10],
        }
        if publisher.returncode != 0:
            say(f"publisher failed:\n{publisher_output[-2000:]}")
        return figures
    finally:
        with suppress(subprocess.CalledProcessError):
            psql(f"{MAIN_POSTGRES}/postgres", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


class ThrowawayCluster:
    """A PostgreSQL cluster in a temporary directory, owned by the postgres user."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}"

    def _as_postgres(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    def create(self) -> None:
        self.directory.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        self._as_postgres(
            str(PG_BIN / "initdb"), "-D", str(self.directory / "data"), "-U", "postgres",
            "--auth=trust", "-E", "UTF8",
        )  # fmt: skip
        self.start()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        self._as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.directory / "data"), "-o", options,
            "-l", str(self.directory / "server.log"), "-w", "start",
        )  # fmt: skip

    def stop(self, mode: str) -> None:
        self._as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.directory / "data"), "-m", mode, "-w", "stop"
        )

    def destroy(self) -> None:
        with suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)


def while_down(port: int, seconds: float) -> dict:
    """Ask every address again and again while the database is down; all must be 503 in < 1 s."""
    answers, slowest, wrong = 0, 0.0, []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in [*FAULT_PATHS, "/readyz", "/healthz"]:
            status, elapsed, content_type, body = fetch(port, path, timeout=5)
            answers += 1
            slowest = max(slowest, elapsed)
            expected = 200 if path == "/healthz" else 503
            json_expected = path.startswith("/api/") or path in ("/readyz", "/healthz")
            is_json = content_type.startswith("application/json")
            if (
                status != expected
                or elapsed >= 1.0
                or "Traceback" in body
                or is_json != json_expected
            ):
                wrong.append(f"{path}: {status} in {elapsed:.2f} s ({content_type})")
    return {"answers": answers, "slowest_s": round(slowest, 3), "wrong": wrong[:10]}


def until_recovered(port: int, limit: float = 30.0) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        statuses = [fetch(port, path, timeout=5)[0] for path in [*FAULT_PATHS, "/readyz"]]
        if all(status == 200 for status in statuses):
            return round(time.monotonic() - started, 2)
        if any(status not in (200, 503) for status in statuses):
            return None
        time.sleep(0.2)
    return None


def fault_test(workdir: Path) -> dict:
    cluster = ThrowawayCluster(workdir / "cluster")
    say(f"fault test: throwaway PostgreSQL cluster on port {cluster.port}")
    cluster.create()
    try:
        psql(f"{cluster.url}/postgres", "CREATE DATABASE monographs")
        environment = production_environment(f"{cluster.url}/monographs", workdir / "static")
        manage(environment, "migrate", "--no-input", "-v", "0")
        manage(environment, "load_seeds", "-v", "0")
        port = free_port()
        faults = []
        with gunicorn(environment, port, workdir / "gunicorn-faults.log", workers=2):
            assert all(fetch(port, path)[0] == 200 for path in FAULT_PATHS)
            for mode in ("fast", "immediate"):
                say(f"fault: stop the database ({mode})")
                cluster.stop(mode)
                down = while_down(port, seconds=4)
                cluster.start()
                faults.append({"fault": f"database stopped ({mode})", **down,
                               "recovered_after_s": until_recovered(port)})  # fmt: skip
            say("fault: cut every connection of the application")
            psql(
                f"{cluster.url}/postgres",
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = 'monographs' AND pid <> pg_backend_pid()",
            )
            statuses = [fetch(port, path)[0] for _ in range(3) for path in FAULT_PATHS]
            faults.append(
                {
                    "fault": "connections terminated",
                    "answers": len(statuses),
                    "wrong": [s for s in statuses if s not in (200, 503)],
                    "served_503": statuses.count(503),
                    "recovered_after_s": until_recovered(port),
                }
            )
        return {"faults": faults}
    finally:
        cluster.destroy()


def passed(load: dict, faults: dict) -> list[str]:
    failures = []
    if load["outside_2xx_3xx"] or load["mixed_pages"] or load["reader_problems"]:
        failures.append("load: responses outside 2xx/3xx, mixed pages or reader problems")
    if load["timeouts"] or load["connect_errors"] or load["read_errors"]:
        failures.append("load: socket errors or timeouts")
    if not load["publisher_ok"] or not load["versions_published_during_load"]:
        failures.append("load: the publisher did not publish")
    if not load["versioned_pages_checked"]:
        failures.append("load: no response carried version markers, so none could be checked")
    for fault in faults["faults"]:
        if fault["wrong"] or fault["recovered_after_s"] is None:
            failures.append(f"fault '{fault['fault']}': {fault['wrong']} / no recovery")
    return failures


def report_write(load: dict, faults: dict, failures: list[str]) -> None:
    lines = [
        "<!-- soak:begin -->",
        f"Last `make soak`: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{'passed' if not failures else 'FAILED'}.",
        "",
        "| load (wrk, gunicorn, PostgreSQL) | figure |",
        "| --- | --- |",
        f"| duration, connections | {load['seconds']} s, {load['connections']} |",
        f"| requests sent | {load['requests']} ({load['requests_per_second']} per second) |",
        f"| responses outside 2xx/3xx | {load['outside_2xx_3xx']} |",
        f"| socket errors, timeouts | {load['connect_errors'] + load['read_errors']}, "
        f"{load['timeouts']} |",
        f"| latency p50 / p99 / max | {load['latency_p50_ms']} / {load['latency_p99_ms']} / "
        f"{load['latency_max_ms']} ms |",
        f"| versions published during the load | {load['versions_published_during_load']} |",
        f"| versioned responses checked whole | {load['versioned_pages_checked']} "
        f"(+ {load['sequential_reads']} sequential reads) |",
        f"| pages mixing two versions | {load['mixed_pages']} |",
        f"| reader saw a version go back | {len(load['reader_problems'])} |",
        "",
        "| fault injected | answers while down | slowest answer | wrong answers "
        "| recovered after |",
        "| --- | --- | --- | --- | --- |",
    ]
    for fault in faults["faults"]:
        lines.append(
            f"| {fault['fault']} | {fault['answers']} | {fault.get('slowest_s', '–')} s | "
            f"{len(fault['wrong'])} | {fault['recovered_after_s']} s |"
        )
    lines.append("<!-- soak:end -->")
    block = "\n".join(lines)
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else ""
    pattern = re.compile(r"<!-- soak:begin -->.*?<!-- soak:end -->", re.S)
    text = (
        pattern.sub(lambda _: block, text) if pattern.search(text) else text + "\n" + block + "\n"
    )
    REPORT.write_text(text, encoding="utf-8")


def main() -> int:
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="monographs-soak-"))
    os.chmod(workdir, 0o755)
    try:
        load = load_test(workdir)
        say("load: " + json.dumps(load))
        faults = fault_test(workdir)
        say("faults: " + json.dumps(faults))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    failures = passed(load, faults)
    report_write(load, faults, failures)
    say(f"done in {time.monotonic() - started:.0f} s; figures written to {REPORT}")
    for failure in failures:
        say(f"FAILED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
