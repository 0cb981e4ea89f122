"""Seed rows from nested JSON documents through seed/mapping.yaml: the τ-bench retail
documents give the retail seed's exact state; mistakes are diagnostics at their line."""
import json
import shutil
from pathlib import Path

import pytest

from dslgen import api
from dslgen.errors import RunError
from dslgen.sql import Database, parse_schema
from dslgen.sql.seed import parse_seed, read_seed

ROOT = Path(__file__).resolve().parents[2]
TAU = ROOT / "tests" / "data" / "tau-bench-retail"
RETAIL = ROOT / "domains" / "retail"


def test_tau_bench_documents_load_into_the_retail_seed_state(tmp_path):
    (tmp_path / "seed").mkdir()
    for name in ("mapping.yaml", "users.json", "orders.json", "products.json"):
        shutil.copy(TAU / name, tmp_path / "seed" / name)
    shutil.copy(RETAIL / "schema.sql", tmp_path / "schema.sql")
    mapped = Database.from_domain(tmp_path)
    converted = Database.from_domain(RETAIL)
    with mapped.fork() as s:
        counts = {t: len(rows) for t, rows in s.dump().items()}
    assert counts["users"] == 500 and counts["orders"] == 1000 and counts["variant_options"] > 0
    assert mapped.digest() == converted.digest()


SCHEMA = parse_schema("""
CREATE TABLE teams (team_id TEXT PRIMARY KEY, name TEXT NOT NULL, city TEXT, league TEXT);
CREATE TABLE players (player_id TEXT PRIMARY KEY, team_id TEXT NOT NULL, position INTEGER NOT NULL,
                      name TEXT NOT NULL, number INTEGER, team_city TEXT);
CREATE TABLE nicknames (player_id TEXT NOT NULL, position INTEGER NOT NULL, nickname TEXT NOT NULL,
                        PRIMARY KEY (player_id, position));
""")

DOCUMENT = {
    "t1": {"name": "Lions", "home": {"city": "Leeds"},
           "players": [{"id": "p1", "name": "Ann", "number": 9, "nicknames": ["Annie", "A"]},
                       {"id": "p2", "name": "Bo", "nicknames": []}]},
    "t2": {"name": "Owls", "home": {"city": "York"}, "players": []},
}

MAPPING = """\
documents:
  teams: teams.json
tables:
  teams:
    from: teams/{team}
    columns:
      team_id: {key: team}
      name:
      city: home/city
      league: {value: north}
  players:
    from: teams/{team}/players/{n}
    columns:
      player_id: id
      team_id: {key: team}
      position: {index: n}
      name:
      number:
      team_city: {path: home/city, of: team}
  nicknames:
    from: teams/{team}/players/{n}/nicknames/{k}
    columns:
      player_id: {path: id, of: n}
      position: {index: k}
      nickname: .
"""


def _seed(tmp_path, mapping: str, document=DOCUMENT) -> Path:
    (tmp_path / "teams.json").write_text(json.dumps(document))
    (tmp_path / "mapping.yaml").write_text(mapping)
    return tmp_path


def test_objects_in_objects_lists_in_objects_and_constants(tmp_path):
    rows = read_seed(_seed(tmp_path, MAPPING), SCHEMA)
    assert rows["teams"] == [("t1", "Lions", "Leeds", "north"), ("t2", "Owls", "York", "north")]
    assert rows["players"] == [("p1", "t1", 0, "Ann", 9, "Leeds"), ("p2", "t1", 1, "Bo", None, "Leeds")]
    assert rows["nicknames"] == [("p1", 0, "Annie"), ("p1", 1, "A")]


def _problems(old: str, new: str, document=DOCUMENT, mapping: str = MAPPING):
    assert old in mapping
    files = {"teams.json": json.dumps(document), "mapping.yaml": mapping.replace(old, new)}
    return [(p.code, p.line, p.message) for p in parse_seed(files, SCHEMA).problems if p.file == "mapping.yaml"]


def test_unknown_table_and_column_at_their_line(tmp_path):
    found = _problems("  nicknames:\n", "  nicknamez:\n")
    assert found == [("DSL431", 20, "unknown table 'nicknamez'")]
    found = _problems("      number:\n", "      numbr:\n")
    assert found == [("DSL432", 18, "table 'players' has no column 'numbr'")]


def test_a_path_that_selects_nothing(tmp_path):
    found = _problems("city: home/city", "city: home/town")
    assert found == [("DSL433", 9, "column 'city': the path selects nothing in any of 2 element(s) of 'teams/{team}'")]
    found = _problems("from: teams/{team}/players/{n}\n", "from: teams/{team}/player/{n}\n")
    assert [f[:2] for f in found] == [("DSL433", 12)]


def test_unknown_step_document_and_a_whole_object_as_value(tmp_path):
    found = _problems("team_id: {key: team}\n      position", "team_id: {key: club}\n      position")
    assert [f[:2] for f in found] == [("DSL434", 15)] and "'club' is not a step" in found[0][2]
    found = _problems("from: teams/{team}\n", "from: team/{team}\n")
    assert [f[:2] for f in found] == [("DSL434", 5)] and "did you mean 'teams'" not in found[0][2]
    found = _problems("city: home/city", "city: home")
    assert [f[:2] for f in found] == [("DSL435", 9)] and "dict at teams/t1" in found[0][2]


def test_missing_not_null_and_conflicting_sources(tmp_path):
    found = _problems("      name:\n      number:", "      number:")
    assert [f[:2] for f in found] == [("DSL436", 11)] and "NOT NULL column 'name'" in found[0][2]
    twice = MAPPING.replace("  players:\n    from: teams/{team}/players/{n}\n    columns:\n      player_id: id\n",
                            "  players:\n  - from: teams/{team}/players/{n}\n    columns: {player_id: id, name: {value: X}}\n"
                            "  - from: teams/{team}/players/{n}\n    columns:\n      player_id: id\n")
    assert twice != MAPPING
    found = _problems("documents", "documents", mapping=twice)
    assert [f[0] for f in found] == ["DSL435"] and "'name' is 'X'" in found[0][2]


def test_mapped_values_are_checked_like_a_seed_file():
    found = _problems("      number:\n", "      number: name\n")
    assert found == [("DSL421", 11, "column 'number' (INT): expected integer, got string \"Ann\" (and 1 more rows)")]
    files = {"teams.json": json.dumps(DOCUMENT), "mapping.yaml": MAPPING, "nicknames.jsonl": ""}
    problems = parse_seed(files, SCHEMA).problems
    assert [(p.code, p.file) for p in problems] == [("DSL423", "nicknames.jsonl")]
    assert "filled by mapping.yaml" in problems[0].message


def test_a_bad_mapping_stops_the_seed_from_loading(tmp_path):
    with pytest.raises(RunError, match=r"mapping.yaml:6:5: unknown field 'colums'"):
        read_seed(_seed(tmp_path, MAPPING.replace("    columns:\n      team_id", "    colums:\n      team_id")),
                  SCHEMA)


def test_check_shows_a_mapping_mistake_at_its_line(tmp_path):
    shutil.copytree(ROOT / "domains" / "league", tmp_path / "league")
    mapping = tmp_path / "league" / "seed" / "mapping.yaml"
    text = mapping.read_text()
    line = text[: text.index("      budget_eur:")].count("\n") + 1
    mapping.write_text(text.replace("      budget_eur:", "      budget_euro:"))
    spec = tmp_path / "league.yaml"
    spec.write_text((ROOT / "specs" / "league.yaml").read_text().replace("../domains/league", "league"))
    found = [d for d in api.check_spec(spec) if d.code == "DSL432"]
    assert len(found) == 1 and found[0].span.line == line and found[0].span.file.endswith("seed/mapping.yaml")
    assert found[0].message == "table 'clubs' has no column 'budget_euro'" and found[0].hint == \
        "did you mean 'budget_eur'?"


def test_a_mapping_that_is_not_a_mapping_is_one_error_and_its_documents_no_noise():
    files = {"teams.json": json.dumps(DOCUMENT), "mapping.yaml": "- teams\n"}
    problems = parse_seed(files, SCHEMA).problems
    assert [(p.code, p.file, p.line, p.message) for p in problems] == [
        ("DSL430", "mapping.yaml", 1, "mapping.yaml holds a mapping with documents: and tables:")]


def test_a_json_lines_document_splits_on_newlines_only():
    """A JSON string may hold U+2028 or U+0085 unescaped; str.splitlines() would cut there."""
    lines = [{"team_id": "t1", "name": "Lions\u2028North"}, {"team_id": "t2", "name": "Owls\x85"}]
    mapping = "documents:\n  teams: teams.jsonl\ntables:\n  teams:\n    from: teams/{n}\n" \
              "    columns:\n      team_id:\n      name:\n"
    files = {"teams.jsonl": "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "mapping.yaml": mapping}
    parsed = parse_seed(files, SCHEMA)
    assert parsed.problems == [] and [r[:2] for r in parsed.rows["teams"]] == [("t1", "Lions\u2028North"),
                                                                                ("t2", "Owls\x85")]
