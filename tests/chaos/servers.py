"""The servers one scenario runs on, and the handles its faults stop and start them by.

The reservations store is always an nx-27017 of the scenario's own (so it can be stopped and
started on the same port and data). RabbitMQ and MariaDB are the machine's (as the tests find
them), except for the scenario whose fault restarts that server: it gets a private one, so the
other test runs sharing the machine never see the fault.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from infra.stores.embedded_mongo import embedded_mongo, free_port, port_answers
from tests.chaos.scenarios import Scenario
from tests.support import servers as found

START_WITHIN_SECONDS = 90.0


class ServerCommandFailed(RuntimeError):
    pass


class MongoServer:
    """nx-27017 on a fixed port and data directory, stopped and started by the mongo fault."""

    def __init__(self, data_dir: Path) -> None:
        self._data_dir = data_dir
        self._port = free_port()
        self._running = contextlib.ExitStack()
        self.url = f"mongodb://127.0.0.1:{self._port}/"

    def start(self) -> None:
        self._running.enter_context(embedded_mongo(self._data_dir, self._port))

    def stop(self) -> None:
        self._running.close()


class MariaDbServer:
    """A MariaDB of the scenario's own: its data directory, port and process group."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._port = free_port()
        self._process: subprocess.Popen[bytes] | None = None
        self.url = f"mysql+asyncmy://root@127.0.0.1:{self._port}/"

    def install(self) -> None:
        self._directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:  # mariadbd refuses root; it runs as the mysql user
            shutil.chown(self._directory, "mysql", "mysql")
        _run(
            "mariadb-install-db",
            "--no-defaults",
            f"--datadir={self._directory / 'data'}",
            "--user=mysql",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
        )

    def start(self) -> None:
        log = (self._directory / "mariadbd.out").open("ab")
        with log:
            self._process = subprocess.Popen(
                [
                    "/usr/sbin/mariadbd",
                    "--no-defaults",
                    f"--datadir={self._directory / 'data'}",
                    f"--port={self._port}",
                    "--bind-address=127.0.0.1",
                    f"--socket={self._directory / 'mariadbd.sock'}",
                    f"--log-error={self._directory / 'error.log'}",
                    "--max-connections=500",
                    "--user=mysql",
                ],
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        _wait_for_port(self._port, self._process, "MariaDB")

    def stop(self) -> None:
        if self._process is not None:
            _end_group(self._process)
            self._process = None


@dataclass
class RabbitNode:
    """A RabbitMQ node of the scenario's own, beside the machine's on other ports."""

    directory: Path

    def __post_init__(self) -> None:
        self._port, self._dist_port = free_port(), free_port()
        self.node = f"chaos{self._port}@localhost"
        self.url = f"amqp://guest:guest@127.0.0.1:{self._port}/"

    def _environment(self) -> dict[str, str]:
        return os.environ | {
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_PORT": str(self._port),
            "RABBITMQ_DIST_PORT": str(self._dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.directory / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.directory / "log"),
            "RABBITMQ_PID_FILE": str(self.directory / "node.pid"),
            "RABBITMQ_CONFIG_FILE": str(self.directory / "rabbitmq"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.directory / "enabled_plugins"),
        }

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        # The machine's config file names its own listener; this node listens on its port.
        (self.directory / "rabbitmq.conf").write_text(
            f"listeners.tcp.local = 127.0.0.1:{self._port}\n"
        )
        (self.directory / "enabled_plugins").write_text("[].\n")
        if os.geteuid() == 0:  # the server scripts run as the rabbitmq user
            for path in (self.directory, *self.directory.iterdir()):
                shutil.chown(path, "rabbitmq", "rabbitmq")
        _run("rabbitmq-server", "-detached", environment=self._environment())
        # Until the node has registered its name, rabbitmqctl cannot reach it to wait for it.
        deadline = time.monotonic() + START_WITHIN_SECONDS
        while True:
            try:
                self.ctl("await_startup", "--timeout", str(int(START_WITHIN_SECONDS)))
                return
            except ServerCommandFailed:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)

    def ctl(self, *arguments: str) -> None:
        _run("rabbitmqctl", "-n", self.node, *arguments, environment=self._environment())

    def stop(self) -> None:
        try:
            self.ctl("stop")
        except ServerCommandFailed:
            pid_file = self.directory / "node.pid"
            if pid_file.exists():
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(pid_file.read_text().strip()), signal.SIGKILL)


@dataclass(frozen=True)
class ScenarioServers:
    amqp_url: str
    mysql_url: str
    mongo: MongoServer
    rabbitmq: RabbitNode | None = None
    mariadb: MariaDbServer | None = None


@contextlib.contextmanager
def scenario_servers(scenario: Scenario, directory: Path) -> Iterator[ScenarioServers]:
    with contextlib.ExitStack() as stack:
        mongo = MongoServer(directory / "nx-27017")
        stack.callback(mongo.stop)
        mongo.start()
        rabbitmq = mariadb = None
        if scenario.private_rabbitmq:
            rabbitmq = RabbitNode(directory / "rabbitmq")
            stack.callback(rabbitmq.stop)
            rabbitmq.start()
            amqp_url = rabbitmq.url
        else:
            amqp_url = stack.enter_context(found.rabbitmq()).url
        if scenario.private_mariadb:
            mariadb = MariaDbServer(directory / "mariadb")
            stack.callback(mariadb.stop)
            mariadb.install()
            mariadb.start()
            mysql_url = mariadb.url
        else:
            mysql_url = stack.enter_context(found.mysql()).url
        yield ScenarioServers(amqp_url, mysql_url, mongo, rabbitmq, mariadb)


def _run(*command: str, environment: dict[str, str] | None = None) -> None:
    try:
        subprocess.run(
            command,
            check=True,
            env=environment,
            cwd="/tmp",
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=START_WITHIN_SECONDS + 30,
        )
    except subprocess.CalledProcessError as exc:
        said = (exc.stderr or b"").decode(errors="replace").strip()[-500:]
        raise ServerCommandFailed(f"{shlex.join(command)}: exit {exc.returncode}: {said}") from exc
    except subprocess.TimeoutExpired as exc:
        raise ServerCommandFailed(f"{shlex.join(command)}: no answer in time") from exc


def _wait_for_port(port: int, process: subprocess.Popen[bytes], name: str) -> None:
    deadline = time.monotonic() + START_WITHIN_SECONDS
    while not port_answers("127.0.0.1", port, timeout=0.5):
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not answer on port {port}")
        time.sleep(0.2)


def _end_group(process: subprocess.Popen[bytes], within_seconds: float = 30) -> None:
    """SIGTERM the process's group, SIGKILL it if it is still there after a while."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGCONT)
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=within_seconds)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
