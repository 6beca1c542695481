"""Model references (params.yaml `models` and `zero_shot`, `kosum summarize --model`): a folder or a hub id, checked
before anything loads, so a typo is one line naming the key instead of a minute of download retries and a traceback
inside accelerate.

Why it can be checked at all: a folder must hold a model (`config.json`), a kosum model card or a LoRA adapter; a hub
id must be in the local Hugging Face cache, or the hub must answer for it. Machines that cannot reach the hub (every
machine here, many GPU boxes behind a firewall) are told so instead of retrying. The hub library loads only when a
reference is not a folder.
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path
from urllib.parse import urlparse

from kosum.core.errors import ConfigError

EMBEDDED = "embedded"  # the seq2seq model built from configs/seq2seq.yaml (no checkpoint)
MODEL_FILES = ("config.json", "kosum.json", "adapter_config.json")  # a model, a kosum card, a LoRA adapter
PROBE_SECONDS = 3.0  # how long the hub gets to accept a connection before the machine counts as offline


def model_reference_problem(ref: str, *, embedded_ok: bool = False, pipeline_outputs: frozenset[str] = frozenset()
                            ) -> str | None:
    """What is wrong with model reference `ref`, in a clause to follow its key, or None when it can load.
    `pipeline_outputs`: folders a DVC stage writes (they need not exist before `dvc repro`)."""
    if ref == EMBEDDED:
        return None if embedded_ok else f"'{EMBEDDED}' is only for the seq2seq model (kobart); name a causal LM"
    path = Path(ref)
    if path.is_dir():
        if any((path / name).is_file() for name in MODEL_FILES):
            return None
        return f"folder '{ref}' holds no model ({', '.join(MODEL_FILES)}: none there)"
    if path.exists():
        return f"'{ref}' is a file; name a model folder or a hub id"
    if path.as_posix().rstrip("/") in pipeline_outputs:
        return None
    return _hub_problem(ref)


def check_model_reference(ref: str, key: str, *, embedded_ok: bool = False) -> None:
    """Raise a one-line ConfigError naming `key` when `ref` cannot load."""
    problem = model_reference_problem(ref, embedded_ok=embedded_ok)
    if problem:
        raise ConfigError(f"{key}: {problem}.")


def _hub_problem(ref: str) -> str | None:
    from huggingface_hub import HfApi, constants, try_to_load_from_cache
    from huggingface_hub.errors import GatedRepoError, HFValidationError, RepositoryNotFoundError
    from huggingface_hub.utils import validate_repo_id

    try:
        validate_repo_id(ref)
    except HFValidationError:
        return f"'{ref}' is no folder here and no hub id (namespace/name)"
    if isinstance(try_to_load_from_cache(ref, "config.json"), str):
        return None
    where = f"'{ref}' is no folder here and no model in the Hugging Face cache ({constants.HF_HUB_CACHE})"
    if constants.HF_HUB_OFFLINE or os.environ.get("TRANSFORMERS_OFFLINE", "").lower() in ("1", "true", "yes", "on"):
        return f"{where} while the hub is switched off (HF_HUB_OFFLINE); download it elsewhere or fix the name"
    if not _reachable(constants.ENDPOINT):
        return f"{where} and {constants.ENDPOINT} cannot be reached from here; download it first or fix the name"
    try:
        HfApi().model_info(ref, timeout=10)
    except RepositoryNotFoundError:
        return f"'{ref}' is no folder here and no model on the hub (a typo? a private model needs `hf auth login`)"
    except GatedRepoError:
        return f"hub model '{ref}' is gated: accept its licence on its page and log in (`hf auth login`)"
    except Exception as err:  # noqa: BLE001 - any other hub failure is reported, in one line, as it is
        return f"hub model '{ref}' could not be checked ({type(err).__name__}: {str(err).splitlines()[0]})"
    return None


def _reachable(endpoint: str) -> bool:
    """Whether `endpoint` accepts a TCP connection within PROBE_SECONDS. In a daemon thread, because name resolution
    has no timeout of its own and a broken resolver can hang it."""
    url = urlparse(endpoint)
    port = url.port or (443 if url.scheme == "https" else 80)
    answered: list[bool] = []

    def probe() -> None:
        try:
            socket.create_connection((url.hostname or "", port), timeout=PROBE_SECONDS).close()
            answered.append(True)
        except OSError:
            answered.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(PROBE_SECONDS + 1)
    return bool(answered and answered[0])

