"""The embedded MongoDB-protocol server (`nx-27017`, backed by SQLite) as a child process."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path


class EmbeddedMongoFailed(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_answers(host: str, port: int, timeout: float = 1.0) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=timeout):
        return True
    return False


@contextlib.contextmanager
def embedded_mongo(data_dir: Path, port: int | None = None) -> Iterator[str]:
    """Run nx-27017 on `port` (a free one by default), storing in `data_dir`; yield its URL."""
    executable = shutil.which("nx-27017") or str(Path(sys.executable).parent / "nx-27017")
    port = port or free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [
            executable,
            "--data-dir",
            str(data_dir),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-file",
            str(data_dir / "server.log"),
            "--pid-file",
            str(data_dir / "server.pid"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_answering(process, port, timeout=30)
        yield f"mongodb://127.0.0.1:{port}/"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_until_answering(process: subprocess.Popen[bytes], port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise EmbeddedMongoFailed(f"nx-27017 exited with code {process.returncode}")
        if port_answers("127.0.0.1", port, timeout=0.5):
            return
        time.sleep(0.1)
    raise EmbeddedMongoFailed(f"nx-27017 did not answer on port {port} within {timeout}s")
