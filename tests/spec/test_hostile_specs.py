"""A spec from a pull request cannot touch the reviewer's machine: the attacks of issue 10
that live on the spec side, each refused by `dslgen check` with a positioned diagnostic."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from jinja2.exceptions import SecurityError

from dslgen import api
from dslgen.backends import clear_backends
from dslgen.backends.openai_compat import server_urls
from dslgen.cli import main
from dslgen.errors import BackendError, RunError, SpecError
from dslgen.templating import expand, render

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "examples" / "minimal"
SCRIPTED = ROOT / "tests" / "fixtures" / "scripted" / "spec.yaml"
PAYLOAD = "{{ cycler.__init__.__globals__.os.popen('id').read() }}"


def project(tmp_path: Path, **spec_changes) -> Path:
    """A copy of examples/minimal in tmp_path (its own project root); returns the spec path."""
    shutil.copytree(MINIMAL, tmp_path, dirs_exist_ok=True)
    spec = tmp_path / "spec.yaml"
    if spec_changes:
        data = yaml.safe_load(spec.read_text()) | spec_changes
        spec.write_text(yaml.safe_dump(data, sort_keys=False))
    return spec


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def codes(spec: Path) -> list[str]:
    return [d.code for d in api.check_spec(spec) if d.severity == "error"]


def shown(spec: Path) -> str:
    return SpecError(api.check_spec(spec)).render()


def outside_file(tmp_path_factory, text: str) -> Path:
    path = tmp_path_factory.mktemp("elsewhere") / "secret.txt"
    path.write_text(text)
    return path


# -- a template runs code ---------------------------------------------------------------

def test_a_template_reaching_python_is_a_diagnostic_at_its_position(tmp_path):
    spec = project(tmp_path, templates={"agent_system": "agent.j2"})
    (tmp_path / "agent.j2").write_text("You help with {{ domain }}.\nInfo: " + PAYLOAD + "\n")
    diagnostics = api.check_spec(spec)
    assert [(d.code, Path(d.span.file).name, d.span.line, d.span.col) for d in diagnostics] == [
        ("DSL503", "agent.j2", 2, 17)]
    assert "__init__" in diagnostics[0].message


@pytest.mark.parametrize("text", ["{{ tools.__class__ }}", "{{ tools['__class__'] }}", "{{ tools|attr('_x') }}",
                                  "{{ tools.append(1) }}", "{% include 'other.j2' %}", "{{ domain.mro() }}"])
def test_every_kind_of_unsafe_template_is_refused(tmp_path, text):
    spec = project(tmp_path, templates={"agent_system": "agent.j2"})
    (tmp_path / "agent.j2").write_text(text)
    assert codes(spec) == ["DSL503"]


def test_the_payload_does_not_run_when_rendered():
    with pytest.raises(RunError, match="unsafe"):
        render(PAYLOAD)


def test_template_output_and_repetition_are_capped():
    with pytest.raises(RunError, match="more than 1,000,000 characters"):
        render("{% for i in range(100000) %}{{ 'x' * 100 }}{% endfor %}")
    with pytest.raises(SecurityError):  # refused before the string is built
        expand("{{ 'x' * 10**9 }}")
    with pytest.raises(SecurityError):
        expand(PAYLOAD)


def test_a_template_failing_during_a_run_is_one_line_exit_3(tmp_path):
    data = yaml.safe_load(SCRIPTED.read_text())
    shutil.copytree(MINIMAL / "domain", tmp_path / "domain")
    data.update(domain="domain", templates={"agent_system": "agent.j2"})
    (tmp_path / "agent.j2").write_text("Tools: {{ tools[99].name }}\n")  # passes check; no 100th tool
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(data))
    assert api.check_spec(tmp_path / "spec.yaml") == []
    clear_backends()
    result = CliRunner().invoke(main, ["run", str(tmp_path / "spec.yaml"), "--out", str(tmp_path / "out"),
                                       "--no-progress"])
    assert result.exit_code == 3, result.output
    assert "a prompt template failed" in result.output and "Traceback" not in result.output


# -- files outside the project ----------------------------------------------------------

def test_a_template_outside_the_project_is_refused_and_not_read(tmp_path):
    spec = project(tmp_path, templates={"agent_system": "../../../../../../../../../etc/passwd"})
    diagnostics = api.check_spec(spec)
    assert [(d.code, d.span.file, d.span.line) for d in diagnostics] == [
        ("DSL114", str(spec), line_of(spec, "agent_system"))]
    assert "root:" not in SpecError(diagnostics).render()


def test_a_policy_symlinked_elsewhere_is_refused(tmp_path, tmp_path_factory):
    spec = project(tmp_path)
    target = outside_file(tmp_path_factory, "SECRET POLICY LINE\n")
    (tmp_path / "domain" / "policy.md").unlink()
    (tmp_path / "domain" / "policy.md").symlink_to(target)
    assert codes(spec) == ["DSL114"]
    assert "a link to" in shown(spec)


def test_diagnostics_never_print_lines_of_a_file_outside_the_project(tmp_path, tmp_path_factory):
    spec = project(tmp_path)
    target = outside_file(tmp_path_factory, "tools: [SECRET-LINE-1\nSECRET-LINE-2: {\n")  # broken YAML
    (tmp_path / "domain" / "tools.yaml").unlink()
    (tmp_path / "domain" / "tools.yaml").symlink_to(target)
    assert codes(spec) == ["DSL114"]
    assert "SECRET" not in shown(spec)


def test_a_seed_file_symlinked_elsewhere_is_refused(tmp_path, tmp_path_factory):
    spec = project(tmp_path)
    (tmp_path / "domain" / "seed" / "members.jsonl").unlink()
    (tmp_path / "domain" / "seed" / "members.jsonl").symlink_to(outside_file(tmp_path_factory, "{}\n"))
    assert codes(spec) == ["DSL114"]


def test_task_templates_and_imported_tasks_outside_the_project_are_refused(tmp_path, tmp_path_factory):
    secret = outside_file(tmp_path_factory, "tasks: [OUTSIDE-SECRET-LINE\n")
    spec = project(tmp_path)
    (tmp_path / "domain" / "task_templates.yaml").symlink_to(secret)
    data = yaml.safe_load(spec.read_text())
    data["pipeline"].insert(0, {"stage": "generate_tasks", "source": ["hand_written", "imported"],
                                "imported": [str(secret), "../" * 20 + "etc/passwd"]})
    spec.write_text(yaml.safe_dump(data, sort_keys=False))
    found = api.check_spec(spec)
    assert [d.code for d in found] == ["DSL114"] * 3
    assert "OUTSIDE-SECRET-LINE" not in SpecError(found).render()


def test_a_domain_outside_the_project_is_refused(tmp_path):
    spec = project(tmp_path, domain=str(MINIMAL / "domain"))  # an absolute path elsewhere
    assert codes(spec) == ["DSL114"]


def test_hidden_files_are_never_read(tmp_path):
    spec = project(tmp_path, templates={"agent_system": ".env"})
    (tmp_path / ".env").write_text("API_KEY=hunter2\n")
    assert codes(spec) == ["DSL115"]


def test_the_project_root_is_the_nearest_folder_with_a_marker(tmp_path):
    (tmp_path / "dslgen.toml").touch()
    (tmp_path / "specs").mkdir()
    spec = project(tmp_path / "specs", domain="../domain")
    shutil.move(str(tmp_path / "specs" / "domain"), str(tmp_path / "domain"))
    assert codes(spec) == []
    narrowed = yaml.safe_load(spec.read_text()) | {"root": "."}
    spec.write_text(yaml.safe_dump(narrowed))
    assert codes(spec) == ["DSL114"]  # root: narrows the project to specs/


def test_root_cannot_widen_the_project(tmp_path):
    spec = project(tmp_path / "p", root="..")
    assert codes(spec) == ["DSL116"]
    spec = project(tmp_path / "q", root="domain")  # not a folder above the spec
    assert codes(spec) == ["DSL116"]


# -- secrets ----------------------------------------------------------------------------

def test_env_values_are_redacted_in_the_compiled_plan(tmp_path, monkeypatch):
    monkeypatch.setenv("DSLGEN_TEST_HOST", "secret-host-4711")
    monkeypatch.setenv("DSLGEN_TEST_MODEL", "secret-model-0815")
    spec = project(tmp_path, models={"agent": {"backend": "openai", "base_url": "http://${DSLGEN_TEST_HOST}:8000/v1",
                                               "model": "${DSLGEN_TEST_MODEL}"}})
    result = CliRunner().invoke(main, ["compile", str(spec)])
    assert result.exit_code == 0, result.output
    assert "secret-host-4711" not in result.output and "secret-model-0815" not in result.output
    agent = json.loads(result.output)["models"]["agent"]
    assert agent["base_url"] == "http://***:8000/v1" and agent["model"] == "***"


def test_env_values_are_redacted_in_provenance(tmp_path, monkeypatch):
    monkeypatch.setenv("DSLGEN_TEST_USER_MODEL", "secret-user-model-31")
    data = yaml.safe_load(SCRIPTED.read_text())
    shutil.copytree(MINIMAL / "domain", tmp_path / "domain")
    data["domain"] = "domain"
    data["models"]["user"]["model"] = "${DSLGEN_TEST_USER_MODEL}"
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(data))
    clear_backends()
    api.run_spec(tmp_path / "spec.yaml", out=tmp_path / "out", progress=False)
    written = (tmp_path / "out" / "dialogues.jsonl").read_text()
    assert "secret-user-model-31" not in written
    assert json.loads(written.splitlines()[0])["provenance"]["models"]["user"]["model"] == "***"
    assert "secret-user-model-31" not in (tmp_path / "out" / "export.json").read_text()


def test_a_password_in_a_postgresql_url_is_not_printed_when_the_server_is_down(tmp_path, monkeypatch):
    monkeypatch.setenv("DSLGEN_TEST_PGPASS", "pg-secret-2718")
    data = yaml.safe_load(SCRIPTED.read_text())
    shutil.copytree(MINIMAL / "domain", tmp_path / "domain")
    data.update(domain="domain", database={"engine": "postgresql",
                                           "url": "postgresql://me:${DSLGEN_TEST_PGPASS}@127.0.0.1:9/db"})
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(data))
    clear_backends()
    result = CliRunner().invoke(main, ["run", str(tmp_path / "spec.yaml"), "--out", str(tmp_path / "out"),
                                       "--no-progress"])
    assert result.exit_code == 3, result.output
    assert "127.0.0.1:9" in result.output and "pg-secret-2718" not in result.output


# -- denial of service ------------------------------------------------------------------

def alias_bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text("dslgen: 1\nname: bomb\ndomain: domain\n" + alias_bomb() + "pipeline: [{stage: simulate}]\n")
    diagnostics = api.check_spec(spec)
    assert [(d.code, d.span.line) for d in diagnostics] == [("DSL005", 10)]


# -- check is complete: what run would crash on -----------------------------------------

def test_an_expected_call_argument_of_the_wrong_type_or_outside_the_enum(tmp_path):
    spec = project(tmp_path)
    tools = yaml.safe_load((tmp_path / "domain" / "tools.yaml").read_text())
    tools["tools"][0]["parameters"]["title"]["enum"] = ["Dune", "Emma"]
    (tmp_path / "domain" / "tools.yaml").write_text(yaml.safe_dump(tools, sort_keys=False))
    tasks = (tmp_path / "domain" / "tasks.yaml").read_text()
    tasks = tasks.replace("        - tool: find_book\n", "        - tool: find_book\n          arguments: {title: Ulysses}\n")
    tasks = tasks.replace("arguments: {member_id: m2}", "arguments: {member_id: 2}")
    (tmp_path / "domain" / "tasks.yaml").write_text(tasks)
    found = [(d.code, d.span.line, d.span.col) for d in api.check_spec(spec)]
    assert found == [("DSL308", 9, 30), ("DSL308", 23, 34)]


def test_a_parameter_pattern_that_is_not_a_regex(tmp_path):
    spec = project(tmp_path)
    path = tmp_path / "domain" / "tools.yaml"
    path.write_text(path.read_text().replace("title: {type: string, description: Part of the title.}",
                                             'title: {type: string, pattern: "^[A-Z(+"}'))
    found = [(d.code, d.span.line) for d in api.check_spec(spec)]
    assert found == [("DSL601", 5)]


@pytest.mark.parametrize("base_url", [None, "127.0.0.1:8000", "http://", "ftp://host/v1", "http://h:port/v1",
                                      "http://h /v1", "http://h/v1?x=1", [], ["http://h:1/v1", "ftp://h/v1"],
                                      ["http://h:1/v1", "http://h:1/v1/"]])
def test_an_openai_model_without_a_usable_base_url(tmp_path, base_url):
    agent = {"backend": "openai", "model": "m"} | ({"base_url": base_url} if base_url is not None else {})
    spec = project(tmp_path, models={"agent": agent})
    assert codes(spec) == ["DSL602"]
    with pytest.raises(BackendError):  # the backend refuses exactly what check refuses
        server_urls(base_url, "agent")


def test_a_list_of_servers_passes_check_and_reaches_the_backend(tmp_path):
    urls = ["http://127.0.0.1:8001/v1", "http://127.0.0.1:8002/v1/"]
    spec = project(tmp_path, models={"agent": {"backend": "openai", "model": "m", "base_url": urls}})
    assert codes(spec) == []
    assert server_urls(urls, "agent") == ["http://127.0.0.1:8001/v1", "http://127.0.0.1:8002/v1"]


@pytest.mark.parametrize("field,value", [("dialogues", 10**30), ("max_turns", 10**6), ("max_steps", 10**4)])
def test_numeric_limits_have_sane_upper_bounds(tmp_path, field, value):
    spec = project(tmp_path)
    data = yaml.safe_load(spec.read_text())
    data["pipeline"][0][field] = value
    spec.write_text(yaml.safe_dump(data))
    assert codes(spec) == ["DSL102"]


def test_a_spec_name_too_long_for_a_folder_name_is_refused(tmp_path):
    spec = project(tmp_path, name="a" * 300)  # out/<name> would fail at run: File name too long
    assert [d.code for d in api.check_spec(spec)] == ["DSL102"]


def test_invalid_utf8_is_a_diagnostic_at_the_byte(tmp_path):
    spec = project(tmp_path)
    (tmp_path / "domain" / "policy.md").write_bytes(b"Be kind.\nNever \xff lie.\n")
    found = [(d.code, Path(d.span.file).name, d.span.line, d.span.col) for d in api.check_spec(spec)]
    assert found == [("DSL008", "policy.md", 2, 7)]


def test_a_nul_byte_is_a_diagnostic(tmp_path):
    spec = project(tmp_path)
    spec.write_bytes(spec.read_bytes().replace(b"seed: 1", b"seed: 1\x00"))
    found = [(d.code, d.span.line) for d in api.check_spec(spec)]
    assert found == [("DSL008", 5)]


def test_a_recursive_alias_is_a_diagnostic(tmp_path):
    spec = project(tmp_path)
    spec.write_text(spec.read_text().replace("user_simulator:\n  rules:\n", "user_simulator:\n  rules: &r\n    - *r\n"))
    assert codes(spec) == ["DSL007"]


def test_deep_nesting_is_a_diagnostic(tmp_path):
    spec = project(tmp_path)
    spec.write_text(spec.read_text() + "description: " + "[" * 5000 + "]" * 5000 + "\n")
    assert codes(spec) == ["DSL006"]


def test_a_too_long_or_looping_path_is_a_diagnostic(tmp_path):
    spec = project(tmp_path, domain="d" * 5000)
    assert codes(spec) == ["DSL110"]
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    spec = project(tmp_path, domain="loop/domain")
    assert codes(spec) == ["DSL110"]


def test_a_fifo_or_device_is_refused_not_read(tmp_path):
    spec = project(tmp_path)
    (tmp_path / "domain" / "tools.yaml").unlink()
    os.mkfifo(tmp_path / "domain" / "tools.yaml")  # reading it would block check forever
    (tmp_path / "domain" / "policy.md").unlink()
    (tmp_path / "domain" / "policy.md").symlink_to(os.devnull)  # outside the root too
    run = subprocess.run([sys.executable, "-c", "from dslgen.cli import main; main()", "check", str(spec)],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "tools.yaml: not a regular file" in run.stderr and "policy.md" in run.stderr


def test_a_seed_that_is_a_file_not_a_folder_is_a_diagnostic(tmp_path):
    spec = project(tmp_path)
    shutil.rmtree(tmp_path / "domain" / "seed")
    (tmp_path / "domain" / "seed").write_text('{"book_id": "b1"}\n')
    assert [(d.code, d.message) for d in api.check_spec(spec)] == [("DSL112", "the domain's seed is not a folder")]


def test_json_nested_too_deeply_is_a_diagnostic_and_long_lines_are_cut(tmp_path):
    spec = project(tmp_path)
    books = tmp_path / "domain" / "seed" / "books.jsonl"
    with books.open("a") as f:  # json.loads raises RecursionError on this: it must not escape
        f.write('{"book_id": "b9", "title": ' + "[" * 100_000 + "]" * 100_000 + ', "author": "a"}\n')
    [found] = api.check_spec(spec)
    assert (found.code, found.span.line, found.message) == ("DSL420", 4, "not a JSON line: nested too deeply")
    shown = found.render().splitlines()[1]
    assert len(shown) < 310 and shown.endswith("…")  # not the 200 KB line


def test_a_seed_document_nested_too_deeply_is_a_diagnostic(tmp_path):
    shutil.copytree(ROOT / "domains" / "league", tmp_path / "league")
    spec = tmp_path / "league.yaml"
    spec.write_text((ROOT / "specs" / "league.yaml").read_text().replace("../domains/league", "league"))
    (tmp_path / "league" / "seed" / "clubs.json").write_text("[" * 100_000 + "]" * 100_000)
    found = [(d.code, d.message) for d in api.check_spec(spec)]
    assert ("DSL430", "'clubs.json' is nested too deeply to read") in found


def test_a_nul_character_in_a_path_is_a_diagnostic(tmp_path):
    spec = project(tmp_path)
    spec.write_text(spec.read_text().replace("domain: domain", 'domain: "dom\\0ain"'))
    assert codes(spec) == ["DSL009", "DSL110"]


def test_an_embedded_model_file_that_does_not_exist(tmp_path):
    spec = project(tmp_path, models={"agent": {"backend": "embedded", "model": "models/nowhere.gguf"}})
    assert codes(spec) == ["DSL605"]
