"""A minimal QMP client for system tests: connect to the socket QEMU was
started with (tools/qemu-run --qmp PATH), then execute commands."""
import json
import os
import socket
import time


class QMP:
    def __init__(self, path, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.settimeout(timeout)
                self.sock.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.file = self.sock.makefile("rw", encoding="utf-8")
        self.file.readline()                        # the greeting
        self.execute("qmp_capabilities")

    def execute(self, command, **arguments):
        self.file.write(json.dumps({"execute": command, "arguments": arguments}) + "\n")
        self.file.flush()
        while True:
            reply = json.loads(self.file.readline())
            if "event" in reply:
                continue
            if "error" in reply:
                raise RuntimeError(f"QMP {command}: {reply['error']}")
            return reply["return"]

    def send_keys(self, *combos):
        """Each combo is a key name ("a", "ret") or names joined by '-'
        ("shift-h", "ctrl-c"), pressed together, in order."""
        for combo in combos:
            keys = [{"type": "qcode", "data": k} for k in combo.split("-")]
            self.execute("send-key", keys=keys)

    def close(self):
        self.sock.close()


def socket_path(tmp_path):
    path = os.path.join(str(tmp_path), "qmp.sock")
    if len(path) > 100:                              # AF_UNIX path limit
        path = os.path.join("/tmp", f"panda-qmp-{os.getpid()}-{time.monotonic_ns()}.sock")
    return path
