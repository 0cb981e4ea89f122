"""Fuzzing `dslgen check` with broken and hostile copies of the retail spec and domain.

Each case copies the retail project into tmp_path, applies one mutation drawn with a fixed
seed (deleted keys, wrong types, bad SQL, bad encodings, hostile YAML, symbolic links,
missing files, bad seeds), and checks that `check` reports at least one error, each at a
file:line:col, with no exception escaping and no line of a file outside the project shown.
"""
from __future__ import annotations

import json
import os
import random
import re
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from dslgen import api
from dslgen.errors import SpecError

ROOT = Path(__file__).resolve().parents[2]
SEED = 20261130
SECRET = "OUTSIDE-SECRET-LINE"

SPEC, TOOLS, TASKS = "specs/retail.yaml", "domains/retail/tools.yaml", "domains/retail/tasks.yaml"
POLICY, SCHEMA, SEEDS = "domains/retail/policy.md", "domains/retail/schema.sql", "domains/retail/seed"
TEXT_FILES = (SPEC, TOOLS, TASKS, POLICY, SCHEMA)
YAML_FILES = (SPEC, TOOLS, TASKS)

# fields of type str (a list or a mapping there is always wrong), and fields a file must have
STR_FIELDS = {
    SPEC: [("name",), ("domain",), ("description",), ("user_simulator", "rules", "*"),
           ("user_simulator", "personas", "*", "name"), ("user_simulator", "personas", "*", "description")],
    TOOLS: [("tools", "*", "name"), ("tools", "*", "description"), ("tools", "*", "let", "*"),
            ("tools", "*", "guards", "*", "error"), ("tools", "*", "writes", "*"),
            ("tools", "*", "parameters", "*", "type")],
    TASKS: [("tasks", "*", "id"), ("tasks", "*", "goal"), ("tasks", "*", "persona"),
            ("tasks", "*", "rubric", "expected_calls", "*", "tool"), ("tasks", "*", "rubric", "final_state", "*", "sql")],
}
INT_FIELDS = {SPEC: [("seed",), ("dslgen",), ("pipeline", 0, "dialogues"), ("pipeline", 0, "max_turns")]}
REQUIRED = {
    SPEC: [("name",), ("domain",), ("pipeline",), ("dslgen",)],
    TOOLS: [("tools", "*", "name"), ("tools", "*", "description"), ("tools", "*", "parameters", "*", "type"),
            ("tools", "*", "guards", "*", "error")],
    TASKS: [("tasks", "*", "id"), ("tasks", "*", "goal"), ("tasks", "*", "rubric", "expected_calls", "*", "tool")],
}
SQL_KEYS = ("sql", "require", "reject", "row", "rows", "value", "map")


# -- the project and small file helpers ------------------------------------------------------

@pytest.fixture(scope="session")
def retail_base(tmp_path_factory) -> Path:
    """One copy of the retail project; cases hard-link its seed files (never written in place)."""
    base = tmp_path_factory.mktemp("retail-base")
    shutil.copytree(ROOT / "specs", base / "specs", ignore=shutil.ignore_patterns("*.json"))
    shutil.copytree(ROOT / "domains" / "retail", base / "domains" / "retail")
    (base / "dslgen.toml").touch()
    return base


@pytest.fixture(scope="session")
def outside(tmp_path_factory) -> Path:
    """A folder outside every project, holding a file no diagnostic may show."""
    folder = tmp_path_factory.mktemp("outside")
    (folder / "secret.txt").write_text(f"{SECRET}\ntools: [{SECRET}\n")
    shutil.copytree(ROOT / "domains" / "retail", folder / "retail")
    return folder


def replace(path: Path, data: bytes | str) -> None:
    """Write a new file in place of `path` (a hard link to the base is never written through)."""
    if path.is_symlink() or path.exists():
        path.unlink()
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


def load(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def dump(path: Path, data: Any) -> None:
    replace(path, yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True))


def matches(data: Any, pattern: tuple, prefix: tuple = ()) -> list[tuple]:
    """Concrete paths in `data` matching `pattern` ('*' = any key or index)."""
    if not pattern:
        return [prefix]
    head, rest = pattern[0], pattern[1:]
    if isinstance(data, dict):
        keys = list(data) if head == "*" else [head] if head in data else []
    elif isinstance(data, list):
        keys = list(range(len(data))) if head == "*" else [head] if isinstance(head, int) and head < len(data) else []
    else:
        keys = []
    return [p for k in keys for p in matches(data[k], rest, prefix + (k,))]


def parent_of(data: Any, path: tuple) -> Any:
    for k in path[:-1]:
        data = data[k]
    return data


def sql_paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Paths of every SQL text in tools.yaml (statements, let values, writes, documents)."""
    out = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for k, v in items:
        here = prefix + (k,)
        is_sql = k in SQL_KEYS or (len(prefix) >= 1 and prefix[-1] in ("let", "writes"))
        if isinstance(v, str) and is_sql and re.match(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", v, re.I):
            out.append(here)
        else:
            out += sql_paths(v, here)
    return out


# -- mutation families: each returns (description, apply(project_dir, outside_dir)) ---------------

Mutation = tuple[str, Callable[[Path, Path], None]]


def deleted_key(rng: random.Random, base: Path) -> Mutation:
    file = rng.choice(YAML_FILES)
    path = rng.choice([p for pattern in REQUIRED[file] for p in matches(load(base / file), pattern)])

    def apply(project: Path, _outside: Path) -> None:
        data = load(project / file)
        del parent_of(data, path)[path[-1]]
        dump(project / file, data)
    return f"delete {file}:{'.'.join(map(str, path))}", apply


def wrong_type(rng: random.Random, base: Path) -> Mutation:
    file = rng.choice(YAML_FILES)
    fields = {p: "str" for pattern in STR_FIELDS[file] for p in matches(load(base / file), pattern)}
    fields |= {p: "int" for pattern in INT_FIELDS.get(file, []) for p in matches(load(base / file), pattern)}
    path = rng.choice(sorted(fields, key=str))
    value = rng.choice([["a", "list"], {"a": "mapping"}]) if fields[path] == "str" else rng.choice(["many", 1.5, [1]])

    def apply(project: Path, _outside: Path) -> None:
        data = load(project / file)
        parent_of(data, path)[path[-1]] = value
        dump(project / file, data)
    return f"{file}:{'.'.join(map(str, path))} = {value!r}", apply


def _sql_edits(text: str) -> list[tuple[str, str]]:
    """(what, new text) for each edit that surely breaks this statement."""
    edits = [("two statements", text.rstrip().rstrip(";") + "; DELETE FROM users"),
             ("keyword typo", re.sub(r"\b(SELECT|INSERT|UPDATE|DELETE)\b", r"\1X", text, count=1))]
    table = re.search(r"\b(FROM|JOIN|UPDATE|INTO)\s+([a-z_]+)", text)
    if table:
        edits.append(("unknown table", text[:table.end(2)] + "_nope" + text[table.end(2):]))
    param = re.search(r"(?<![:\w'])(:[a-z_]+)\b", text)
    if param:
        edits.append(("undeclared parameter", text[:param.end(1)] + "_nope" + text[param.end(1):]))
    column = re.search(r"\bSELECT\s+([a-z_]+)\s*(,|\bFROM\b)", text)
    if column:
        edits.append(("unknown column", text[:column.end(1)] + "_nope" + text[column.end(1):]))
    return edits


def bad_sql(rng: random.Random, base: Path) -> Mutation:
    if rng.random() < 0.15:
        edit = rng.choice([("CREATE TABLE", "CREATE TABEL"), ("PRIMARY KEY", "PRIMARY KYE"), ("CREATE TABLE users (", "CREATE TABLE users ((")])

        def apply_schema(project: Path, _outside: Path) -> None:
            replace(project / SCHEMA, (project / SCHEMA).read_text().replace(*edit, 1))
        return f"schema.sql: {edit[0]!r} -> {edit[1]!r}", apply_schema
    path = rng.choice(sql_paths(load(base / TOOLS)))
    what, new = rng.choice(_sql_edits(parent_of(load(base / TOOLS), path)[path[-1]]))

    def apply(project: Path, _outside: Path) -> None:
        data = load(project / TOOLS)
        parent_of(data, path)[path[-1]] = new
        dump(project / TOOLS, data)
    return f"tools.yaml:{'.'.join(map(str, path))}: {what}", apply


def bad_encoding(rng: random.Random, base: Path) -> Mutation:
    file = rng.choice(TEXT_FILES)
    kind = rng.choice(["invalid byte", "lone continuation byte", "NUL byte", "UTF-16"])
    lines = (base / file).read_bytes().split(b"\n")
    at = rng.randrange(len(lines))

    def apply(project: Path, _outside: Path) -> None:
        raw = (project / file).read_bytes()
        if kind == "UTF-16":
            replace(project / file, raw.decode("utf-8").encode("utf-16"))
            return
        bad = {"invalid byte": b"\xff", "lone continuation byte": b"\x80", "NUL byte": b"\x00"}[kind]
        parts = raw.split(b"\n")
        parts[at] = bad + parts[at]
        replace(project / file, b"\n".join(parts))
    return f"{file}: {kind} at line {at + 1}", apply


HOSTILE_YAML = {
    "alias bomb": "\n".join(['b0: &b0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
                            + [f"b{i}: &b{i} [{', '.join([f'*b{i - 1}'] * 9)}]" for i in range(1, 9)]) + "\n",
    "recursive alias": "loop: &loop [1, *loop]\n",
    "recursive merge": "loop: &loop\n  <<: *loop\n",
    "deep nesting": "deep: " + "[" * 300 + "]" * 300 + "\n",
    "deep block nesting": "".join("  " * i + f"k{i}:\n" for i in range(150)) + "  " * 150 + "leaf\n",
    "unclosed flow": "broken: [1, 2\n",
    "python tag": "evil: !!python/object/apply:os.system ['id']\n",
    "unknown tag": "odd: !custom value\n",
    "merge of a scalar": "merged:\n  <<: 3\n",
    "complex key": "? [a, b]\n: c\n",
    "control character": "bell: \"ring\x07\"\n",
    "NUL escape": "nul: \"a\\0b\"\n",
    "second document": "---\nanother: document\n",
    "binary value": "blob: !!binary aGVsbG8=\n",
    "set value": "set: !!set {a, b}\n",
}


def hostile_yaml(rng: random.Random, base: Path) -> Mutation:
    file = rng.choice(YAML_FILES)
    kind = rng.choice(sorted(HOSTILE_YAML) + ["duplicate key", "tab indentation", "not a mapping"])

    def apply(project: Path, _outside: Path) -> None:
        text = (project / file).read_text()
        if kind == "duplicate key":
            first = next(line for line in text.splitlines() if re.match(r"[a-z_]+:", line))
            text = text + first.split(":")[0] + ": again\n"
        elif kind == "tab indentation":
            keyed = [m for m in re.finditer(r"^( +)([a-z_]+):", text, re.M)]
            m = keyed[len(keyed) // 2]
            text = text[:m.start(1)] + "\t" + text[m.end(1):]
        elif kind == "not a mapping":
            text = "- just\n- a list\n"
        else:
            text = text + HOSTILE_YAML[kind]
        replace(project / file, text)
    return f"{file}: {kind}", apply


def symlink(rng: random.Random, base: Path) -> Mutation:
    kind = rng.choice(["domain file to outside", "seed file to outside", "domain folder to outside",
                       "self loop", "dangling", "template traversal", "template to outside", "hidden template",
                       "root above the project"])
    file = rng.choice([POLICY, SCHEMA, TOOLS, TASKS])
    seed_file = rng.choice(sorted(p.name for p in (base / SEEDS).iterdir()))

    def apply(project: Path, elsewhere: Path) -> None:
        spec = load(project / SPEC)
        if kind == "domain file to outside":
            (project / file).unlink()
            (project / file).symlink_to(elsewhere / "secret.txt")
        elif kind == "seed file to outside":
            (project / SEEDS / seed_file).unlink()
            (project / SEEDS / seed_file).symlink_to(elsewhere / "retail" / "seed" / seed_file)
        elif kind == "domain folder to outside":
            shutil.rmtree(project / "domains" / "retail")
            (project / "domains" / "retail").symlink_to(elsewhere / "retail", target_is_directory=True)
        elif kind == "self loop":
            (project / file).unlink()
            (project / file).symlink_to(project / file)
        elif kind == "dangling":
            (project / file).unlink()
            (project / file).symlink_to(project / "domains" / "retail" / "nowhere.txt")
        elif kind == "template traversal":
            dump(project / SPEC, spec | {"templates": {"judge": "../" * 12 + "etc/hostname"}})
        elif kind == "template to outside":
            (project / "specs" / "judge.j2").symlink_to(elsewhere / "secret.txt")
            dump(project / SPEC, spec | {"templates": {"judge": "judge.j2"}})
        elif kind == "hidden template":
            (project / ".env").write_text("KEY=value\n")
            dump(project / SPEC, spec | {"templates": {"judge": "../.env"}})
        else:
            dump(project / SPEC, spec | {"root": "../.."})
    return f"symlink: {kind} ({file}, {seed_file})", apply


def missing_file(rng: random.Random, base: Path) -> Mutation:
    file = rng.choice([POLICY, SCHEMA, TOOLS, TASKS, "domains/retail"])

    def apply(project: Path, _outside: Path) -> None:
        target = project / file
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    return f"missing {file}", apply


def bad_seed(rng: random.Random, base: Path) -> Mutation:
    """Seed data that does not fit schema.sql (reported by the SQL checks of `check`)."""
    kind = rng.choice(["line not JSON", "unknown column", "wrong type", "file for no table", "binary garbage",
                       "NOT NULL missing"])
    table = rng.choice(["users", "orders", "products"])

    def apply(project: Path, _outside: Path) -> None:
        path = project / SEEDS / f"{table}.jsonl"
        lines = path.read_text().splitlines()
        row = json.loads(lines[0])
        if kind == "line not JSON":
            lines[1] = "{not json"
        elif kind == "unknown column":
            lines[1] = json.dumps(row | {"no_such_column": 1})
        elif kind == "wrong type":
            lines[1] = json.dumps(row | {"position": "first"} if "position" in row else row | {k: [1] for k in row})
        elif kind == "NOT NULL missing":
            lines[1] = json.dumps({k: None for k in row})
        elif kind == "file for no table":
            replace(project / SEEDS / "no_such_table.jsonl", lines[0] + "\n")
            return
        else:
            replace(path, b"\x89PNG\r\n\x1a\n" + os.urandom(64))
            return
        replace(path, "\n".join(lines) + "\n")
    return f"seed {table}: {kind}", apply


FAMILIES = {deleted_key: 20, wrong_type: 20, bad_sql: 20, bad_encoding: 14, hostile_yaml: 24, symlink: 14,
            missing_file: 5, bad_seed: 12}


_CASES: dict[Path, list[Mutation]] = {}


def cases(base: Path) -> list[Mutation]:
    if base not in _CASES:
        rng = random.Random(SEED)
        _CASES[base] = [family(rng, base) for family, n in FAMILIES.items() for _ in range(n)]
    return _CASES[base]


# -- the test ---------------------------------------------------------------------------------------

def project_copy(base: Path, tmp: Path) -> Path:
    shutil.copytree(base, tmp, dirs_exist_ok=True, copy_function=_link_seeds)
    return tmp / SPEC


def _link_seeds(src: str, dst: str) -> None:
    (os.link if f"{os.sep}seed{os.sep}" in src else shutil.copy2)(src, dst)


def check_is_a_diagnostic(spec: Path, what: str) -> None:
    try:
        diagnostics = api.check_spec(spec)
    except Exception as exc:  # noqa: BLE001 -- the point: nothing may escape
        pytest.fail(f"{what}: check raised {type(exc).__name__}: {exc}")
    errors = [d for d in diagnostics if d.severity == "error"]
    shown = SpecError(diagnostics).render()
    assert errors, f"{what}: check found nothing\n{shown}"
    for d in errors:
        assert d.span is not None and d.span.file and d.span.line >= 1 and d.span.col >= 1, f"{what}: {d}"
    assert SECRET not in shown, f"{what}: a line of a file outside the project was shown"


def test_there_are_over_a_hundred_mutations(retail_base):
    assert len(cases(retail_base)) >= 100


def test_every_mutation_of_the_retail_project_is_a_positioned_diagnostic(retail_base, outside, tmp_path):
    failures = []
    for n, (what, apply) in enumerate(cases(retail_base)):
        spec = project_copy(retail_base, tmp_path / f"case{n}")
        apply(tmp_path / f"case{n}", outside)
        try:
            check_is_a_diagnostic(spec, f"#{n} {what}")
        except (AssertionError, pytest.fail.Exception) as exc:
            failures.append(str(exc).splitlines()[0])
    assert not failures, "\n".join(failures)
