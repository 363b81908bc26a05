#!/usr/bin/env python3
"""tls_master.py PORTFILE STATEFILE CERT KEY [CLIENT_CA]

A Mesos master stand-in over HTTPS for the tests: serves STATEFILE at
/master/state on 127.0.0.1 on a free port (written to PORTFILE).  With
CLIENT_CA, a client certificate signed by it is required.
"""
import http.server, os, ssl, sys, threading

class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/master/state":
            self.send_error(404)
            return
        body = open(sys.argv[2], "rb").read()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass

srv = http.server.HTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[3], sys.argv[4])
if len(sys.argv) > 5:
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(sys.argv[5])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
open(sys.argv[1], "w").write("%d\n" % srv.server_address[1])
# Never outlive a test by long, whatever happens to the test.
threading.Timer(600, os._exit, (0,)).start()
srv.serve_forever()
