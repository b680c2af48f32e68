"""The raw-request corpus's app for gunicorn: reads the body and answers what it saw (echo-app.ts)."""


def application(environ, start_response):
    body = environ["wsgi.input"].read()
    lines = ["app=wsgi", "method=" + environ.get("REQUEST_METHOD", ""),
             "url=" + environ.get("RAW_URI", environ.get("PATH_INFO", ""))]
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            lines.append("h:%s=%s" % (key[5:].lower().replace("_", "-"), value))
    lines.append("body=%d" % len(body))
    out = ("\n".join(lines) + "\n").encode("latin-1", "replace")
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(out)))])
    return [out]
