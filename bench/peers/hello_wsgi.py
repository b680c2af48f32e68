"""The benchmark's app as WSGI for gunicorn: the same two answers as hello-listener.ts.

The file name uses an underscore because gunicorn imports it as a Python module.
"""
import json

HELLO = b"Hello, world!\n"


def application(environ, start_response):
    if environ["REQUEST_METHOD"] == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        try:
            body = json.loads(environ["wsgi.input"].read(length) or b"null")
        except ValueError:
            start_response("400 Bad Request", [("Content-Type", "text/plain")])
            return [b"bad json\n"]
        keys = len(body) if isinstance(body, dict) else 0
        reply = json.dumps({"ok": True, "keys": keys}, separators=(",", ":")).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(reply)))])
        return [reply]
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(HELLO)))])
    return [HELLO]
