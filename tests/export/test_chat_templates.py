"""Exported rows rendered through tool-calling chat templates with transformers'
apply_chat_template(..., chat_template=...), by the exact loading recipe of the dataset card:
each call's arguments come out as a JSON object with exactly the call's keys."""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import pytest
from tokenizers import Tokenizer
from tokenizers.models import WordLevel
from transformers import PreTrainedTokenizerFast

TEMPLATES = Path(__file__).resolve().parents[1] / "fixtures" / "chat_templates"

# how each template writes a call: a regex whose group is the call's JSON, and the key
# that holds the arguments
CALL_PATTERNS = {
    "qwen2_5_style": (r"<tool_call>\n(.*?)\n</tool_call>", "arguments"),
    "llama3_1_style": (r"<\|start_header_id\|>assistant<\|end_header_id\|>\n\n(\{\"name\".*?)<\|eot_id\|>", "parameters"),
    "mistral_style": (r"\[TOOL_CALLS\]\[(.*?)\]</s>", "arguments"),
}


def local_tokenizer() -> PreTrainedTokenizerFast:
    """A tokenizer built here (no model hub): enough for apply_chat_template."""
    vocab = {"[UNK]": 0, "<s>": 1, "</s>": 2}
    return PreTrainedTokenizerFast(tokenizer_object=Tokenizer(WordLevel(vocab, unk_token="[UNK]")),
                                   bos_token="<s>", eos_token="</s>", unk_token="[UNK]")


def recipe_of(card: Path) -> str:
    """The python block of the card's "How to load" section."""
    return re.search(r"```python\n(.*?)```", card.read_text(), re.S).group(1)


def run_recipe(card: Path, template: str):
    tokenizer = local_tokenizer()
    tokenizer.apply_chat_template = functools.partial(tokenizer.apply_chat_template, chat_template=template)
    scope = {"tokenizer": tokenizer}
    exec(compile(recipe_of(card), str(card), "exec"), scope)
    return scope["dataset"]


def expected_calls(exported) -> list[list[dict]]:
    """Per hf row, its calls as {"name", "arguments"} read from the exported file itself."""
    rows = [json.loads(line) for line in (exported.out_dir / "hf" / "train.jsonl").read_text().splitlines()]
    return [[{"name": c["function"]["name"], "arguments": json.loads(c["function"]["arguments"])}
             for m in row["messages"] for c in m["tool_calls"]] for row in rows]


@pytest.mark.parametrize("name", sorted(CALL_PATTERNS))
def test_every_call_renders_with_its_arguments_as_an_object(exported, name):
    template = (TEMPLATES / f"{name}.jinja").read_text()
    dataset = run_recipe(exported.card, template)
    texts = dataset["train"]["text"]
    pattern, key = CALL_PATTERNS[name]
    expected = expected_calls(exported)
    assert sum(map(len, expected)) >= 3  # find_book, borrow_book, get_member
    for text, calls in zip(texts, expected):
        found = [json.loads(m) for m in re.findall(pattern, text, re.S)]
        assert [c["name"] for c in found] == [c["name"] for c in calls]
        for got, want in zip(found, calls):
            assert isinstance(got[key], dict), f"{name}: arguments rendered as {type(got[key]).__name__}"
            assert got[key] == want["arguments"]  # exactly the call's keys, no other tool's
        assert "call exactly one tool" not in text  # the generation protocol stays out


@pytest.mark.parametrize("name", sorted(CALL_PATTERNS))
def test_the_tools_reach_the_template_as_schemas(exported, name):
    texts = run_recipe(exported.card, (TEMPLATES / f"{name}.jinja").read_text())
    for text in texts["train"]["text"]:
        compact = re.sub(r"\s+", "", text)  # one template indents its JSON
        assert '"name":"borrow_book"' in compact and '"required":["member_id","book_id"]' in compact


def test_the_raw_log_breaks_the_strict_templates(records):
    """Why the export exists: the generation log's own messages (greeting first, ids like
    call_1, arguments as text) fail Mistral's template and give Qwen's a string."""
    tokenizer = local_tokenizer()
    record = records[0]
    tools = record["tools"]
    with pytest.raises(Exception, match="alternate|9 alphanumeric"):
        tokenizer.apply_chat_template(record["messages"], tools=tools, tokenize=False,
                                      chat_template=(TEMPLATES / "mistral_style.jinja").read_text())
    text = tokenizer.apply_chat_template(record["messages"], tools=tools, tokenize=False,
                                         chat_template=(TEMPLATES / "qwen2_5_style.jinja").read_text())
    call = json.loads(re.search(CALL_PATTERNS["qwen2_5_style"][0], text, re.S).group(1))
    assert isinstance(call["arguments"], str)
