"""Token budgets: the train stages print how many inputs and summaries each budget cuts, and stop with one line naming
the key to raise when a summary budget would cut more than `max_cut_share` of the train summaries."""

import pytest

from kosum.core.errors import ConfigError
from kosum.models.budgets import Lengths, describe, needed, report
from stages import train_qlora, train_seq2seq
from tests.conftest import LLM_TRAIN, write_merged


def test_needed_is_the_smallest_limit_within_the_share():
    lengths = list(range(1, 101))  # 1..100
    assert needed(lengths, 0.0) == 100 and needed(lengths, 0.01) == 99 and needed(lengths, 0.5) == 50
    assert describe("summaries", "k", lengths, 99) == "k=99 cuts 1 of 100 summaries (1.0%; longest 100 tokens)"


def test_report_passes_at_the_share_and_stops_above_it():
    lengths = Lengths(prompts=[10] * 100, summaries=[5] * 99 + [50])
    budgets = {"prompt_key": "p", "prompt_limit": 64, "summary_key": "s", "summary_limit": 20, "share_key": "share"}
    assert "cuts 1 of 100 summaries" in report(lengths, **budgets, max_share=0.01)
    with pytest.raises(ConfigError, match="s=20 would cut 1 of 100 train summaries .*raise s to at least 50"):
        report(lengths, **budgets, max_share=0.0)


@pytest.mark.parametrize("stage", ["kobart", "qwen_qlora"])
def test_a_train_stage_stops_before_training_when_the_summary_budget_cuts_too_much(stage, workspace, tiny_base,
                                                                                  tmp_path, capsys):
    if stage == "kobart":
        recipe = write_merged(workspace.configs / "seq2seq.yaml", {"decoder_max_len": 8, "max_cut_share": 0.01},
                              tmp_path / "seq2seq.yaml")
        params = workspace.params
        argv = [str(recipe), str(workspace.processed), str(workspace.tokenizer), "--name=kobart"]
        key, main = "configs/seq2seq.yaml decoder_max_len=8", train_seq2seq.main
    else:
        recipe = write_merged(workspace.configs / "qlora.yaml", {"max_summary_len": 8, "max_cut_share": 0.01},
                              tmp_path / "qlora.yaml")
        params = workspace.params_with("params_budget", train=LLM_TRAIN,
                                       models={"qlora": {"qwen_qlora": {"checkpoint": str(tiny_base)}}})
        argv = [str(recipe), str(workspace.processed)]
        key, main = "configs/qlora.yaml max_summary_len=8", train_qlora.main
        argv.append("--name=qwen_qlora")
    out = tmp_path / "model"
    with pytest.raises(ConfigError, match=f"{key} would cut .* train summaries"):
        main([*argv, str(out), str(tmp_path / "live"), "--checkpoints", str(tmp_path / "ckpt"), "--params",
              str(params)])
    assert not out.exists()  # stopped before training: nothing written
