"""YAML with positions: merge keys, anchors, line breaks, bounds."""
from __future__ import annotations

import gc

from dslgen.spec.source_map import MAX_DEPTH, load_yaml


def test_a_merge_key_with_overrides_is_not_a_duplicate_and_keeps_positions():
    text = "base: &b\n  x: 1\n  y: 2\nitem:\n  <<: *b\n  y: 3\n"
    data, smap, diags = load_yaml(text, "f.yaml")
    assert diags == [] and data["item"] == {"x": 1, "y": 3}
    assert (smap.span(("item", "y")).line, smap.span(("item", "x")).line) == (6, 2)


def test_a_list_of_merges_takes_earlier_mappings_first():
    text = "a: &a {k: 1}\nb: &b {k: 2, m: 2}\nc:\n  <<: [*a, *b]\n"
    data, smap, diags = load_yaml(text, "f.yaml")
    assert data["c"] == {"k": 1, "m": 2} and smap.span(("c", "k")).line == 1 and diags == []


def test_a_duplicate_key_is_reported_once_even_when_an_alias_repeats_it():
    text = "a: &a\n  k: 1\n  k: 2\nb: *a\nc: *a\n"
    _, _, diags = load_yaml(text, "f.yaml")
    assert [(d.code, d.span.line) for d in diags] == [("DSL002", 3)]


def test_a_swallowed_comment_is_warned_once_for_an_aliased_value():
    text = "a: &a order #W1\nb: *a\n"
    _, _, diags = load_yaml(text, "f.yaml")
    assert [(d.code, d.severity) for d in diags] == [("DSL004", "warning")]


def test_positions_count_lines_as_yaml_does():
    text = 'a: "x\u2028y"\nb: 1\nc: 2\r\nd: 3\n'
    _, smap, _ = load_yaml(text, "f.yaml")
    assert smap.span(("d",)).line == 5 and smap.span(("d",)).source == "d: 3"


def test_dates_stay_text_and_non_json_types_are_refused():
    data, _, diags = load_yaml("when: 2024-05-01\n", "f.yaml")
    assert data == {"when": "2024-05-01"} and diags == []
    _, _, diags = load_yaml("s: !!set {a, b}\nb: !!binary aGk=\n", "f.yaml")
    assert [(d.code, d.span.line) for d in diags] == [("DSL001", 1), ("DSL001", 2)]


def test_a_control_character_is_refused_at_its_position():
    _, _, diags = load_yaml("a: 1\nb: x\x07y\n", "f.yaml")
    assert [(d.code, d.span.line, d.span.col) for d in diags] == [("DSL001", 2, 5)]


def test_nesting_within_the_limit_loads_and_beyond_it_is_refused():
    ok = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    assert load_yaml(ok, "f.yaml")[2] == []
    deep = "a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n"
    assert [d.code for d in load_yaml(deep, "f.yaml")[2]] == ["DSL006"]


def test_an_alias_reaching_too_deep_through_sharing_is_refused():
    inner = "[" * 60 + "]" * 60
    text = f"a: &a {inner}\nb: " + "[" * 50 + "*a" + "]" * 50 + "\n"
    assert [d.code for d in load_yaml(text, "f.yaml")[2]] == ["DSL006"]


def test_loading_leaves_the_garbage_collector_as_it_found_it():
    assert gc.isenabled()
    load_yaml("a: 1\n", "f.yaml")
    load_yaml("a: [\n", "f.yaml")
    assert gc.isenabled()
