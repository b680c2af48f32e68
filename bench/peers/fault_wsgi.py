"""The fault scenarios' app as WSGI for gunicorn: the same routes as fault-listener.ts."""
import os
import time


def application(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path == "/block":
        while True:
            pass
    if path == "/slow":
        query = dict(p.split("=", 1) for p in environ.get("QUERY_STRING", "").split("&") if "=" in p)
        time.sleep(int(query.get("ms", "500")) / 1000)
    body = b"ok\n"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body))),
                              ("X-Worker-Pid", str(os.getpid()))])
    return [body]
