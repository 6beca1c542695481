"""Training prints one readable line per log (issue 38: raw dicts, no total, no time left), and predict's bars name
the model, split and candidate source."""

from __future__ import annotations

import time
from types import SimpleNamespace

from kosum.models.training.progress import ProgressLines, clock


def _state(step: int, total: int = 375):
    return SimpleNamespace(global_step=step, max_steps=total, is_world_process_zero=True)


def test_a_training_log_is_one_line_with_step_total_and_time_left(capsys, monkeypatch):
    now = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    lines = ProgressLines("train_kobart")
    lines.on_train_begin(None, _state(0), None)
    now[0] = 141.0  # 41 s for the first 125 steps: 250 more take 82 s
    lines.on_log(None, _state(125), None, logs={"loss": 1.2344, "learning_rate": 0.00197, "epoch": 1.0})
    lines.on_log(None, _state(125), None, logs={"eval_final": 38.327, "eval_loss": 1.01})
    lines.on_log(None, _state(375), None, logs={"train_runtime": 123.4})
    assert capsys.readouterr().out.splitlines() == [
        "train_kobart: step 125/375 (33 %), loss 1.234, lr 1.97e-03, 0:41 elapsed, 1:22 left",
        "train_kobart: step 125/375 (33 %), dev final 38.33 (loss 1.010) on the dev sample that picks the checkpoint",
        "train_kobart: done, 375 steps in 2:03",
    ]


def test_a_resumed_run_counts_its_rate_from_where_it_resumed(capsys, monkeypatch):
    now = [0.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    lines = ProgressLines("train_qwen_qlora")
    lines.on_train_begin(None, _state(250), None)
    now[0] = 10.0
    lines.on_log(None, _state(300), None, logs={"loss": 1.0, "learning_rate": 1e-3})
    assert capsys.readouterr().out.strip().endswith("0:10 elapsed, 0:15 left")


def test_only_the_main_process_prints(capsys):
    lines = ProgressLines("train_kobart")
    lines.on_train_begin(None, _state(0), None)
    lines.on_log(None, SimpleNamespace(global_step=1, max_steps=2, is_world_process_zero=False), None, logs={"loss": 1})
    assert capsys.readouterr().out == ""
    assert (clock(None), clock(59.6), clock(3723)) == ("?", "1:00", "1:02:03")


class _RecordingSummarizer:
    """A stand-in model that answers every dialogue with the same summary and records each bar's label."""

    causal = True

    def __init__(self):
        from kosum.core.config.recipes import PromptConfig
        from tests.conftest import causal_card

        self.labels, self.card = [], causal_card(PromptConfig())

    def candidates(self, dialogues, topics, cfg, progress=False, instruction_idx=0, at_cap=None, label=""):
        self.labels.append(label)
        if at_cap is not None:
            at_cap[:] = [False] * len(dialogues)
        return [["요약"] * (cfg.n_best + cfg.samples) for _ in dialogues]


def test_predict_names_model_split_and_source_in_each_bar(workspace, tmp_path):
    from kosum.core.config.decode import DecodeConfig
    from kosum.models.candidates import predict_splits

    summarizer = _RecordingSummarizer()
    cfg = DecodeConfig(num_beams=1, tta=("swap_speakers",), prompt_variants=("instruction1",))
    predict_splits(summarizer, workspace.processed, tmp_path / "qwen_qlora", cfg)
    assert summarizer.labels == [f"qwen_qlora {split} {source}" for split in ("dev", "test")
                                 for source in ("beams", "swap_speakers", "instruction1")]
