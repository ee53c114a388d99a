"""A small HTTP load generator for the benchmark: a few connections, each sending one request after another.

Standard library only, so that `make bench` needs nothing the project does not install. Each request
opens its own connection and reads until the server closes it, which is how gunicorn's sync workers
answer (they do not keep connections alive). Latency is measured from the connect to the last byte.
The generator shares the machine's cores with the server; on a 2-core machine it costs the fastest
pages (static files, /healthz) some of their throughput, the same in every run.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

TIMEOUT = 120  # seconds a single request may take before it counts as an error


@dataclass
class Result:
    path: str
    seconds: float  # from the first request sent to the last one answered
    latencies: list[float] = field(default_factory=list)  # seconds, sorted, of the 200 answers
    statuses: Counter = field(default_factory=Counter)  # every answer's status; "error" for a broken connection
    bytes: int = 0

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def failed(self) -> int:
        return sum(count for status, count in self.statuses.items() if status != 200)

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds > 0 else 0.0

    def percentile(self, q: float) -> float:
        """Nearest rank: the latency that ``q`` of the requests did not exceed."""
        if not self.latencies:
            return float("nan")
        rank = max(1, -(-len(self.latencies) * q // 1))
        return self.latencies[int(rank) - 1]

    @property
    def p50(self) -> float:
        return self.percentile(0.50)

    @property
    def p99(self) -> float:
        return self.percentile(0.99)


def request_bytes(host: str, port: int, path: str, cookies: dict[str, str] | None = None) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "User-Agent: sakip-bench", "Connection: close"]
    if cookies:
        lines.append("Cookie: " + "; ".join(f"{name}={value}" for name, value in cookies.items()))
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def fetch(host: str, port: int, raw: bytes) -> tuple[int | str, int, bytes]:
    """One request: (status, bytes received, the head of the answer)."""
    with socket.create_connection((host, port), timeout=TIMEOUT) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(raw)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    data = b"".join(chunks)
    head = data[:4096]
    try:
        status: int | str = int(head.split(b" ", 2)[1])
    except (IndexError, ValueError):
        status = "malformed"
    return status, len(data), head


def run(
    host: str,
    port: int,
    path: str,
    *,
    cookies: dict[str, str] | None = None,
    connections: int = 8,
    seconds: float | None = None,
    requests: int | None = None,
) -> Result:
    """Load ``path`` from ``connections`` threads for ``seconds``, or until ``requests`` were answered.

    Requests in flight when the time is up are answered and counted, so the slowest pages are measured
    over at least one request per connection.
    """
    if (seconds is None) == (requests is None):
        raise ValueError("Give either seconds or requests.")
    raw = request_bytes(host, port, path, cookies)
    lock = threading.Lock()
    result = Result(path=path, seconds=0.0)
    started = time.perf_counter()
    deadline = started + seconds if seconds is not None else None
    budget = [requests or 0]
    last = [started]

    def worker() -> None:
        latencies, statuses, received = [], Counter(), 0
        while True:
            if deadline is not None and time.perf_counter() >= deadline:
                break
            if requests is not None:
                with lock:
                    if budget[0] <= 0:
                        break
                    budget[0] -= 1
            begin = time.perf_counter()
            try:
                status, size, _head = fetch(host, port, raw)
            except OSError:
                status, size = "error", 0
            end = time.perf_counter()
            statuses[status] += 1
            received += size
            if status == 200:
                latencies.append(end - begin)
        with lock:
            result.latencies.extend(latencies)
            result.statuses.update(statuses)
            result.bytes += received
            last[0] = max(last[0], time.perf_counter())

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = last[0] - started
    result.latencies.sort()
    return result
