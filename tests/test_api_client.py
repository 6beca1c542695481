"""The API client and the API zero-shot stage against a local fault-injecting server on 127.0.0.1: retries,
fail-fast, Retry-After, the cache, and the key kept out of every file."""

import json
import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kosum.core.config.loader import load_file
from kosum.core.config.params import Params
from kosum.core.config.recipes import DEFAULT_SYSTEM_PROMPT, QloraConfig, prompt_config
from kosum.data.reading import read_processed
from kosum.tools.api_client import ApiError, Endpoint, ResponseCache, cache_key, complete, complete_all
from kosum.tools.api_stage import conversations
from kosum.tools.config import ApiConfig
from stages import evaluate, predict_api
from tests.conftest import ROOT, write_merged

MESSAGES = [{"role": "user", "content": "[Conversation]\n#Person1#: 안녕하세요.\n\n[Question]\n위 대화를 요약해주세요."}]


def _answer(text):
    return json.dumps({"choices": [{"message": {"role": "assistant", "content": text}}]}).encode()


class FaultServer:
    """Plays a script of faults, then answers with the last user message reversed; counts every request."""

    def __init__(self, script):
        self.script, self.requests, self.bodies = list(script), 0, []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests += 1
                server.bodies.append((self.path, dict(self.headers), body))
                fault = server.script.pop(0) if server.script else None
                if fault == "timeout":
                    time.sleep(0.5)
                    return
                if isinstance(fault, int):
                    self.send_response(fault)
                    if fault == 429:
                        self.send_header("Retry-After", "0")
                    self.end_headers()
                    self.wfile.write(b'{"error": "injected"}')
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"choices": [' if fault == "malformed" else
                                 _answer(body["messages"][-1]["content"][::-1]))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def close(self):
        self.httpd.shutdown()


@pytest.fixture
def serve():
    servers = []

    def start(script=()):
        servers.append(FaultServer(script))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def _endpoint(url, model="solar-test", **recipe):
    return Endpoint(url, model, ApiConfig(**{"timeout_s": 0.2, "retries": 4, "backoff_s": 0.01, **recipe}))


def test_transient_faults_are_retried_and_answers_cached(serve, tmp_path):
    server = serve([429, 500, "timeout", "malformed"])
    waits = []
    answer = complete(_endpoint(server.url), MESSAGES, ResponseCache(tmp_path), sleep=waits.append)
    assert answer == MESSAGES[-1]["content"][::-1] and server.requests == 5
    assert waits == [0.0, 0.02, 0.04, 0.08]  # Retry-After: 0 honoured, then doubling backoff
    assert complete(_endpoint(server.url), MESSAGES, ResponseCache(tmp_path)) == answer and server.requests == 5


def test_other_client_errors_fail_fast(serve, tmp_path):
    server = serve([400])
    with pytest.raises(ApiError, match="HTTP 400"):
        complete(_endpoint(server.url), MESSAGES, ResponseCache(tmp_path), sleep=lambda s: None)
    assert server.requests == 1


def test_retries_end_in_a_named_error(serve, tmp_path):
    server = serve([503] * 10)
    with pytest.raises(ApiError, match="3 attempts failed, the last with HTTP 503"):
        complete(_endpoint(server.url, retries=2), MESSAGES, ResponseCache(tmp_path), sleep=lambda s: None)
    assert server.requests == 3


def test_the_key_comes_from_the_environment_and_stays_out_of_the_cache(serve, tmp_path, monkeypatch):
    server = serve()
    monkeypatch.setenv("UPSTAGE_API_KEY", "secret-123")
    complete(_endpoint(server.url), MESSAGES, ResponseCache(tmp_path))
    path, headers, body = server.bodies[0]
    assert path == "/v1/chat/completions" and headers["Authorization"] == "Bearer secret-123"
    assert body == {"model": "solar-test", "messages": MESSAGES, "temperature": 0.0, "max_tokens": 96}
    assert not any("secret-123" in f.read_text() for f in tmp_path.rglob("*.json"))


def test_the_cache_key_follows_what_decides_an_answer():
    url = "http://127.0.0.1:1/v1"
    key = cache_key(_endpoint(url), MESSAGES)
    assert cache_key(_endpoint(url + "/", key_env="OTHER", retries=0, concurrency=1), MESSAGES) == key
    for changed in (_endpoint(url, model="other"), _endpoint(url, temperature=0.7), _endpoint(url, max_tokens=32),
                    _endpoint("http://x/v1")):
        assert cache_key(changed, MESSAGES) != key
    assert cache_key(_endpoint(url), [{"role": "user", "content": "다른 대화"}]) != key


def test_a_killed_run_pays_only_for_what_it_had_not_cached(serve, tmp_path):
    server = serve()
    conversations = [[{"role": "user", "content": f"대화 {i}"}] for i in range(12)]
    cache = ResponseCache(tmp_path)
    complete_all(_endpoint(server.url, concurrency=4), conversations[:5], cache)  # the run killed after 5 answers
    answers = complete_all(_endpoint(server.url, concurrency=4), conversations, cache)
    assert answers == [f"대화 {i}"[::-1] for i in range(12)] and server.requests == 12


def test_the_api_stage_writes_predictions_and_a_second_run_sends_nothing(workspace, serve, tmp_path, monkeypatch,
                                                                        capsys):
    server = serve([429, 500])  # transient faults in the middle of a run
    params = workspace.params_with("api", api={"base_url": server.url, "model": "solar-test"})
    recipe = write_merged(ROOT / "configs/api.yaml", {"cache_dir": str(tmp_path / "cache"), "backoff_s": 0.01,
                                                      "timeout_s": 2}, tmp_path / "api.yaml")
    monkeypatch.setenv("UPSTAGE_API_KEY", "secret-456")
    out = tmp_path / "predictions/api_zero_shot"
    args = [str(recipe), workspace.config("qlora.yaml"), str(workspace.processed), str(out), "--params", str(params)]
    predict_api.main(args)
    dev, test = (read_processed(workspace.processed / f"{split}.csv") for split in ("dev", "test"))
    assert server.requests == len(dev) + len(test) + 2
    assert list(read_processed(out / "dev.csv")["fname"]) == list(dev["fname"])
    assert list(read_processed(out / "submission.csv")["fname"]) == list(test["fname"])
    prompt = prompt_config(load_file(Params, params).prompt, load_file(QloraConfig, workspace.config("qlora.yaml")))
    sent = [body["messages"] for _, _, body in server.bodies]
    assert all(m in sent for m in conversations(dev, prompt))  # the LLM stages' own prompts, system prompt included
    assert sent[0][0] == {"role": "system", "content": DEFAULT_SYSTEM_PROMPT}  # system_prompt: null

    shutil.rmtree(out)
    predict_api.main(args)  # a rerun (or a killed run resumed): every answer comes from the cache
    assert server.requests == len(dev) + len(test) + 2
    assert capsys.readouterr().out.splitlines()[-1].endswith(f"{len(dev) + len(test)} answers from the cache, 0 asked")

    evaluate.main([str(workspace.processed), str(tmp_path / "predictions"), str(tmp_path / "metrics"),
                   "--models", "api_zero_shot"])
    scores = json.loads((tmp_path / "metrics/scores.json").read_text())
    assert set(scores) == {"api_zero_shot"} and 0 <= scores["api_zero_shot"]["dev_final"] <= 100
    assert not any("secret-456" in p.read_text(errors="ignore") for p in tmp_path.rglob("*") if p.is_file())
