#!/usr/bin/env python3
"""backends.py - HTTP backends for the HAProxy test: one server per
address given, all on PORT, each answering every GET with its own address.
Ends by itself after SECONDS (600 at most).

  backends.py PORT SECONDS ADDR...
"""
import http.server
import socketserver
import sys
import threading
import time


def handler_for(addr):
    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = (addr + "\n").encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass
    return H


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    port, secs = int(sys.argv[1]), min(float(sys.argv[2]), 600.0)
    for addr in sys.argv[3:]:
        s = Server((addr, port), handler_for(addr))
        threading.Thread(target=s.serve_forever, daemon=True).start()
    print("ready", flush=True)
    time.sleep(secs)


main()
