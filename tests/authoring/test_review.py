"""Review support: `check --format github` annotations at the right line, and `dslgen diff`
between two specs or against a git revision."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from dslgen.authoring.plan_diff import diff_plans, render_markdown
from dslgen.cli import main

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "examples" / "minimal"


def invoke(*args):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A copy of the minimal example as a git repository with one commit; cwd is its root."""
    shutil.copytree(MINIMAL, tmp_path / "repo")
    repo = tmp_path / "repo"
    monkeypatch.chdir(repo)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "start")
    return repo


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=repo, check=True)


def edit(path: Path, old: str, new: str) -> int:
    """Replace text once; the 1-based line where the new text starts."""
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return text[: text.index(old)].count("\n") + 1


def test_a_bad_edit_is_an_annotation_at_its_line(project):
    tools = project / "domain" / "tools.yaml"
    line = edit(tools, "SELECT book_id, title, author", "SELECT book_id, titel, author")
    col = tools.read_text().splitlines()[line - 1].index("titel") + 1
    result = invoke("check", "--format", "github", "spec.yaml")
    assert result.exit_code == 1
    assert (f"::error file=domain/tools.yaml,line={line},col={col},endColumn={col + 5},"
            "title=dslgen DSL401::DSL401: tools[0] find_book: unknown column 'titel'%0Ahint: did you mean 'title'?"
            ) in result.output.splitlines()


def test_spec_errors_and_warnings_are_annotated_too(project):
    spec_line = edit(project / "spec.yaml", "max_turns: 3", "max_turns: three")
    task_line = edit(project / "domain" / "tasks.yaml", "goal: You want to borrow the book Dune.",
                     "goal: You want to borrow book #1, Dune.")
    lines = invoke("check", "--format", "github", "spec.yaml").output.splitlines()
    assert any(ln.startswith(f"::error file=spec.yaml,line={spec_line},") and "max_turns" in ln for ln in lines)
    assert any(ln.startswith(f"::warning file=domain/tasks.yaml,line={task_line},") and "DSL004" in ln
               for ln in lines)


def test_annotation_paths_are_from_the_repository_root_wherever_check_runs(project, monkeypatch):
    line = edit(project / "domain" / "tools.yaml", "SELECT book_id, title, author", "SELECT book_id, titel, author")
    monkeypatch.chdir(project / "domain")
    lines = invoke("check", "--format", "github", "../spec.yaml").output.splitlines()
    assert any(ln.startswith(f"::error file=domain/tools.yaml,line={line},") for ln in lines), lines
    monkeypatch.setenv("GITHUB_WORKSPACE", str(project.parent))  # a spec repository in a subfolder
    lines = invoke("check", "--format", "github", "../spec.yaml").output.splitlines()
    assert any(ln.startswith(f"::error file=repo/domain/tools.yaml,line={line},") for ln in lines), lines


def test_a_clean_spec_prints_no_annotation(project):
    result = invoke("check", "--format", "github", "spec.yaml")
    assert result.exit_code == 0 and "::" not in result.output


def test_diff_against_a_revision_shows_a_changed_tool(project):
    tools = project / "domain" / "tools.yaml"
    edit(tools, "ORDER BY book_id\n", "ORDER BY title\n")
    edit(tools, "title: {type: string, description: Part of the title.}",
         "title: {type: string, description: Part of the title.}\n      limit: {type: integer, required: false}")
    edit(tools, "WHERE title LIKE '%' || :title || '%'", "WHERE title LIKE '%' || :title || '%' LIMIT COALESCE(:limit, 10)")
    result = invoke("diff", "spec.yaml", "HEAD")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "`HEAD:spec.yaml` → `spec.yaml`" in out
    assert "**Tools**: 1 changed" in out and "- changed `find_book`" in out
    assert "`parameters.properties.limit` added: `{\"type\": \"integer\"}`" in out
    assert "-SELECT book_id, title, author, on_loan_to IS NULL AS available FROM books WHERE title LIKE '%' || " \
           ":title || '%' ORDER BY book_id" in out
    assert "+SELECT" in out and "LIMIT COALESCE(:limit, 10)" in out
    assert "Stages" not in out and "Tasks" not in out  # only what changed


def test_diff_of_two_files_shows_added_removed_and_stage_changes(project, tmp_path):
    shutil.copytree(project, tmp_path / "new")
    new = tmp_path / "new"
    edit(new / "spec.yaml", "max_turns: 3", "max_turns: 5")
    edit(new / "domain" / "tasks.yaml", "  - id: my_loans", "  - id: my_books")
    (new / "domain" / "tools.yaml").write_text((new / "domain" / "tools.yaml").read_text() + """
  - name: list_members
    description: Every member of the library.
    sql: SELECT member_id, name FROM members ORDER BY member_id
""")
    out = invoke("diff", "spec.yaml", str(new / "spec.yaml")).output
    assert "- added `list_members`: Every member of the library." in out
    assert "- added `my_books`" in out and "- removed `my_loans`" in out
    assert "- changed `simulate`\n  - `max_turns`: `3` → `5`" in out


def test_diff_with_no_change_and_bad_arguments(project):
    assert "No change to the compiled plan." in invoke("diff", "spec.yaml", "HEAD").output
    result = invoke("diff", "spec.yaml", "no-such-branch")
    assert result.exit_code == 1 and "'no-such-branch' is neither a spec file nor a git revision" in result.output
    assert "Traceback" not in result.output


def test_a_spec_that_did_not_exist_at_the_base_is_all_new(project):
    shutil.copy(project / "spec.yaml", project / "other.yaml")
    out = invoke("diff", "other.yaml", "HEAD").output
    assert "other.yaml does not exist at HEAD" in out and "- added `find_book`" in out


def test_the_diff_is_generic_over_plan_fields():
    old = {"tools": [{"name": "a", "sql": "SELECT 1"}], "retries": 1,
           "stages": [{"kind": "simulate", "n": 1}, {"kind": "simulate", "n": 2}]}
    new = {"tools": [{"name": "a", "sql": "SELECT 2", "cost": 3}], "retries": 2, "budget": {"tokens": 9},
           "stages": [{"kind": "simulate", "n": 1}, {"kind": "simulate", "n": 3}]}
    text = render_markdown(diff_plans(old, new), "old", "new", "x")
    assert "- changed `a`\n  - `sql`: `SELECT 1` → `SELECT 2`\n  - `cost` added: `3`" in text
    assert "**Retries**: `1` → `2`" in text
    assert "**Budget** added: `{\"tokens\": 9}`" in text
    assert "- changed `simulate #2`\n  - `n`: `2` → `3`" in text


def test_the_spec_repo_workflow_checks_and_diffs_a_pull_request(tmp_path):
    """The example CI workflow's own `run:` steps, on a clone with a change on a branch."""
    import os
    import sys

    import yaml

    origin = tmp_path / "origin"
    shutil.copytree(ROOT / "examples" / "spec-repo", origin)
    git(origin, "init", "-q", "-b", "main")
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "start")
    subprocess.run(["git", "clone", "-q", str(origin), str(tmp_path / "pr")], check=True)
    pr = tmp_path / "pr"
    edit(pr / "domains" / "helpdesk" / "tools.yaml", "LIMIT 20", "LIMIT 5")
    line = edit(pr / "domains" / "helpdesk" / "tools.yaml", "SELECT ticket_id, customer_id, subject, status\n",
                "SELECT ticket_id, customer_id, subjet, status\n")
    workflow = yaml.safe_load((pr / ".github" / "workflows" / "dslgen.yml").read_text())
    steps = {s["name"]: s for s in workflow["jobs"]["review"]["steps"] if "name" in s}
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"), "GITHUB_WORKSPACE": str(pr), "BASE_REF": "main"}

    def run(step: str):
        return subprocess.run(["bash", "-e", "-c", steps[step]["run"]], cwd=pr, env=env, capture_output=True, text=True)

    checked = run("Check specs")
    assert checked.returncode == 1
    assert f"::error file=domains/helpdesk/tools.yaml,line={line}," in checked.stdout and "subjet" in checked.stdout
    edit(pr / "domains" / "helpdesk" / "tools.yaml", "subjet", "subject")
    assert run("Check specs").returncode == 0
    assert run("Plan diff").returncode == 0
    summary = (tmp_path / "summary.md").read_text()
    assert "`origin/main:specs/helpdesk.yaml` → `specs/helpdesk.yaml`" in summary
    assert "- changed `list_tickets_of_customer`" in summary and "LIMIT 5" in summary


def test_a_revision_compiles_with_its_git_top_as_the_project_root(tmp_path, monkeypatch):
    """specs/ reads ../domains: inside a repository the root is its top (.git), which the
    throwaway copy of the old tree does not have."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "spec-repo", repo, ignore=shutil.ignore_patterns("dslgen.toml"))
    monkeypatch.chdir(repo)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "start")
    assert invoke("check", "specs/helpdesk.yaml").exit_code == 0
    result = invoke("diff", "specs/helpdesk.yaml", "HEAD")
    assert result.exit_code == 0 and "does not compile" not in result.output, result.output
