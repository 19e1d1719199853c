#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/helpers/collector.py - a results collector for the tests, on 127.0.0.1 only.

    collector.py DIR

Listens on a free port of 127.0.0.1 and writes it to DIR/port. Each POST is stored as
DIR/<n>.body (the bytes as received) and DIR/<n>.headers (one "Name: value" a line), n counting
from 1. The answer is 201, unless DIR/fail holds "STATUS COUNT": then the next COUNT requests
(or all, for COUNT -1) get STATUS, with "Retry-After: 1" for 503.
"""
import http.server
import os
import sys

DIR = sys.argv[1]


class Collector(http.server.BaseHTTPRequestHandler):
    count = 0

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        Collector.count += 1
        n = Collector.count
        with open(os.path.join(DIR, "%d.body" % n), "wb") as f:
            f.write(body)
        with open(os.path.join(DIR, "%d.headers" % n), "w") as f:
            for name, value in self.headers.items():
                f.write("%s: %s\n" % (name, value))
        status = 201
        fail = os.path.join(DIR, "fail")
        if os.path.exists(fail):
            with open(fail) as f:
                code, left = (int(x) for x in f.read().split())
            if left != 0:
                status = code
                if left > 0:
                    with open(fail, "w") as f:
                        f.write("%d %d\n" % (code, left - 1))
        self.send_response(status)
        if status == 503:
            self.send_header("Retry-After", "1")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, fmt, *args):
        with open(os.path.join(DIR, "log"), "a") as f:
            f.write(fmt % args + "\n")


server = http.server.HTTPServer(("127.0.0.1", 0), Collector)
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write("%d\n" % server.server_address[1])
os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
server.serve_forever()
