"""A real worker (gatehouse serve --admin) over a fresh store, a real backend, and boto3 clients signed with
credentials made by `gatehouse credentials create`. GATEHOUSE_BIN names the binary (the Swift test that runs
this suite sets it)."""
import os
import re
import subprocess
import tempfile
import threading
import time

import boto3
import pytest
from botocore.config import Config

BIN = os.environ.get("GATEHOUSE_BIN") or os.path.join(os.path.dirname(__file__), "..", "..", ".build", "debug", "gatehouse")


def run(*args, check=True):
    result = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=60)
    if check and result.returncode != 0:
        raise AssertionError(f"gatehouse {' '.join(args)} failed: {result.stderr}")
    return result


def wait_for_line(process, pattern, timeout=30):
    deadline = time.time() + timeout
    seen = []
    while time.time() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                break
            continue
        seen.append(line)
        match = re.search(pattern, line)
        if match:
            return match
    raise AssertionError(f"no line matching {pattern!r}: {''.join(seen)}")


class Worker:
    def __init__(self, folder):
        self.folder = folder
        self.store = os.path.join(folder, "g.db")
        run("init", "--store", self.store)
        self.key, self.secret = self.credential("ops", "arn:aws:apigateway:*::/*")
        self.backend = subprocess.Popen([BIN, "sample-backend", "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE, text=True)
        self.backend_port = int(wait_for_line(self.backend, r"listening on .*:(\d+)").group(1))
        self.process = subprocess.Popen([BIN, "serve", "--store", self.store, "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0",
                                         "--log-level", "warning", "--usage-sync-interval", "0.2"],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.admin_port = int(wait_for_line(self.process, r"admin on http://[^:]+:(\d+)/metrics").group(1))
        self.port = int(wait_for_line(self.process, r"serving .* on http://[^:]+:(\d+)").group(1))
        self.endpoint = f"http://127.0.0.1:{self.admin_port}"
        # Keep reading both outputs, so a full pipe never blocks either process.
        for process in (self.process, self.backend):
            threading.Thread(target=lambda p=process: [None for _ in p.stdout], daemon=True).start()

    def credential(self, name, *allow):
        args = ["credentials", "create", "--store", self.store, "--name", name]
        for pattern in allow:
            args += ["--allow", pattern]
        last = run(*args).stdout.strip().splitlines()[-1].split()
        return last[0], last[1]

    def client(self, key=None, secret=None):
        return boto3.client("apigateway", endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id=key or self.key, aws_secret_access_key=secret or self.secret,
                            config=Config(retries={"max_attempts": 1}))

    def url(self, api_id, stage, path):
        return f"http://127.0.0.1:{self.port}/restapis/{api_id}/{stage}/_user_request_{path}"

    def stop(self):
        for process in (self.process, self.backend):
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def worker():
    with tempfile.TemporaryDirectory(prefix="gatehouse-mgmt-") as folder:
        running = Worker(folder)
        try:
            yield running
        finally:
            running.stop()


@pytest.fixture()
def client(worker):
    return worker.client()
