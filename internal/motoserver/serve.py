"""Runs moto's server as moto_server does, but applies one request at a time.

DynamoDB applies every conditional write atomically. moto's threaded server
evaluates a condition and then writes without a lock, so two concurrent
conditional writes to one item can both succeed (seen: 2 winners out of 20
concurrent updates). One lock around the application restores the atomicity
that the concurrency tests rely on; connections are still served in threads.

Usage: python serve.py HOST PORT
"""

import os
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))
    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def serialized(environ, start_response):
        with lock:
            return list(app(environ, start_response))

    run_simple(host, port, serialized, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
