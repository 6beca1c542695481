"""Serve a local causal LM with `transformers serve`, so tests can call a real OpenAI-compatible endpoint.

Why these choices (transformers 5.23):
- A subprocess, not the in-process `Serve(non_blocking=True)`: the server's model, threads and torch seed stay out of
  the test process, and killing its process group frees everything even when a request hangs.
- The model folder is the positional FORCE_MODEL: it is loaded before uvicorn starts and every request must name it
  (or no model), so `/health` answering means the model is ready. `/v1/models` is no readiness probe: it lists the
  Hugging Face cache, not the forced model.
- `--device cpu --dtype float32` so the server computes what an in-process fp32 `generate` on CPU computes ("auto"
  takes the checkpoint's dtype; served in bf16, models/bases/qwen left fp32 greedy in 2 of 5 prompts within 64 tokens).
- HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE: there is no network, and a local folder needs none.

What a request gets (measured): `temperature: 0` is greedy; a temperature above 0 samples only if the model's
generation config says `do_sample` (else send `generation_config` as a JSON string, which replaces that config);
`max_tokens` is `max_new_tokens` (1024 when left out); `seed` reseeds the global torch RNG, so seeded sampling repeats
only for requests sent one at a time. Requests are generated one after another on one thread. For Qwen2/3 configs the
reply goes through a ChatML response parser instead of `skip_special_tokens`: it is stripped, `<think>` text moves to
`reasoning_content`, control tokens other than `<|im_end|>`/`<|endoftext|>` stay in the text.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

HOST = "127.0.0.1"
STARTUP_DEADLINE_S = 60.0


def free_port() -> int:
    """A port the OS says is free now (another process may still take it before the server binds)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def serve_command(model_dir: Path, port: int) -> list[str]:
    """The `transformers serve` command line for `model_dir`, from the venv that runs the tests."""
    executable = Path(sys.executable).with_name("transformers")
    return [
        str(executable), "serve", str(model_dir),
        "--host", HOST, "--port", str(port),
        "--device", "cpu", "--dtype", "float32",
        "--log-level", "warning",
    ]


def _tail(log: IO[bytes], limit: int = 4000) -> str:
    """The end of the server's combined stdout/stderr, for an error message."""
    log.seek(0)
    return log.read().decode("utf-8", errors="replace")[-limit:]


def _wait_ready(process: subprocess.Popen, url: str, log: IO[bytes], deadline_s: float) -> None:
    """Poll `/health` until it answers 200; fail with the server's output if it exits or the deadline passes."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"transformers serve exited with code {process.returncode} before answering:\n"
                               f"{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise TimeoutError(f"transformers serve did not answer {url} within {deadline_s:.0f} s:\n{_tail(log)}")


def _stop(process: subprocess.Popen) -> None:
    """Terminate the server's whole process group, killing it if it ignores SIGTERM for 10 s."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def served(model_dir: Path, port: int | None = None) -> Iterator[str]:
    """Serve `model_dir` on 127.0.0.1 while the block runs; yields the base URL ("http://127.0.0.1:PORT/v1").

    Requests name the model as `str(model_dir)` or leave `model` out; any other name is answered 400.
    """
    if not (Path(model_dir) / "config.json").is_file():
        raise FileNotFoundError(f"{model_dir}: no config.json; served() needs a folder written by save_pretrained.")
    port = port or free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    with tempfile.TemporaryFile() as log:  # a file, not a pipe: a full pipe would block the server
        process = subprocess.Popen(serve_command(model_dir, port), stdout=log, stderr=subprocess.STDOUT, env=env,
                                   start_new_session=True)
        try:
            _wait_ready(process, f"http://{HOST}:{port}/health", log, STARTUP_DEADLINE_S)
            yield f"http://{HOST}:{port}/v1"
        finally:
            _stop(process)


def post_json(url: str, body: dict[str, Any], timeout: float = 60.0) -> dict[str, Any]:
    """POST `body` as JSON and return the decoded answer; an HTTP error raises with the server's message."""
    request = urllib.request.Request(url, data=json.dumps(body).encode("utf-8"),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"{url}: HTTP {error.code}: {error.read().decode('utf-8', errors='replace')}") from error
