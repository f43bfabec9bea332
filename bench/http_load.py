"""A light HTTP/1.1 load generator for the API benchmarks, and CPU accounting of a run.

The load generator shares the machine's cores with the server and the database, so it must
cost as little CPU as possible: one thread drives every keep-alive connection through
`selectors` (no GIL contention between client threads), each request is prepared as bytes
before the clock starts, and a response is parsed only as far as its status line and
`Content-Length` (http.client parses every header through the e-mail package, which cost
more CPU per request than some of the endpoints measured).

Only what the Comptoir server answers is supported: responses with a `Content-Length`
(Django sets it on every response it builds in memory). Anything else counts as a failed
request (status 0) and the connection is reopened.
"""

import os
import selectors
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def request_bytes(method: str, path: str, token: str, body: bytes | None = None) -> bytes:
    head = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        f"Authorization: Bearer {token}",
        "Connection: keep-alive",
    ]
    if body is not None:
        head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + (body or b"")


@dataclass
class _Connection:
    sock: socket.socket
    request: int = -1
    began: float = 0.0
    buffer: bytearray = field(default_factory=bytearray)
    needed: int = -1  # total bytes of the current response, once its headers are in


@dataclass
class LoadResult:
    elapsed: float  # seconds from the first request sent to the last response read
    latencies_ms: list[float]
    statuses: dict[int, int]


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setblocking(False)
    return sock


def _parse_head(buffer: bytearray) -> tuple[int, int, bool] | None:
    """(status, total response length, server closes) once the headers are complete."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = bytes(buffer[:end]).split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length, closes = None, False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection":
            closes = value.strip().lower() == b"close"
    if length is None:
        raise ValueError("a response without Content-Length")
    return status, end + 4 + length, closes


def run(port: int, requests: list[bytes], clients: int, timeout: float = 60) -> LoadResult:
    """Send every prepared request, `clients` at a time over keep-alive connections, each
    connection sending its next request when the previous response is complete."""
    selector = selectors.DefaultSelector()
    latencies: list[float] = [0.0] * len(requests)
    statuses: dict[int, int] = {}
    pending = iter(range(len(requests)))
    done = 0

    def send_next(conn: _Connection) -> bool:
        index = next(pending, None)
        if index is None:
            return False
        conn.request, conn.began, conn.needed = index, time.perf_counter(), -1
        conn.buffer.clear()
        conn.sock.sendall(requests[index])
        return True

    def finish(conn: _Connection, status: int) -> None:
        nonlocal done
        latencies[conn.request] = (time.perf_counter() - conn.began) * 1000
        statuses[status] = statuses.get(status, 0) + 1
        done += 1

    def reopen(conn: _Connection) -> None:
        selector.unregister(conn.sock)
        conn.sock.close()
        conn.sock = _connect(port)
        selector.register(conn.sock, selectors.EVENT_READ, conn)

    began = time.perf_counter()
    for _ in range(min(clients, len(requests))):
        conn = _Connection(_connect(port))
        selector.register(conn.sock, selectors.EVENT_READ, conn)
        send_next(conn)
    while done < len(requests):
        events = selector.select(timeout)
        if not events:
            raise TimeoutError(f"no response for {timeout} s")
        for key, _mask in events:
            conn = key.data
            try:
                chunk = conn.sock.recv(262_144)
            except OSError:
                chunk = b""
            if not chunk:  # the server closed the connection mid-response
                finish(conn, 0)
                reopen(conn)
                if not send_next(conn):
                    selector.unregister(conn.sock)
                    conn.sock.close()
                continue
            conn.buffer += chunk
            if conn.needed < 0:
                head = _parse_head(conn.buffer)
                if head is None:
                    continue
                status, conn.needed, closes = head
            if len(conn.buffer) < conn.needed:
                continue
            finish(conn, status)
            if closes:
                reopen(conn)
            if not send_next(conn):
                selector.unregister(conn.sock)
                conn.sock.close()
    elapsed = time.perf_counter() - began
    selector.close()
    return LoadResult(elapsed, latencies, statuses)


# ------------------------------------------------------------------ CPU accounting


def process_tree(root: int) -> list[int]:
    """`root` and every process descended from it (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes used so far (processes gone count 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLK_TCK


def self_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def _database_backends(database: str) -> list[int]:
    """PostgreSQL backends connected to `database`, found by their process titles."""
    marker = f" {database} ".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if title.startswith(b"postgres: ") and marker in title:
            found.append(int(entry.name))
    return found


def _machine_busy_seconds() -> float:
    """CPU time every core spent busy since boot (all processes, whoever runs them)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / CLK_TCK


class CpuMeter:
    """CPU seconds used during a phase by the client (this process), the server's process
    tree, the database's backends for `database`, and everything else on the machine
    (other people's work on a shared machine). Backends are polled in a thread: a
    connection closed during the phase keeps the time it was last seen with."""

    def __init__(self, server_pid: int, database: str, interval: float = 0.5):
        self.server_pid, self.database, self.interval = server_pid, database, interval

    def _backends(self) -> dict[int, float]:
        return {pid: cpu_seconds([pid]) for pid in _database_backends(self.database)}

    def _poll(self) -> None:
        while not self._stop.wait(self.interval):
            for pid, seconds in self._backends().items():
                self._last[pid] = max(seconds, self._last.get(pid, 0.0))

    def __enter__(self):
        import threading

        self._server = cpu_seconds(process_tree(self.server_pid))
        self._first = self._backends()
        self._last = dict(self._first)
        self._client = self_cpu_seconds()
        self._busy = _machine_busy_seconds()
        self._wall = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        for pid, seconds in self._backends().items():
            self._last[pid] = max(seconds, self._last.get(pid, 0.0))
        client = self_cpu_seconds() - self._client
        server = cpu_seconds(process_tree(self.server_pid)) - self._server
        database = sum(s - self._first.get(pid, 0.0) for pid, s in self._last.items())
        busy = _machine_busy_seconds() - self._busy
        self.seconds = {
            "wall": round(time.perf_counter() - self._wall, 2),
            "client": round(client, 2),
            "server": round(server, 2),
            "database": round(database, 2),
            "others": round(max(0.0, busy - client - server - database), 2),
        }
        return False
