"""A local Redis Cluster for the tests: three primaries and one replica (of the first) on free
loopback ports, in a temporary folder, started on first use and stopped when the session ends
(``tests/conftest.py``). Needs ``redis-server`` and ``redis-cli`` (Debian's redis-server package)."""

from __future__ import annotations

import contextlib
import ctypes
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HOST = "127.0.0.1"
BUS_OFFSET = 10000  # a node's cluster bus listens on its port + 10000
STARTUP_SECONDS = 30
PR_SET_PDEATHSIG = 1  # prctl(2)
NODE_TIMEOUT_MS = 2000  # how long a node is unreachable before the others fail it over


@dataclass
class LocalCluster:
    """The running nodes: ``primaries`` at start, ``replica`` replicating ``primaries[0]``."""

    folder: Path
    primaries: list[int]
    replica: int
    processes: dict[int, subprocess.Popen] = field(default_factory=dict)

    @property
    def ports(self) -> list[int]:
        return [*self.primaries, self.replica]

    @property
    def nodes(self) -> list[str]:
        """``host:port`` of the primaries, as ``online.nodes`` takes them."""
        return [f"{HOST}:{port}" for port in self.primaries]

    def cli(self, port: int, *args: str) -> str:
        done = subprocess.run(["redis-cli", "-h", HOST, "-p", str(port), *args], capture_output=True,
                              text=True, timeout=30)
        if done.returncode != 0 or done.stdout.startswith("ERR"):
            raise RuntimeError(f"redis-cli -p {port} {' '.join(args)}: {done.stdout}{done.stderr}")
        return done.stdout

    def info(self, port: int, section: str) -> dict[str, str]:
        lines = self.cli(port, "INFO", section).splitlines()
        return dict(line.split(":", 1) for line in lines if ":" in line and not line.startswith("#"))

    def role(self, port: int) -> str:
        return self.info(port, "replication")["role"]

    def current_primaries(self) -> list[int]:
        return [port for port in self.ports if self.role(port) == "master"]

    def wait(self, what: str, ready, seconds: float = STARTUP_SECONDS) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                if ready():
                    return
            except (RuntimeError, KeyError, subprocess.TimeoutExpired):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"local Redis Cluster in {self.folder}: {what} not reached in {seconds} s; "
                                   f"logs there")
            time.sleep(0.1)

    def wait_ok(self) -> None:
        """Every node sees all slots served (``cluster_state:ok``) and the same primaries."""
        def ok() -> bool:
            return all(self.info_cluster(port)["cluster_state"] == "ok" for port in self.ports)
        self.wait("cluster_state:ok", ok)

    def info_cluster(self, port: int) -> dict[str, str]:
        lines = self.cli(port, "CLUSTER", "INFO").splitlines()
        return dict(line.strip().split(":", 1) for line in lines if ":" in line)

    def failover(self, to: int) -> None:
        """A manual failover: the replica on ``to`` becomes primary, its primary its replica."""
        for attempt in range(1, 6):
            # a replica takes over only in sync, and when its primary knows it as its replica
            self.wait(f"{to} in sync", lambda: self.info(to, "replication").get("master_link_status") == "up")
            self.wait(f"{to} known to its primary as replica", lambda: self._primary_knows_replica(to))
            self.cli(to, "CLUSTER", "FAILOVER")
            try:
                # a request the primary ignores times out after 5 s; a failover right after another
                # can win with a stale vote count and be undone at once (Redis 7.0): both are retried
                self.wait(f"{to} primary for every node", lambda: self._primary_everywhere(to), seconds=6)
                time.sleep(1)
                if self._primary_everywhere(to):
                    break
            except RuntimeError:
                pass
            if attempt == 5:
                raise RuntimeError(f"local Redis Cluster in {self.folder}: failover to {to} failed 5 times")
            time.sleep(1)
        self.wait_ok()

    def _primary_everywhere(self, primary: int) -> bool:
        return self.role(primary) == "master" and all(self._sees_primary(port, primary) for port in self.ports)

    def _primary_knows_replica(self, replica: int) -> bool:
        """The primary takes a failover request only from a node it knows as its replica (gossip)."""
        primary = int(self.info(replica, "replication")["master_port"])
        replica_id, primary_id = (self.cli(port, "CLUSTER", "MYID").strip() for port in (replica, primary))
        for line in self.cli(primary, "CLUSTER", "NODES").splitlines():
            fields = line.split()
            if fields[0] == replica_id:
                return "slave" in fields[2] and fields[3] == primary_id
        return False

    def _sees_primary(self, port: int, primary: int) -> bool:
        for line in self.cli(port, "CLUSTER", "NODES").splitlines():
            fields = line.split()
            if fields[1].startswith(f"{HOST}:{primary}@"):
                return "master" in fields[2].split(",")
        return False

    def start_node(self, port: int) -> None:
        """Start (or restart, with the cluster config it wrote) the node on ``port``."""
        log = open(self.folder / f"{port}.log", "ab")  # noqa: SIM115 (the process writes to it until stopped)
        self.processes[port] = subprocess.Popen(
            ["redis-server", "--cluster-enabled", "yes", "--port", str(port), "--bind", HOST,
             "--save", "", "--appendonly", "no", "--dir", str(self.folder),
             "--cluster-config-file", f"nodes-{port}.conf", "--cluster-node-timeout", str(NODE_TIMEOUT_MS),
             "--protected-mode", "no"], stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        log.close()

    def kill(self, port: int) -> None:
        """The node on ``port`` dies at once (SIGKILL), as a machine that loses power."""
        self.processes[port].kill()
        self.processes[port].wait(10)

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster() -> LocalCluster:
    """Start four nodes, join three as primaries sharing the slots and the fourth as a replica."""
    for tool in ("redis-server", "redis-cli"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed (apt-get install redis-server); the Redis Cluster tests need it")
    folder = Path(tempfile.mkdtemp(prefix="vfs-redis-cluster-"))
    ports = free_ports(4)
    cluster = LocalCluster(folder, ports[:3], ports[3])
    try:
        for port in ports:
            cluster.start_node(port)
        for port in ports:
            cluster.wait(f"node {port} answering", lambda port=port: cluster.cli(port, "PING").strip() == "PONG")
        subprocess.run(["redis-cli", "--cluster", "create", *(f"{HOST}:{p}" for p in ports[:3]),
                        "--cluster-replicas", "0", "--cluster-yes"], check=True, capture_output=True, timeout=60)
        primary_id = cluster.cli(ports[0], "CLUSTER", "MYID").strip()
        subprocess.run(["redis-cli", "--cluster", "add-node", f"{HOST}:{ports[3]}", f"{HOST}:{ports[0]}",
                        "--cluster-slave", "--cluster-master-id", primary_id],
                       check=True, capture_output=True, timeout=60)
        cluster.wait("replica in sync", lambda: cluster.info(ports[3], "replication")["master_link_status"] == "up")
        cluster.wait_ok()
    except BaseException:
        cluster.stop()
        raise
    return cluster


def _die_with_parent() -> None:
    """In the child before exec: Linux stops the node when the test process dies, also by SIGKILL,
    so an interrupted run leaves no cluster behind (elsewhere the session's teardown stops it)."""
    with contextlib.suppress(AttributeError, OSError):  # not Linux: the teardown alone stops it
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_ports(count: int) -> list[int]:
    """Ports free on loopback whose cluster bus port (+10000) is free too."""
    found: list[int] = []
    while len(found) < count:
        with socket.socket() as probe:
            probe.bind((HOST, 0))
            port = probe.getsockname()[1]
        if port + BUS_OFFSET < 65536 and port not in found and _free(port) and _free(port + BUS_OFFSET):
            found.append(port)
    return found


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


_running: list[LocalCluster] = []


def shared_cluster() -> LocalCluster:
    """The session's cluster, started on first use; ``stop_shared_cluster`` ends it."""
    if not _running:
        _running.append(start_cluster())
    return _running[0]


def stop_shared_cluster() -> None:
    while _running:
        _running.pop().stop()
