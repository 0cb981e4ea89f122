"""Command line: thin click commands over dslgen.api. Errors map to exit codes here, once."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import get_args

import click

from dslgen import api
from dslgen.catalogue import CODES, lookup
from dslgen.errors import DslgenError, SpecError
from dslgen.redact import redact
from dslgen.spec.models import ExportFormat

# exit codes (README, "Commands"); 2 is click's, for a bad command line
EXIT_SPEC, EXIT_RUN, EXIT_INTERNAL, EXIT_INTERRUPTED = 1, 3, 70, 130


class _Group(click.Group):
    """Turns every failure into one message and an exit code, secrets redacted; `--debug`
    shows the traceback instead."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            _fail(*_describe(exc))
        except KeyboardInterrupt:
            if ctx.params.get("debug"):
                raise
            _fail("interrupted: finished dialogues are saved; run the same command again to continue",
                  EXIT_INTERRUPTED)


def _describe(exc: Exception) -> tuple[str, int]:
    if isinstance(exc, SpecError):
        return exc.render(), EXIT_SPEC
    if isinstance(exc, DslgenError):
        return (exc.render() if hasattr(exc, "render") else f"error: {exc}"), EXIT_RUN
    if isinstance(exc, OSError):  # the machine, not dslgen: a full disk, a folder not writable
        where = f": {exc.filename}" if exc.filename else ""
        return f"error: {exc.strerror or exc}{where}", EXIT_RUN
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return (f"internal error: {type(exc).__name__}{': ' + first if first else ''}\n"
            "  hint: this is a bug in dslgen; rerun with --debug for the traceback and report it"), EXIT_INTERNAL


def _fail(message: str, code: int) -> None:
    click.echo(redact(message), err=True)
    sys.exit(code)


@click.group(cls=_Group)
@click.option("--debug", is_flag=True, help="Show Python tracebacks.")
@click.version_option(package_name="dslgen")
def main(debug: bool) -> None:
    """dslgen: turn YAML specs into verifiable multi-turn tool-use dialogues."""


@main.command()
@click.argument("specs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "github"]), default="text", show_default=True,
              help="github: one GitHub Actions annotation (::error file=…,line=…::…) per problem, on stdout.")
def check(specs: tuple[str, ...], fmt: str) -> None:
    """Check specs; print every problem. Exit 0 when all are clean, 1 otherwise."""
    problems = [d for spec in specs for d in api.check_spec(spec)]
    if fmt == "github":
        from dslgen.authoring.review import github_annotations

        if problems:
            click.echo(github_annotations(problems))
        if any(d.severity == "error" for d in problems):
            sys.exit(EXIT_SPEC)
        return
    if any(d.severity == "error" for d in problems):
        raise SpecError(problems)
    if problems:  # warnings only
        click.echo(redact(SpecError(problems).render()), err=True)
    click.echo(f"ok: {len(specs)} spec(s) without errors", err=True)


@main.command(name="compile")
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the plan JSON here.")
def compile_(spec: str, output: str | None) -> None:
    """Compile a spec and print (or write) the plan as JSON."""
    text = api.plan_json(api.compile_file(spec))  # secrets redacted
    if output:
        Path(output).write_text(text + "\n", encoding="utf-8")
        click.echo(f"plan written to {output}", err=True)
    else:
        click.echo(text)


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the schema here.")
@click.option("--for", "kind", type=click.Choice(api.SCHEMA_KINDS), default="spec", show_default=True,
              help="Which file: a spec, a domain's tools.yaml or its tasks.yaml.")
def schema(output: str | None, kind: str) -> None:
    """Print the JSON Schema of a file format (for `# yaml-language-server: $schema=`)."""
    text = json.dumps(api.json_schema(kind), indent=2)
    if output:
        Path(output).write_text(text + "\n", encoding="utf-8")
    else:
        click.echo(text)


@main.command()
@click.argument("code", required=False)
def explain(code: str | None) -> None:
    """Explain a diagnostic code (e.g. DSL303); with no code, list them all."""
    if code is None:
        click.echo("\n".join(f"{c.id}  {c.title}" for c in CODES.values()))
        return
    entry = lookup(code)
    if entry is None:
        raise click.BadParameter(f"no diagnostic code {code!r}; `dslgen explain` lists them", param_hint="CODE")
    click.echo(entry.render())


@main.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--out", type=click.Path(file_okay=False), help="Output folder (default out/<spec name>/).")
@click.option("--limit", type=click.IntRange(min=1), help="Generate at most N dialogues.")
@click.option("--mode", type=click.Choice(["user_oriented", "task_oriented"]), help="Override the spec's mode.")
@click.option("--start", type=click.Path(dir_okay=False, exists=True),
              help="YAML/JSON file with `messages` and `calls`: the history and state to start from.")
@click.option("--stages", "stage_list", metavar="S1,S2",
              help="Run only these stages, reading the others' files from the output folder.")
@click.option("--from", "from_dir", type=click.Path(file_okay=False, exists=True),
              help="Start from the files in DIR (e.g. an edited tasks.jsonl): they stand in for the "
                   "stages that make them.")
@click.option("--no-progress", is_flag=True, help="Hide the progress display.")
@click.option("--concurrency", type=click.IntRange(1, 4096),
              help="Dialogues in flight at once (default: the spec's, else 16 for model servers, 1 for a "
                   "model in this process).")
@click.option("--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="Where dialogues run: threads of this process, or Ray actors (pip install 'dslgen[ray]'; "
                   "joins RAY_ADDRESS, else starts Ray on this machine).")
@click.option("--shard", metavar="I/N", help="Make only part I of N of the dialogues (join the parts "
                                             "with `dslgen merge`).")
@click.option("--resume", is_flag=True, help="Finish the run this folder holds (its shard and limit); "
                                             "a plain rerun resumes too.")
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: progress and the summary as JSON lines on stderr (for CI).")
def run(spec: str, out: str | None, limit: int | None, mode: str | None, start: str | None,
        stage_list: str | None, from_dir: str | None, no_progress: bool, concurrency: int | None,
        executor: str, shard: str | None, resume: bool, quiet: bool, log_format: str) -> None:
    """Run a spec's pipeline: tasks, simulation, validation, export."""
    stages = [s.strip() for s in stage_list.split(",") if s.strip()] if stage_list else None
    result = api.run_spec(spec, out=out, limit=limit, mode=mode, start=start, progress=not no_progress,
                          stages=stages, from_dir=from_dir, concurrency=concurrency, executor=executor,
                          shard=shard, log_format=log_format, quiet=quiet, resume=resume)
    _report(result, quiet, log_format)


def _report(result, quiet: bool, log_format: str) -> None:
    if quiet:
        return
    if log_format == "json":
        click.echo(json.dumps({"event": "summary", "output_dir": str(result.output_dir),
                               "stages": {r.kind: r.counts for r in result.stages}}), err=True)
        return
    if result.table():
        click.echo(redact(result.table()), err=True)
    click.echo(redact(result.summary()), err=True)


@main.command()
@click.argument("folders", nargs=-1, required=True, type=click.Path(file_okay=False, exists=True))
@click.option("--out", required=True, type=click.Path(file_okay=False), help="The folder to write (new or empty).")
def merge(folders: tuple[str, ...], out: str) -> None:
    """Join the output folders of `run --shard 1/N` .. `N/N` into the dataset one run makes."""
    click.echo(api.merge_shards(list(folders), out).summary(), err=True)


@main.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@click.argument("episodes", type=click.Path(dir_okay=False, exists=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the outputs here (default: stdout).")
@click.option("--engine", type=click.Choice(["sqlite", "postgresql"]), default="sqlite", show_default=True)
@click.option("--url", envvar="DSLGEN_PG_URL", help="PostgreSQL URL for --engine postgresql ($DSLGEN_PG_URL).")
def replay(spec: str, episodes: str, output: str | None, engine: str, url: str | None) -> None:
    """Replay recorded tool calls, each episode on a fresh copy of the seed database;
    one line per episode: {"id", "outputs"}."""
    from dslgen.replay import describe, replay as replay_episodes

    summary = replay_episodes(spec, episodes, output or "-", engine=engine, url=url)
    click.echo(describe(summary), err=True)


@main.command(name="export")
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("--format", "formats", multiple=True, type=click.Choice(get_args(ExportFormat)),
              help="A format to write (repeat for several); default: the spec's export stage.")
@click.option("-o", "--output", type=click.Path(file_okay=False), help="Write here (default: the run folder).")
def export_(run_dir: str, formats: tuple[str, ...], output: str | None) -> None:
    """Re-export a finished run folder, without running anything again."""
    result = api.export_run(run_dir, formats or None, output)
    click.echo(result.summary(), err=True)


@main.command()
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("--html", "html", is_flag=True, help="Write a static HTML page with plots and every dialogue.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="The HTML file (default: RUN_DIR/report.html).")
def report(run_dir: str, html: bool, output: str | None) -> None:
    """Statistics, acceptance by reason and tool use of a run."""
    from dslgen.export.report import text_report

    if html:
        click.echo(f"report written to {api.report_html(run_dir, output)}", err=True)
    else:
        click.echo(text_report(api.run_records(run_dir)))


@main.command()
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("--accepted", "status", flag_value="accepted", help="Only dialogues that passed validation.")
@click.option("--rejected", "status", flag_value="rejected", help="Only dialogues that failed it.")
@click.option("--reason", help="Only rejected dialogues whose reason contains this text.")
@click.option("--task", help="Only dialogues with this task id.")
@click.option("--tool", help="Only dialogues that called this tool.")
@click.option("--id", "dialogue_id", help="Only dialogues whose id contains this text.")
@click.option("--show/--list", default=None, help="Print transcripts (default: when one dialogue matches).")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
def view(run_dir: str, status, reason, task, tool, dialogue_id, show, limit) -> None:
    """Look at a run's dialogues in the terminal."""
    from rich.console import Console

    from dslgen.export.view import Filter, view as show_dialogues

    records = api.run_records(run_dir)
    flt = Filter(status, reason, task, tool, dialogue_id)
    wanted = show if show is not None else sum(flt.matches(r) for r in records) == 1
    show_dialogues(records, flt, Console(), wanted, limit)


@main.command()
@click.argument("old")
@click.argument("new")
def diff(old: str, new: str) -> None:
    """What a change does to the compiled plan: tools, tasks, stages… added, removed or changed.
    OLD and NEW are spec files, or one is a git revision (then it is the base):
    `dslgen diff specs/retail.yaml HEAD~1`. Prints Markdown, ready for a review comment."""
    from dslgen.authoring.review import diff_specs

    click.echo(diff_specs(old, new))


@main.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--from-db", "url", help="Start from this database: a SQLite file (sqlite:///shop.db) or a "
              "PostgreSQL URL (write a password as ${VAR}).")
@click.option("--name", help="Project name (default: the database's, or the folder's).")
@click.option("--rows", type=click.IntRange(min=1), default=50, show_default=True,
              help="Seed rows kept per table (children only where their parents are kept).")
@click.option("--table", "tables", multiple=True, help="Only this table (repeat for several).")
def init(directory: str, url: str | None, name: str | None, rows: int, tables: tuple[str, ...]) -> None:
    """Start a project in DIRECTORY: a spec, a domain (schema, seed, policy, starter tools and
    tasks) and a CI workflow; with --from-db, all of it from an existing database."""
    from dslgen.authoring.init import init_project

    project = init_project(directory, url, name, rows, tables)
    click.echo(f"created {project.spec} and {project.domain}/", err=True)
    click.echo(f"next: dslgen check {project.spec} && dslgen run {project.spec} --limit 2", err=True)


@main.group(name="import")
def import_() -> None:
    """Bring tasks or tools from elsewhere into a domain."""


@import_.command(name="mcp-toolbox")
@click.argument("tools_file", type=click.Path(dir_okay=False, exists=True))
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--from-db", "url", help="Read the schema and seed here instead of the file's source.")
@click.option("--name", help="Project name, for a new project (default: the database's).")
@click.option("--force", is_flag=True, help="Replace the tools.yaml of an existing domain.")
def import_mcp_toolbox(tools_file: str, directory: str, url: str | None, name: str | None, force: bool) -> None:
    """MCP Toolbox tools (tools.yaml, either form) as a domain's tools: into DIRECTORY if it is a
    domain folder, else a new project there built from the database the file's source names."""
    from dslgen.authoring.toolbox_io import import_toolbox

    domain, notes = import_toolbox(tools_file, directory, url, name, force)
    if notes:
        click.echo(SpecError(notes).render(), err=True)
    click.echo(f"tools written to {domain / 'tools.yaml'}", err=True)


@main.command(name="export-tools")
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["mcp-toolbox"]), required=True, help="What to write.")
@click.option("--layout", type=click.Choice(["documents", "map"]), default="documents", show_default=True,
              help="documents: one YAML document per source and tool; map: the older sources:/tools: maps.")
@click.option("--engine", type=click.Choice(["sqlite", "postgresql"]), help="Tool type to write (default: the source's).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the file here (default: stdout).")
def export_tools(spec: str, fmt: str, layout: str, engine: str | None, output: str | None) -> None:
    """Write the domain's single-statement SQL tools in another tool format (MCP Toolbox)."""
    from dslgen.authoring.toolbox_io import export_spec_tools, write_text_file

    text, notes = export_spec_tools(spec, layout, engine)
    for note in notes:
        click.echo(f"note: {note}", err=True)
    if output:
        write_text_file(output, text)
        click.echo(f"{output} written", err=True)
    else:
        click.echo(text, nl=False)


@import_.command(name="tau-bench")
@click.argument("episodes", type=click.Path(dir_okay=False, exists=True))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The tasks file to write (tasks.yaml format); rejected episodes go beside it.")
@click.option("--spec", default="specs/retail.yaml", show_default=True, type=click.Path(dir_okay=False),
              help="The spec whose domain (tools, seed data) the tasks run on.")
def import_tau_bench(episodes: str, output: str, spec: str) -> None:
    """τ-bench episodes (JSONL: id, instruction, steps) → tasks, each admitted only after its
    calls run on the seed data and its final-state checks turn true."""
    from dslgen.replay import read_episodes
    from dslgen.synthesis.artifacts import rejected_path

    admission = api.import_tau_bench(read_episodes(episodes), output, spec)
    click.echo(admission.summary("episodes"), err=True)
    click.echo(f"tasks written to {output}; rejected ones to {rejected_path(output)}", err=True)
