"""A fake AI vendor: one local HTTP server speaking Anthropic's Messages API and OpenAI's Chat
Completions API, for the labeling tests and benchmarks (and any later test that needs a vendor).

Standard library only. Usage:

    with FakeVendor() as fake:
        env = {**fake.anthropic_env(), **fake.openai_env()}      # server settings
        fake.script("anthropic", B.rate_limited(retry_after=0), B.overloaded())   # then...
        fake.default("anthropic", B.ok(delay=0.2))                                 # ...this
        ...
        fake.count("anthropic"), fake.peak_in_flight, fake.calls

What it checks, like the real services (and answers with their error shapes):
  Anthropic  POST /v1/messages; x-api-key (401 authentication_error), anthropic-version (400),
             content-type application/json (400), JSON body with model, max_tokens, messages
             (400 invalid_request_error); each content block: text {text: str} or
             image {source: {type: base64, media_type: image/jpeg|png|gif|webp, data}} whose
             data decodes and whose bytes match media_type.
  OpenAI     POST <base>/chat/completions (base ending in /v1); Authorization: Bearer <key>
             (401), content-type (400), model (400), messages; parts text {text} or
             image_url {image_url: {url: https://… or data:image/…;base64,…}}.
Wrong method or path: 404 (405 for a GET on the right path).

Behaviours (class B) are played per vendor: first the scripted queue, then the default (B.ok()).
A behaviour may also be a callable(call) -> behaviour, to decide from the request.
Every request is recorded as a Call (vendor, path, headers, json, prompt, images, status, ...);
`in_flight` / `peak_in_flight` count requests being handled (all vendors together; per vendor
in `peak_by_vendor`).
"""
import base64
import binascii
import json
import re
import secrets
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ANTHROPIC = "anthropic"
OPENAI = "openai"
VENDORS = (ANTHROPIC, OPENAI)

ANTHROPIC_KEY = "sk-ant-fake-" + "0" * 20
OPENAI_KEY = "sk-fake-openai-" + "0" * 20
ANTHROPIC_MODEL = "claude-fake-1"
OPENAI_MODEL = "gpt-fake-1"

IMAGE_MAGIC = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}


# ------------------------------------------------------------------------------------------------
# Behaviours
# ------------------------------------------------------------------------------------------------

class Behaviour:
    """What the fake does with one request. kind: ok, status, hang, raw, refusal, drop."""

    def __init__(self, kind, delay=0.0, status=200, headers=None, text=None, body=None, label=None):
        self.kind = kind
        self.delay = delay
        self.status = status
        self.headers = dict(headers or {})
        self.text = text        # the model's text (ok): None = a label made from the prompt
        self.body = body        # raw bytes (raw)
        self.label = label      # dict overriding parts of the generated label

    def __repr__(self):
        return f"<Behaviour {self.kind} status={self.status} delay={self.delay}>"


class B:
    """Behaviour constructors."""

    @staticmethod
    def ok(delay=0.0, text=None, **label):
        """A good answer after `delay` seconds. `text`: the model's exact text; otherwise a JSON
        label made from the prompt, with any of field_label / instruction / confidence overridden."""
        return Behaviour("ok", delay=delay, text=text, label=label or None)

    @staticmethod
    def rate_limited(retry_after=None, retry_after_ms=None, delay=0.0):
        """429 with retry-after (seconds) and/or retry-after-ms headers."""
        h = {}
        if retry_after is not None:
            h["retry-after"] = str(retry_after)
        if retry_after_ms is not None:
            h["retry-after-ms"] = str(retry_after_ms)
        return Behaviour("status", delay=delay, status=429, headers=h)

    @staticmethod
    def overloaded(delay=0.0):
        """529 overloaded_error (Anthropic's overload status)."""
        return Behaviour("status", delay=delay, status=529)

    @staticmethod
    def server_error(status=500, delay=0.0):
        return Behaviour("status", delay=delay, status=status)

    @staticmethod
    def client_error(status=400):
        """A 4xx that retrying cannot fix (400 invalid request, 403 permission, 404)."""
        return Behaviour("status", status=status)

    @staticmethod
    def hang(seconds=60.0):
        """Answers (successfully) only after `seconds`: slower than the client's timeout."""
        return Behaviour("hang", delay=seconds)

    @staticmethod
    def malformed(delay=0.0):
        """200 with a body that is not JSON at all."""
        return Behaviour("raw", delay=delay, body=b'{"id": "msg_broken", "content": [{"type": "te')

    @staticmethod
    def no_label(delay=0.0):
        """A well-formed answer whose text holds no label JSON."""
        return Behaviour("ok", delay=delay, text="This looks like a button that submits the form.")

    @staticmethod
    def wrong_types(delay=0.0):
        """A label JSON with wrong types."""
        return Behaviour("ok", delay=delay,
                         text='{"field_label": 42, "instruction": ["click"], "confidence": "high"}')

    @staticmethod
    def prose(delay=0.0, **label):
        """The label JSON with prose before and after it."""
        return Behaviour("ok", delay=delay, text="PROSE", label=label or None)

    @staticmethod
    def fenced(delay=0.0, **label):
        """The label JSON in a ```json code fence with a sentence before it."""
        return Behaviour("ok", delay=delay, text="FENCED", label=label or None)

    @staticmethod
    def refusal(delay=0.0):
        """The model declines (Anthropic stop_reason "refusal"; OpenAI message.refusal)."""
        return Behaviour("refusal", delay=delay)

    @staticmethod
    def drop(delay=0.0):
        """Closes the connection without answering."""
        return Behaviour("drop", delay=delay)


# ------------------------------------------------------------------------------------------------
# Requests
# ------------------------------------------------------------------------------------------------

class Call:
    """One request as the fake saw it."""

    def __init__(self, vendor, method, path, headers):
        self.vendor = vendor
        self.method = method
        self.path = path
        self.headers = headers          # dict, lower-case names
        self.json = None
        self.raw = b""
        self.model = None
        self.prompt = ""                # all text blocks joined
        self.images = []                # list of dicts: media_type, bytes, width, height
        self.status = None              # what the fake answered (None: dropped / still running)
        self.behaviour = None
        self.started = time.monotonic()
        self.ended = None
        self.error = None               # the validation error answered, if any

    def prompt_field(self, name):
        """A '- Name: value' line of the prompt (None when absent or N/A)."""
        m = re.search(r"^- " + re.escape(name) + r": (.*)$", self.prompt, re.M)
        if not m or m.group(1).strip() == "N/A":
            return None
        return m.group(1).strip()

    def __repr__(self):
        return f"<Call {self.vendor} {self.path} -> {self.status} ({self.behaviour})>"


def jpeg_size(data):
    """(width, height) of a baseline/progressive JPEG, or None."""
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            h, w = struct.unpack(">HH", data[i + 5:i + 9])
            return w, h
        i += 2 + length
    return None


class _Invalid(Exception):
    def __init__(self, status, kind, message):
        super().__init__(message)
        self.status = status
        self.kind = kind
        self.message = message


# ------------------------------------------------------------------------------------------------
# The server
# ------------------------------------------------------------------------------------------------

class FakeVendor:
    def __init__(self, host="127.0.0.1", port=0, anthropic_key=ANTHROPIC_KEY, openai_key=OPENAI_KEY):
        self.anthropic_key = anthropic_key
        self.openai_key = openai_key
        self._lock = threading.Lock()
        self._queues = {v: [] for v in VENDORS}
        self._defaults = {v: B.ok() for v in VENDORS}
        self.calls = []
        self.in_flight = 0
        self.peak_in_flight = 0
        self._in_flight_by = {v: 0 for v in VENDORS}
        self.peak_by_vendor = {v: 0 for v in VENDORS}
        self._closing = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                fake._handle(self)

            def do_GET(self):
                fake._handle(self)

        self._httpd = ThreadingHTTPServer((host, port), Handler)
        self._httpd.daemon_threads = True
        self._httpd.request_queue_size = 128
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    # --- configuration ---------------------------------------------------------------------
    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def anthropic_env(self, model=ANTHROPIC_MODEL, key=None):
        """Server settings pointing Anthropic at this fake."""
        return {"ANTHROPIC_API_KEY": key or self.anthropic_key, "ANTHROPIC_BASE_URL": self.url,
                "ANTHROPIC_MODEL": model}

    def openai_env(self, model=OPENAI_MODEL, key=None):
        return {"OPENAI_API_KEY": key or self.openai_key, "OPENAI_BASE_URL": self.url + "/v1",
                "OPENAI_MODEL": model}

    def script(self, vendor, *behaviours):
        """Appends behaviours played one per request, before the default."""
        assert vendor in VENDORS, vendor
        with self._lock:
            self._queues[vendor].extend(behaviours)

    def default(self, vendor, behaviour):
        """What the vendor does once its script is used up (initially B.ok())."""
        assert vendor in VENDORS, vendor
        with self._lock:
            self._defaults[vendor] = behaviour

    def scripted_left(self, vendor):
        with self._lock:
            return len(self._queues[vendor])

    def reset(self):
        """Forgets calls, scripts and peaks; defaults back to B.ok()."""
        with self._lock:
            self.calls = []
            self._queues = {v: [] for v in VENDORS}
            self._defaults = {v: B.ok() for v in VENDORS}
            self.peak_in_flight = self.in_flight
            self.peak_by_vendor = dict(self._in_flight_by)

    def reset_peak(self):
        with self._lock:
            self.peak_in_flight = self.in_flight
            self.peak_by_vendor = dict(self._in_flight_by)

    # --- observation ------------------------------------------------------------------------
    def count(self, vendor=None, status=None):
        """Requests received (for a vendor; with a given answered status)."""
        with self._lock:
            return sum(1 for c in self.calls if (vendor is None or c.vendor == vendor)
                       and (status is None or c.status == status))

    def calls_of(self, vendor=None):
        with self._lock:
            return [c for c in self.calls if vendor is None or c.vendor == vendor]

    def wait_idle(self, timeout=10):
        deadline = time.monotonic() + timeout
        while self.in_flight and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.in_flight == 0

    def close(self):
        self._closing.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- request handling ---------------------------------------------------------------------
    def _next(self, vendor, call):
        with self._lock:
            q = self._queues[vendor]
            b = q.pop(0) if q else self._defaults[vendor]
        while callable(b) and not isinstance(b, Behaviour):
            b = b(call)
        return b

    def _handle(self, h):
        path = h.path.split("?", 1)[0]
        headers = {k.lower(): v for k, v in h.headers.items()}
        vendor = ANTHROPIC if path == "/v1/messages" else OPENAI if path == "/v1/chat/completions" else None
        call = Call(vendor, h.command, path, headers)
        length = int(headers.get("content-length") or 0)
        call.raw = h.rfile.read(length) if length > 0 else b""
        with self._lock:
            self.calls.append(call)
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            if vendor:
                self._in_flight_by[vendor] += 1
                self.peak_by_vendor[vendor] = max(self.peak_by_vendor[vendor], self._in_flight_by[vendor])
        call._counted = True
        try:
            if vendor is None:
                return self._send(h, call, 404, {"error": {"type": "not_found_error", "message": "Not found"}})
            if h.command != "POST":
                return self._send(h, call, 405, self._error_body(vendor, "invalid_request_error",
                                                                 "Method not allowed"))
            try:
                (self._check_anthropic if vendor == ANTHROPIC else self._check_openai)(call)
            except _Invalid as e:
                call.error = e.message
                return self._send(h, call, e.status, self._error_body(vendor, e.kind, e.message))
            b = self._next(vendor, call)
            call.behaviour = b
            if b.delay:
                self._closing.wait(b.delay)
            self._play(h, call, vendor, b)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (its timeout): nothing to answer
        finally:
            self._done(call)

    def _done(self, call):
        """The request stops counting as in flight: just before its answer is written (once the
        client has the answer it may send the next request, which must not overlap this one)."""
        with self._lock:
            if not getattr(call, "_counted", False):
                return
            call._counted = False
            call.ended = time.monotonic()
            self.in_flight -= 1
            if call.vendor:
                self._in_flight_by[call.vendor] -= 1

    def _send(self, h, call, status, body, extra_headers=None, raw=None):
        data = raw if raw is not None else json.dumps(body).encode()
        self._done(call)
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.send_header("request-id", "req_" + secrets.token_hex(8))
        for k, v in (extra_headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)
        h.wfile.flush()
        call.status = status

    @staticmethod
    def _error_body(vendor, kind, message):
        if vendor == ANTHROPIC:
            return {"type": "error", "error": {"type": kind, "message": message}}
        return {"error": {"message": message, "type": kind, "param": None, "code": None}}

    # --- validation, like the real services -----------------------------------------------------
    @staticmethod
    def _json_body(call):
        ctype = call.headers.get("content-type", "")
        if ctype.split(";")[0].strip().lower() != "application/json":
            raise _Invalid(400, "invalid_request_error", f"Content-Type must be application/json, not {ctype!r}")
        try:
            body = json.loads(call.raw)
        except ValueError:
            raise _Invalid(400, "invalid_request_error", "There was an error parsing the body as JSON")
        if not isinstance(body, dict):
            raise _Invalid(400, "invalid_request_error", "The body must be a JSON object")
        call.json = body
        return body

    @staticmethod
    def _image(call, media_type, data):
        if media_type not in IMAGE_MAGIC:
            raise _Invalid(400, "invalid_request_error", f"Unsupported image media_type {media_type!r}")
        if not isinstance(data, str) or not data:
            raise _Invalid(400, "invalid_request_error", "image data must be a non-empty base64 string")
        try:
            blob = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise _Invalid(400, "invalid_request_error", "image data is not valid base64")
        if not blob.startswith(IMAGE_MAGIC[media_type]):
            raise _Invalid(400, "invalid_request_error",
                           f"Image does not match the provided media type {media_type}")
        if len(blob) > 5 * 1024 * 1024:
            raise _Invalid(400, "invalid_request_error", "image exceeds 5 MB maximum")
        size = jpeg_size(blob) if media_type == "image/jpeg" else None
        call.images.append({"media_type": media_type, "bytes": len(blob),
                            "width": size[0] if size else None, "height": size[1] if size else None})

    def _check_anthropic(self, call):
        key = call.headers.get("x-api-key")
        if not key:
            raise _Invalid(401, "authentication_error", "x-api-key header is required")
        if key != self.anthropic_key:
            raise _Invalid(401, "authentication_error", "invalid x-api-key")
        if not call.headers.get("anthropic-version"):
            raise _Invalid(400, "invalid_request_error", "anthropic-version: header is required")
        if call.headers["anthropic-version"] not in ("2023-06-01", "2023-01-01"):
            raise _Invalid(400, "invalid_request_error", "anthropic-version: unknown version")
        body = self._json_body(call)
        model = body.get("model")
        if not isinstance(model, str) or not model:
            raise _Invalid(400, "invalid_request_error", "model: Field required")
        call.model = model
        if not isinstance(body.get("max_tokens"), int) or body["max_tokens"] < 1:
            raise _Invalid(400, "invalid_request_error", "max_tokens: Field required")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise _Invalid(400, "invalid_request_error", "messages: at least one message is required")
        texts = []
        for i, m in enumerate(messages):
            if not isinstance(m, dict) or m.get("role") not in ("user", "assistant"):
                raise _Invalid(400, "invalid_request_error", f"messages.{i}.role: must be user or assistant")
            content = m.get("content")
            if isinstance(content, str):
                texts.append(content)
                continue
            if not isinstance(content, list) or not content:
                raise _Invalid(400, "invalid_request_error", f"messages.{i}.content: Field required")
            for j, blk in enumerate(content):
                where = f"messages.{i}.content.{j}"
                if not isinstance(blk, dict):
                    raise _Invalid(400, "invalid_request_error", f"{where}: must be an object")
                if blk.get("type") == "text":
                    if not isinstance(blk.get("text"), str):
                        raise _Invalid(400, "invalid_request_error", f"{where}.text: Field required")
                    texts.append(blk["text"])
                elif blk.get("type") == "image":
                    src = blk.get("source")
                    if not isinstance(src, dict) or src.get("type") != "base64":
                        raise _Invalid(400, "invalid_request_error", f"{where}.source.type: must be base64")
                    self._image(call, src.get("media_type"), src.get("data"))
                else:
                    raise _Invalid(400, "invalid_request_error", f"{where}.type: unknown block type")
        call.prompt = "\n".join(texts)

    def _check_openai(self, call):
        auth = call.headers.get("authorization", "")
        if not auth:
            raise _Invalid(401, "invalid_request_error",
                           "You didn't provide an API key. You need to provide your API key in an "
                           "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).")
        if auth != f"Bearer {self.openai_key}":
            raise _Invalid(401, "invalid_request_error", "Incorrect API key provided")
        body = self._json_body(call)
        model = body.get("model")
        if not isinstance(model, str) or not model:
            raise _Invalid(400, "invalid_request_error", "you must provide a model parameter")
        call.model = model
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise _Invalid(400, "invalid_request_error", "'messages' must be a non-empty array")
        texts = []
        for i, m in enumerate(messages):
            if not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant", "developer"):
                raise _Invalid(400, "invalid_request_error", f"messages[{i}].role is invalid")
            content = m.get("content")
            if isinstance(content, str):
                texts.append(content)
                continue
            if not isinstance(content, list) or not content:
                raise _Invalid(400, "invalid_request_error", f"messages[{i}].content is required")
            for j, part in enumerate(content):
                where = f"messages[{i}].content[{j}]"
                if not isinstance(part, dict):
                    raise _Invalid(400, "invalid_request_error", f"{where} must be an object")
                if part.get("type") == "text":
                    if not isinstance(part.get("text"), str):
                        raise _Invalid(400, "invalid_request_error", f"{where}.text is required")
                    texts.append(part["text"])
                elif part.get("type") == "image_url":
                    iu = part.get("image_url")
                    url = iu.get("url") if isinstance(iu, dict) else None
                    if not isinstance(url, str):
                        raise _Invalid(400, "invalid_request_error", f"{where}.image_url.url is required")
                    if url.startswith("data:"):
                        m2 = re.match(r"^data:(image/[a-z]+);base64,(.*)$", url, re.S)
                        if not m2:
                            raise _Invalid(400, "invalid_request_error", "Invalid image data URL")
                        self._image(call, m2.group(1), m2.group(2))
                    elif not url.startswith(("https://", "http://")):
                        raise _Invalid(400, "invalid_request_error", "Invalid image URL")
                    else:
                        call.images.append({"media_type": None, "url": url, "bytes": None,
                                            "width": None, "height": None})
                else:
                    raise _Invalid(400, "invalid_request_error", f"{where}.type is invalid")
        call.prompt = "\n".join(texts)

    # --- answers ----------------------------------------------------------------------------------
    @staticmethod
    def make_label(call, vendor, overrides=None):
        """A plausible label from the prompt's element data."""
        name = (call.prompt_field("Label") or call.prompt_field("Accessible name")
                or call.prompt_field("Placeholder") or call.prompt_field("Text")
                or call.prompt_field("Name attribute") or "the element")
        label = {"field_label": name[:60], "instruction": f"Use {name} (labeled by {vendor}).",
                 "confidence": 88}
        label.update(overrides or {})
        return label

    def _text(self, call, vendor, b):
        label = json.dumps(self.make_label(call, vendor, b.label))
        if b.text is None:
            return label
        if b.text == "PROSE":
            return f"Here is the label you asked for:\n{label}\nLet me know if you need anything else."
        if b.text == "FENCED":
            return f"Sure.\n```json\n{label}\n```\n"
        return b.text

    def _play(self, h, call, vendor, b):
        if b.kind == "drop":
            self._done(call)
            h.close_connection = True
            try:
                h.connection.shutdown(2)
            except OSError:
                pass
            return
        if b.kind == "status":
            kinds = {429: "rate_limit_error", 529: "overloaded_error", 500: "api_error", 502: "api_error",
                     503: "api_error", 400: "invalid_request_error", 403: "permission_error",
                     404: "not_found_error"}
            kind = kinds.get(b.status, "api_error")
            msg = {429: "Rate limited", 529: "Overloaded"}.get(b.status, f"Error {b.status}")
            return self._send(h, call, b.status, self._error_body(vendor, kind, msg), b.headers)
        if b.kind == "raw":
            return self._send(h, call, b.status, None, b.headers, raw=b.body)
        model = call.model
        if b.kind == "refusal":
            if vendor == ANTHROPIC:
                body = {"id": "msg_" + secrets.token_hex(12), "type": "message", "role": "assistant",
                        "model": model, "content": [], "stop_reason": "refusal", "stop_sequence": None,
                        "usage": {"input_tokens": 100, "output_tokens": 0}}
            else:
                body = {"id": "chatcmpl-" + secrets.token_hex(12), "object": "chat.completion",
                        "created": int(time.time()), "model": model,
                        "choices": [{"index": 0, "finish_reason": "stop",
                                     "message": {"role": "assistant", "content": None,
                                                 "refusal": "I'm sorry, I can't help with that."}}],
                        "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110}}
            return self._send(h, call, 200, body, b.headers)
        text = self._text(call, vendor, b)  # ok / hang (a late success)
        if vendor == ANTHROPIC:
            body = {"id": "msg_" + secrets.token_hex(12), "type": "message", "role": "assistant",
                    "model": model, "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
                    "stop_sequence": None, "usage": {"input_tokens": 100, "output_tokens": 40}}
        else:
            body = {"id": "chatcmpl-" + secrets.token_hex(12), "object": "chat.completion",
                    "created": int(time.time()), "model": model,
                    "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                                 "message": {"role": "assistant", "content": text, "refusal": None}}],
                    "usage": {"prompt_tokens": 100, "completion_tokens": 40, "total_tokens": 140}}
        return self._send(h, call, 200, body, b.headers)


if __name__ == "__main__":  # a standalone fake for manual runs and benchmarks
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--delay", type=float, default=0.0, help="seconds per successful answer")
    args = ap.parse_args()
    fake = FakeVendor(port=args.port)
    for v in VENDORS:
        fake.default(v, B.ok(delay=args.delay))
    print(json.dumps({"url": fake.url, **fake.anthropic_env(), **fake.openai_env()}), flush=True)
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        fake.close()
