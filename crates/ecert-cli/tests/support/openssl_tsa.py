#!/usr/bin/env python3
"""An independent RFC 3161 time-stamping authority for tests: OpenSSL's `ts -reply` behind a minimal HTTP
server (RFC 3161 §3.4: POST application/timestamp-query, answer application/timestamp-reply).

Usage: openssl_tsa.py CONFIG   — listens on 127.0.0.1, an ephemeral port, printed as `PORT <n>` on stdout;
serves until stdin closes (the test that started it ends) or it is killed.
"""
import http.server
import os
import subprocess
import sys
import tempfile
import threading

CONFIG = sys.argv[1]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        if self.headers.get("Content-Type") != "application/timestamp-query" or not 0 < length <= 65536:
            self.send_error(415)
            return
        query = self.rfile.read(length)
        with tempfile.TemporaryDirectory() as d:
            q, r = os.path.join(d, "q.tsq"), os.path.join(d, "r.tsr")
            with open(q, "wb") as f:
                f.write(query)
            done = subprocess.run(
                ["openssl", "ts", "-reply", "-config", CONFIG, "-queryfile", q, "-out", r],
                capture_output=True,
            )
            if done.returncode != 0:
                self.send_error(500, done.stderr.decode(errors="replace")[:200])
                return
            with open(r, "rb") as f:
                reply = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"PORT {server.server_address[1]}", flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
server.shutdown()
