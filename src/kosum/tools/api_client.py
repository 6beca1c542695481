"""OpenAI-compatible chat completions (Upstage Solar by default): retries, bounded concurrency, a resumable cache.

Why each piece: a paid API fails transiently (408/409/429/5xx, timeouts, a cut-off body), so those are retried with
exponential backoff, honouring `Retry-After`; any other 4xx is the caller's mistake and fails at once. Every answer
is cached on disk, keyed by endpoint, model, messages and sampling settings, and written atomically, so a killed run
pays for nothing twice. The key is read from an environment variable and never stored, logged or hashed.
Standard library only: nothing to install for the client itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from kosum.core.io import atomic_path
from kosum.tools.config import ApiConfig

RETRIED = frozenset({408, 409, 429, 500, 502, 503, 504})
Messages = list[dict[str, str]]


class ApiError(RuntimeError):
    """A request that failed for good: a non-retried status, or retries used up."""


@dataclass(frozen=True)
class Endpoint:
    """Where to ask (params.yaml `api`) and how (configs/api.yaml)."""

    base_url: str
    model: str
    recipe: ApiConfig = ApiConfig()


def cache_key(endpoint: Endpoint, messages: Messages) -> str:
    """What decides an answer: endpoint, model, messages and sampling settings (never the key)."""
    fields = {"base_url": endpoint.base_url.rstrip("/"), "model": endpoint.model, "messages": messages,
              "temperature": endpoint.recipe.temperature, "max_tokens": endpoint.recipe.max_tokens}
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


class ResponseCache:
    """One JSON file per answer under `root` (outside the repository), written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def __contains__(self, key: str) -> bool:
        return self._path(key).exists()

    def get(self, key: str) -> str | None:
        path = self._path(key)
        return json.loads(path.read_text(encoding="utf-8"))["content"] if path.exists() else None

    def put(self, key: str, content: str) -> None:
        with atomic_path(self._path(key)) as tmp:
            tmp.write_text(json.dumps({"content": content}, ensure_ascii=False), encoding="utf-8")


def _post(endpoint: Endpoint, messages: Messages) -> tuple[int, bytes, str | None]:
    """One request: status, body and Retry-After (raises TimeoutError / URLError on a broken connection)."""
    body = json.dumps({"model": endpoint.model, "messages": messages, "temperature": endpoint.recipe.temperature,
                       "max_tokens": endpoint.recipe.max_tokens}).encode()
    headers = {"Content-Type": "application/json"}
    key = os.environ.get(endpoint.recipe.key_env)
    if key:
        headers["Authorization"] = f"Bearer {key}"
    request = urllib.request.Request(f"{endpoint.base_url.rstrip('/')}/chat/completions", body, headers)
    try:
        with urllib.request.urlopen(request, timeout=endpoint.recipe.timeout_s) as response:
            return response.status, response.read(), None
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("Retry-After")


def _content(body: bytes) -> str | None:
    """The answer's text, or None for a body that is not a chat completion (cut off, malformed)."""
    try:
        return json.loads(body)["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def complete(endpoint: Endpoint, messages: Messages, cache: ResponseCache,
             sleep: Callable[[float], None] = time.sleep) -> str:
    """The answer to `messages`, from the cache or the endpoint (retried as the module docstring says)."""
    key = cache_key(endpoint, messages)
    cached = cache.get(key)
    if cached is not None:
        return cached
    problem, retries = "", endpoint.recipe.retries
    for attempt in range(retries + 1):
        wait = endpoint.recipe.backoff_s * 2**attempt
        try:
            status, body, retry_after = _post(endpoint, messages)
        except (TimeoutError, urllib.error.URLError) as error:
            problem = f"no answer ({error})"
        else:
            if status == 200 and (content := _content(body)) is not None:
                cache.put(key, content)
                return content
            if status != 200 and status not in RETRIED:
                raise ApiError(f"{endpoint.base_url}: HTTP {status}: {body[:200].decode(errors='replace')}")
            problem = f"HTTP {status}" if status != 200 else "a malformed answer"
            if retry_after is not None and retry_after.replace(".", "", 1).isdigit():
                wait = float(retry_after)
        if attempt < retries:
            sleep(wait)
    raise ApiError(f"{endpoint.base_url}: {retries + 1} attempts failed, the last with {problem}")


def complete_all(endpoint: Endpoint, conversations: Sequence[Messages], cache: ResponseCache) -> list[str]:
    """Answers in input order, at most `endpoint.concurrency` requests in flight."""
    with ThreadPoolExecutor(max_workers=endpoint.recipe.concurrency) as pool:
        return list(pool.map(lambda messages: complete(endpoint, messages, cache), conversations))

