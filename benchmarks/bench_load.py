"""Load: gunicorn on a scratch PostgreSQL database, held under a bounded mixed loopback load.

Readers: a brand user's statement page (session cookie) and API reads (bearer tokens).
Writers: a stream of state changes through the API — pledges (a ledger posting and an audit
event each, so they contend on both chain heads), small roll imports (a new roll version
each), and disbursement batches of ten workers each taken through create, submit, approve
(a posting, a different user) and pay (a posting with the cash accounts locked). Prints
requests/s, p50/p99 latency and errors per kind; never asserts.

    python benchmarks/bench_load.py [--database-url URL] [--seconds 20] [--readers 6]
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from scratch import scratch_database  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/worker_fund_bench"
DEMO_PASSWORD = "worker-fund-demo"
FUND = str(Path(sys.executable).parent / "fund")
#: Workers of the load event: batches of BATCH_SIZE of them are paid one after another.
LOAD_WORKERS = 3_000
BATCH_SIZE = 10


def _postgres_answers(url: str) -> bool:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    try:
        engine = create_engine(
            make_url(url).set(database="postgres"), connect_args={"connect_timeout": 3}
        )
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # any failure to connect means: no server to measure
        print(
            f"PostgreSQL does not answer at {url} ({type(error).__name__}); load benchmark skipped"
        )
        return False
    return True


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _fund(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([FUND, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"fund {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def _wait_for(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited before it answered")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 30 s")


def _cookies(response: http.client.HTTPResponse) -> str:
    """The ``Cookie`` header a browser would send back (cleared cookies left out)."""
    pairs = [value.split(";")[0] for value in response.msg.get_all("Set-Cookie") or []]
    return "; ".join(pair for pair in pairs if not pair.endswith("="))


def _sign_in(port: int, username: str) -> str:
    """The session cookie of ``username`` after the real login form."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/login")
    page = conn.getresponse()
    body = page.read().decode()
    cookie = _cookies(page)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body)
    assert match is not None, "login page has no CSRF token"
    form = urlencode(
        {"csrf_token": match.group(1), "username": username, "password": DEMO_PASSWORD}
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    conn.request("POST", "/login", body=form, headers=headers)
    answer = conn.getresponse()
    answer.read()
    if answer.status != 302:
        raise SystemExit(f"signing in as {username} answered {answer.status}")
    return _cookies(answer) or cookie


def _small_roll(number: int) -> bytes:
    """A roll of 20-26 workers, different each time (the same file twice is refused, 409)."""
    unique = uuid.uuid4().hex[:8]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Card No", "Worker Name", "NID", "DOJ", "Basic Salary", "House Rent"])
    for n in range(1, 21 + number % 7):
        writer.writerow(
            [
                f"L{n:04d}",
                f"Worker {n} {unique}",
                str(7_770_000_000_000 + n),
                "01/03/2019",
                "12,500",
                "6250",
            ]
        )
    return out.getvalue().encode()


def _multipart(fields: dict[str, str], filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Tally:
    """Latencies and errors per kind of request, shared by the load threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)

    def add(self, kind: str, seconds: float, ok: bool) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if not ok:
                self.errors[kind] += 1


def _timed(
    tally: Tally, conn: http.client.HTTPConnection, kind: str, method: str, path: str, **kw: object
) -> None:
    start = time.perf_counter()
    try:
        conn.request(method, path, **kw)  # type: ignore[arg-type]
        response = conn.getresponse()
        response.read()
        ok = response.status < 400
    except (OSError, http.client.HTTPException):
        ok = False
        conn.close()
    tally.add(kind, time.perf_counter() - start, ok)


def _json_call(
    tally: Tally,
    conn: http.client.HTTPConnection,
    kind: str,
    path: str,
    body: dict[str, object],
    headers: dict[str, str],
) -> dict[str, object] | None:
    """POST ``body`` as JSON, timed under ``kind``; the answer's JSON, or None if refused."""
    start = time.perf_counter()
    answer: dict[str, object] | None = None
    try:
        conn.request(
            "POST",
            path,
            body=json.dumps(body),
            headers={**headers, "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        data = response.read()
        if response.status < 400:
            answer = json.loads(data)
    except (OSError, http.client.HTTPException):
        conn.close()
    tally.add(kind, time.perf_counter() - start, answer is not None)
    return answer


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(database_url: str, seconds: float, readers: int) -> None:
    url, drop = scratch_database(database_url)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-load",
        "FUND_ENV": "production",
        # Load is measured, not the second factor: the demo's approver has no authenticator
        # app, so with it required every API approval (plain token) would be a 403.
        "FUND_REQUIRE_SECOND_FACTOR": "0",
    }
    server: subprocess.Popen[bytes] | None = None
    try:
        _fund(env, "init-db")
        _fund(env, "demo")
        admin_token = _fund(env, "users", "token", "admin").strip()
        officer_token = _fund(env, "users", "token", "officer").strip()
        brand_token = _fund(env, "users", "token", "nordvik").strip()
        approver_token = _fund(env, "users", "token", "approver").strip()
        server = subprocess.Popen(
            [FUND, "serve", "--production", "--port", str(port), "--workers", "3"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for(port, server)
        cookie = _sign_in(port, "nordvik")
        tally = Tally()
        stop = time.monotonic() + seconds

        def brand_reader() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            while time.monotonic() < stop:
                _timed(
                    tally,
                    conn,
                    "brand statement page",
                    "GET",
                    "/brands/NORD",
                    headers={"Cookie": cookie},
                )

        def api_reader() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            paths = [
                ("/api/v1/brands/NORD/statement", brand_token),
                ("/api/v1/factories", admin_token),
                ("/api/v1/ledger/trial-balance", admin_token),
            ]
            n = 0
            while time.monotonic() < stop:
                path, token = paths[n % len(paths)]
                n += 1
                _timed(
                    tally,
                    conn,
                    "API reads",
                    "GET",
                    path,
                    headers={"Authorization": f"Bearer {token}"},
                )

        def writer() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            n = 0
            while time.monotonic() < stop:
                n += 1
                if n % 4:
                    pledge = {
                        "reference": f"LOAD-{uuid.uuid4().hex[:12]}",
                        "amount": f"{100 + n}.00",
                        "currency": "USD",
                        "pledged_on": "2026-01-05",
                        "due_date": "2026-06-30",
                    }
                    body = json.dumps(pledge)
                    headers = {
                        "Authorization": f"Bearer {admin_token}",
                        "Content-Type": "application/json",
                    }
                    _timed(
                        tally,
                        conn,
                        "POST pledge",
                        "POST",
                        "/api/v1/brands/NORD/pledges",
                        body=body,
                        headers=headers,
                    )
                else:
                    data, content_type = _multipart(
                        {"as_of": "2026-03-31"}, "load.csv", _small_roll(n)
                    )
                    headers = {
                        "Authorization": f"Bearer {officer_token}",
                        "Content-Type": content_type,
                    }
                    _timed(
                        tally,
                        conn,
                        "POST roll import",
                        "POST",
                        "/api/v1/factories/LOAD-1/rolls",
                        body=data,
                        headers=headers,
                    )

        def batch_writer() -> None:
            """Batch after batch of the load event: create, submit, approve, pay."""
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            officer = {"Authorization": f"Bearer {officer_token}"}
            approver = {"Authorization": f"Bearer {approver_token}"}
            for start in range(0, LOAD_WORKERS, BATCH_SIZE):
                if time.monotonic() >= stop:
                    return
                workers = [f"B{n:05d}" for n in range(start, start + BATCH_SIZE)]
                made = _json_call(
                    tally,
                    conn,
                    "batch create",
                    f"/api/v1/events/{event_id}/batches",
                    {"workers": workers},
                    officer,
                )
                if made is None:
                    continue
                batch = made["id"]
                for step, headers in (
                    ("submit", officer),
                    ("approve", approver),
                    ("pay", officer),
                ):
                    body: dict[str, object] = {} if step == "submit" else {"on": "2026-04-01"}
                    if (
                        _json_call(
                            tally,
                            conn,
                            f"batch {step}",
                            f"/api/v1/batches/{batch}/{step}",
                            body,
                            headers,
                        )
                        is None
                    ):
                        break

        _add_load_factory(url)
        event_id = _add_batch_event(url)
        threads = [threading.Thread(target=brand_reader) for _ in range(max(1, readers // 2))]
        threads += [
            threading.Thread(target=api_reader) for _ in range(max(1, readers - readers // 2))
        ]
        threads += [threading.Thread(target=writer) for _ in range(2)]
        threads.append(threading.Thread(target=batch_writer))
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        _report(tally, elapsed, len(threads), database_url)
        _check_books(url)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        drop()


def _add_load_factory(url: str) -> None:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from fund.brands.models import Brand
    from fund.db import make_engine
    from fund.factories.models import Factory

    engine = make_engine(url)
    with Session(engine) as session:
        nord = session.scalar(select(Brand).where(Brand.code == "NORD"))
        session.add(
            Factory(
                code="LOAD-1", name="Load Test Knit", country="BD", brands=[nord] if nord else []
            )
        )
        session.commit()
    engine.dispose()


def _add_batch_event(url: str) -> int:
    """A suspension of LOAD-1 computed for LOAD_WORKERS cash-paid workers, and the BDT to pay
    them in the bank; the event's id."""
    from datetime import date

    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from fund.db import make_engine
    from fund.entitlements.policy_versions import policy_for
    from fund.entitlements.services import compute_for_event
    from fund.events.services import create_event
    from fund.factories.models import Factory
    from imports.records import RollRow
    from ledger import Entry, Posting, account, post

    engine = make_engine(url)
    with Session(engine) as session:
        factory = session.scalar(select(Factory).where(Factory.code == "LOAD-1"))
        assert factory is not None
        event = create_event(
            session,
            factory=factory,
            kind="suspension",
            start=date(2026, 2, 1),
            end=date(2026, 3, 2),
            actor=None,
        )
        basic = 1_250_000  # 12,500 BDT a month, in poisha
        rows = [
            RollRow(
                row=n + 2,
                worker_id=f"B{n:05d}",
                name=f"Load Worker {n}",
                national_id=str(8_880_000_000_000 + n),
                join_date=date(2019, 3, 1),
                basic=basic,
            )
            for n in range(LOAD_WORKERS)
        ]
        compute_for_event(
            session,
            event=event,
            policy_version=policy_for(session, "alliance-wage-replacement"),
            through=None,
            actor=None,
            rows=rows,
        )
        money = LOAD_WORKERS * basic * 2  # a month's pay each, twice over
        post(
            session,
            Entry(
                date(2026, 1, 31),
                "load benchmark: money for the batches",
                "bench-load-batches",
                (
                    Posting(account(session, "1010"), money),
                    Posting(account(session, "3000", currency="BDT"), -money),
                ),
            ),
        )
        session.commit()
        event_id = event.id
    engine.dispose()
    return event_id


def _report(tally: Tally, elapsed: float, clients: int, database_url: str) -> None:
    total = sum(len(v) for v in tally.latencies.values())
    errors = sum(tally.errors.values())
    where = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
    print(f"gunicorn (3 workers) on {where}, {clients} client threads for {elapsed:.1f} s")
    print(f"{'kind':<22}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for kind, values in sorted(tally.latencies.items()):
        print(
            f"{kind:<22}{len(values):>9}{len(values) / elapsed:>8.1f}"
            f"{_percentile(values, 0.50) * 1000:>9.1f}{_percentile(values, 0.99) * 1000:>9.1f}"
            f"{tally.errors[kind]:>8}"
        )
    everything = [v for values in tally.latencies.values() for v in values]
    if everything:
        print(
            f"{'all':<22}{total:>9}{total / elapsed:>8.1f}"
            f"{_percentile(everything, 0.5) * 1000:>9.1f}"
            f"{_percentile(everything, 0.99) * 1000:>9.1f}{errors:>8}"
        )


def _check_books(url: str) -> None:
    """After the load: do the ledger's and the audit log's chains still verify (printed)."""
    from sqlalchemy.orm import Session

    from fund.audit.services import verify as verify_audit
    from fund.db import make_engine
    from ledger import verify

    engine = make_engine(url)
    with Session(engine) as session:
        books, audit = verify(session), verify_audit(session)
        print(
            f"after the load: ledger chain {'valid' if books.ok else 'BROKEN'}"
            f" ({books.entries} entries),"
            f" audit chain {'valid' if audit.ok else 'BROKEN'} ({audit.events} events)"
        )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--readers", type=int, default=6)
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        print(
            "the load benchmark runs on PostgreSQL (gunicorn workers share one database); skipped"
        )
        return
    if not _postgres_answers(args.database_url):
        return
    run(args.database_url, args.seconds, args.readers)


if __name__ == "__main__":
    main()
