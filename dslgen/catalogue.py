"""Every diagnostic code, defined once: its title, what it means and an example.

A check reports a code by its id (`"DSL401"`); `Diagnostic` refuses an id that is not here,
so a new check adds its code to this table first. `dslgen explain DSL401` prints the entry.
Ranges: DSL0xx reading files and YAML, DSL1xx fields and files of the spec, DSL2xx
duplicate names, DSL3xx references between parts, DSL4xx SQL and seed data, DSL5xx templates, DSL6xx
values and limits, DSL7xx files imported from other tools.
"""
from __future__ import annotations

from dataclasses import dataclass
from textwrap import dedent


@dataclass(frozen=True)
class Code:
    id: str  # e.g. "DSL401"
    title: str
    explanation: str
    example: str  # a spec fragment that triggers it

    def render(self) -> str:
        example = "\n".join("    " + line for line in self.example.strip("\n").splitlines())
        return f"{self.id}: {self.title}\n\n{self.explanation}\n\nExample:\n\n{example}\n"


def _code(id: str, title: str, explanation: str, example: str) -> Code:
    return Code(id, title, " ".join(dedent(explanation).split()), dedent(example))


CODES: dict[str, Code] = {c.id: c for c in (
    # DSL0xx: reading files and YAML
    _code("DSL001", "invalid YAML", """
        The file is not valid YAML: a bad indentation, an unclosed quote or bracket, a ':'
        inside an unquoted value, or a character YAML does not allow (a NUL byte, say).""", """
        goal: Find the order: then cancel it      # ': ' inside a plain value
        """),
    _code("DSL002", "duplicate key", """
        A mapping sets the same key twice; YAML would silently keep the last one. To start
        from shared values and override some, use a merge key (`<<: *defaults`).""", """
        name: retail
        name: shop
        """),
    _code("DSL003", "unsupported spec version", """
        `dslgen:` names the spec format version; this dslgen reads version 1.""", """
        dslgen: 2
        """),
    _code("DSL004", "text after ' #' is a YAML comment", """
        (warning) In a plain (unquoted) value, ` #` starts a comment, so the rest of the line is
        dropped from the value. Quote the value if the '#...' belongs to it.""", """
        goal: Cancel order #W123     # the value is only 'Cancel order'
        """),
    _code("DSL005", "YAML expands to too many values", """
        Anchors and aliases (`&a`, `*a`) let a small file stand for a huge document (an
        "alias bomb"). dslgen stops when a file expands to more values than its limit, before
        spending time or memory on it.""", """
        a: &a [x, x, x, x, x, x, x, x, x, x]
        b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
        c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]   # ... and so on, ten levels deep
        """),
    _code("DSL006", "YAML nested too deeply", """
        Mappings and lists nest deeper than dslgen's limit. No spec needs that depth; it is
        refused before it can exhaust the stack.""", """
        rules: [[[[[[[[[[[[[[[[[[[[[[[[[[[[ ... ]]]]]]]]]]]]]]]]]]]]]]]]]]]]
        """),
    _code("DSL007", "recursive alias", """
        An alias refers to the node that contains it, so the value would be infinite.""", """
        rules: &r
          - *r
        """),
    _code("DSL008", "not a text file", """
        Every file a spec reads (the spec, the domain's files, templates) must be UTF-8 text
        without NUL bytes. The position is the first byte that is not.""", """
        policy.md saved as UTF-16, or a binary file named as a template
        """),
    _code("DSL009", "NUL character in a value", """
        A quoted value holds a NUL character (written "\\0" or "\\x00"). Databases and
        files refuse it, so it is refused here.""", """
        goal: "Cancel order\\0 now"
        """),
    _code("DSL010", "environment variable not set", """
        `${NAME}` in a value is read from the environment when the spec is loaded; this one
        is not set. Values read this way are treated as secrets: they are replaced by `***`
        in every output, message and record.""", """
        api_key: ${MY_API_KEY}      # MY_API_KEY is not exported
        """),
    # DSL1xx: fields and files of the spec
    _code("DSL100", "unknown field", """
        A mapping has a field the format does not define, often a typo; the hint names the
        closest field or lists the allowed ones.""", """
        seeed: 1
        """),
    _code("DSL101", "missing required field", """
        A required field is not set; the message names the mapping that lacks it.""", """
        tasks:
          - id: borrow          # no `goal:`
        """),
    _code("DSL102", "invalid value", """
        A field has a value of the wrong type, outside its allowed values, or beyond its
        limits.""", """
        pipeline:
          - stage: simulate
            dialogues: many
        """),
    _code("DSL103", "not a mapping", """
        The top level of a spec, tools.yaml or tasks.yaml must be a mapping of fields.""", """
        - just a list
        """),
    _code("DSL110", "cannot read a file", """
        A file named on the command line cannot be read (it does not exist, is a folder, or
        its path is too long or loops through symbolic links).""", """
        dslgen check specs/no-such-file.yaml
        """),
    _code("DSL111", "domain folder not found", """
        `domain:` names a folder, relative to the spec file, that does not exist.""", """
        domain: ../domains/retial
        """),
    _code("DSL112", "domain file missing", """
        A domain folder holds schema.sql, policy.md, tools.yaml and tasks.yaml; one of them
        is missing or cannot be read.""", """
        domain: ../domains/retail     # the folder has no policy.md
        """),
    _code("DSL113", "template file not found", """
        `templates:` names a Jinja file, relative to the spec file, that cannot be read.""", """
        templates: {agent_system: agent.j2}     # no agent.j2 next to the spec
        """),
    _code("DSL114", "file outside the project root", """
        Every file a spec reads must lie inside its project root, after following symbolic
        links: a spec from a pull request must not read files elsewhere on the reviewer's
        machine. The project root is the nearest folder above the spec holding `.git` or
        `dslgen.toml`, else the spec's own folder; a spec may narrow it with `root:`.""", """
        templates: {agent_system: ../../../etc/passwd}
        """),
    _code("DSL115", "hidden file", """
        dslgen reads no hidden file or folder (a name starting with '.', such as .git or
        .env): they hold repository internals and secrets, never spec content.""", """
        templates: {agent_system: ../.env}
        """),
    _code("DSL116", "invalid project root", """
        `root:` must name the spec's own folder or a folder above it, inside the project
        (the nearest folder above the spec holding `.git` or `dslgen.toml`).""", """
        root: ../../..
        """),
    # DSL2xx: duplicate names
    _code("DSL201", "duplicate tool name", """
        Two tools have the same name; an agent's call would be ambiguous.""", """
        tools:
          - {name: find_book, ...}
          - {name: find_book, ...}
        """),
    _code("DSL202", "duplicate task id", """
        Two tasks have the same id; dialogue records name tasks by id.""", """
        tasks:
          - {id: borrow, goal: ...}
          - {id: borrow, goal: ...}
        """),
    _code("DSL203", "duplicate persona", """
        Two personas have the same name; tasks name personas.""", """
        personas:
          - {name: busy, description: ...}
          - {name: busy, description: ...}
        """),
    _code("DSL204", "duplicate task template id", """
        Two task templates of task_templates.yaml have the same id; the tasks they make are
        named after it.""", """
        task_templates:
          - {id: cancel_pending, ...}
          - {id: cancel_pending, ...}
        """),
    # DSL3xx: references between parts of a spec
    _code("DSL301", "expected call to an unknown tool", """
        A task's rubric expects a call to a tool the domain does not declare.""", """
        rubric:
          expected_calls:
            - tool: find_bok
        """),
    _code("DSL302", "unknown parameter", """
        An expected call or a start-state call passes an argument its tool does not
        declare.""", """
        expected_calls:
          - tool: borrow_book
            arguments: {membr_id: m1}
        """),
    _code("DSL303", "unknown persona", """
        A task names a persona that the spec's `user_simulator.personas` does not
        declare.""", """
        tasks:
          - id: borrow
            persona: raeder      # the spec declares `reader`
        """),
    _code("DSL304", "task follows an unknown or later task", """
        `follows:` names the task a task continues from; it must be an earlier task of the
        same tasks.yaml (not the task itself or a later one).""", """
        - id: return_book
          follows: borow_book
        """),
    _code("DSL305", "a stage reads a file no stage makes", """
        Each stage reads files that earlier stages write (validate reads dialogues.jsonl,
        which simulate writes). A stage whose input no stage of the pipeline makes could
        never run; add the stage that makes it, before it.""", """
        pipeline:
          - stage: export      # reads validated.jsonl: no simulate or validate stage
        """),
    _code("DSL306", "the domain has no tasks", """
        tasks.yaml declares no task; every dialogue pursues tasks.""", """
        tasks: []
        """),
    _code("DSL307", "start state calls an unknown tool", """
        A simulate stage's `start.calls` names a tool the domain does not declare.""", """
        start:
          calls:
            - tool: borow_book
        """),
    _code("DSL308", "argument does not fit its parameter", """
        An expected call or start-state call passes an argument of the wrong type, or a
        value outside the parameter's enum or pattern: no agent call could ever match it,
        and a start state would fail at run time.""", """
        # parameter reason: {type: string, enum: [no longer needed, ordered by mistake]}
        expected_calls:
          - tool: cancel_pending_order
            arguments: {reason: changed my mind}
        """),
    _code("DSL309", "simulated tool without a return schema", """
        A tool with no SQL is simulated by a model, which needs the JSON Schema of its
        output: declare `output_schema`, or add a `return_schemas` stage before `simulate` to
        predict one.""", """
        tools:
          - name: check_coverage      # no sql, no output_schema
            description: Whether a policy covers a claim.
        pipeline:
          - stage: simulate
        """),
    _code("DSL310", "a stage reads a file a later stage makes", """
        The pipeline runs in the order written, and a stage reads files that stages before
        it write. Here a stage comes before the stage that makes its input; move that stage
        up.""", """
        pipeline:
          - stage: validate    # reads dialogues.jsonl
          - stage: simulate    # which is made only here
        """),
    _code("DSL311", "a stage is in the pipeline twice", """
        A pipeline runs each stage once (each writes its own files); the same stage named
        twice would overwrite its own outputs. Keep one, with the settings wanted.""", """
        pipeline:
          - stage: simulate
          - stage: simulate
            dialogues: 10
        """),
    _code("DSL312", "task source with nothing to read", """
        A generate_tasks stage names a task source that holds no task: `templates` with no
        task_templates.yaml in the domain, or an imported tasks file that is empty.""", """
        pipeline:
          - stage: generate_tasks
            source: templates      # the domain has no task_templates.yaml
        """),
    # DSL4xx: SQL
    _code("DSL400", "schema.sql does not parse", """
        The domain's schema.sql is not valid SQL in SQLite's dialect.""", """
        CREATE TABEL books (book_id TEXT PRIMARY KEY);
        """),
    _code("DSL401", "unknown column", """
        A tool's SQL names a column that no table in scope has.""", """
        sql: SELECT titel FROM books
        """),
    _code("DSL402", "unknown table", """
        A tool's SQL names a table that schema.sql does not create.""", """
        sql: SELECT title FROM book
        """),
    _code("DSL403", "SQL does not parse", """
        A tool's SQL is not exactly one statement in SQLite's dialect.""", """
        sql: SELEC title FROM books
        """),
    _code("DSL404", "parameter not declared", """
        SQL reads `:name`, but no parameter, earlier `let` or enclosing row column has that
        name.""", """
        parameters: {title: {type: string}}
        sql: SELECT * FROM books WHERE title = :titel
        """),
    _code("DSL405", "parameter never read", """
        A parameter is declared but no SQL reads it; mark it `informational: true` if it is
        only recorded.""", """
        parameters: {title: {type: string}, author: {type: string}}
        sql: SELECT * FROM books WHERE title = :title
        """),
    _code("DSL406", "statement not allowed here", """
        Reads (let, guards, documents) must be SELECTs, `writes` must be INSERT, UPDATE or
        DELETE; nothing else runs.""", """
        writes:
          - DROP TABLE books
        """),
    _code("DSL407", "shared entity with two types", """
        A name such as `user_id` is a parameter or a returned field in several tools; it
        must have one JSON type everywhere.""", """
        # tool a: user_id: {type: string};  tool b: user_id: {type: integer}
        """),
    _code("DSL408", "document reads a column its query does not return", """
        A returned document names a column (in `fields`, `column`, `item`, `key`,
        `present_if`) that its query does not select; it would always be null.""", """
        returns:
          row: SELECT name FROM members WHERE member_id = :member_id
          fields: {name: nmae}
        """),
    _code("DSL409", "error text names an unknown column", """
        `{name}` in a guard's error is filled from the row a `reject` query found; it must
        name one of that query's columns (a `require` guard has no row).""", """
        guards:
          - reject: SELECT status FROM orders WHERE order_id = :order_id AND status != 'pending'
            error: "order is {state}"
        """),
    _code("DSL410", "simulated tool's output_schema is not a JSON Schema", """
        A tool with no SQL declares the JSON Schema its simulated outputs follow; it must be
        a valid JSON Schema (draft 2020-12).""", """
        simulated:
          output_schema: {type: text}
        """),
    _code("DSL411", "not a declaration in schema.sql", """
        schema.sql only declares the domain's own tables, indexes and views: a statement that
        does something (INSERT, ATTACH, PRAGMA, DROP...), another schema's table, table
        options or a function not every engine has would run on the reviewer's machine.""", """
        ATTACH DATABASE '/some/file' AS x;
        """),
    _code("DSL412", "table declared twice or not declared", """
        A table is declared twice in schema.sql, or a view reads a table not declared above
        it.""", """
        CREATE TABLE books (book_id TEXT PRIMARY KEY);
        CREATE TABLE books (book_id TEXT PRIMARY KEY);
        """),
    _code("DSL413", "list or computed rows that cannot be read as a table", """
        A list parameter is read as a table (`SELECT pos, flight_number FROM flights`): its
        items must be scalars or objects whose properties are named and typed like columns. A
        `rows` let is read as a table too: every column of its query needs a name.""", """
        parameters:
          flights: {type: array, items: {type: object}}     # no properties
        """),
    _code("DSL414", "a name hides a table", """
        A list parameter, a `rows` let or a CTE has the name of a table of the schema, so
        inside the tool's SQL that table could not be read any more.""", """
        parameters:
          orders: {type: array, items: {type: string}}      # schema.sql has a table orders
        """),
    _code("DSL415", "does not run the same on both engines", """
        A construct that SQLite and PostgreSQL treat differently (a trigger, a function or
        syntax one of them lacks, a computed column each engine names its own way): the same
        spec must give the same results on both, so it is refused where it is written.""", """
        CREATE TRIGGER t AFTER INSERT ON books BEGIN ... END;
        returns:
          row: SELECT count(*) FROM books       # name it: count(*) AS n
        """),
    _code("DSL420", "seed line cannot be read", """
        A seed file line is not a JSON object (JSON lines) or not a row of the header's
        width (CSV).""", """
        seed/books.jsonl:  {"book_id": "b1", "title": "Dune",
        """),
    _code("DSL421", "seed value does not fit its column", """
        A seed value has the wrong type for its column, or a NOT NULL column has no value.""", """
        seed/books.jsonl:  {"book_id": "b1", "title": null}    # title is NOT NULL
        """),
    _code("DSL422", "duplicate primary key in seed data", """
        Two seed rows of a table have the same primary key.""", """
        seed/books.jsonl:  {"book_id": "b1", ...}  twice
        """),
    _code("DSL423", "seed file or column unknown", """
        A seed file names no table of schema.sql, two files seed one table, a file is not
        .jsonl or .csv (a warning: it is not read), or a row has a column the table does not
        have.""", """
        seed/book.jsonl   # the table is `books`
        """),
    # DSL43x: a seed mapping (seed/mapping.yaml: rows from nested JSON documents)
    _code("DSL430", "seed mapping cannot be read", """
        seed/mapping.yaml is not valid YAML, has an unknown or missing field, or names a
        document that is not valid JSON.""", """
        tables:
          clubs:
            from: clubs/{club}
            colums: {club_id: {key: club}}     # columns
        """),
    _code("DSL431", "seed mapping names an unknown table", """
        A table of seed/mapping.yaml is not declared in schema.sql.""", """
        tables:
          clubz: {from: clubs/{club}}
        """),
    _code("DSL432", "seed mapping names an unknown column", """
        A column of a mapped table is not a column of that table in schema.sql.""", """
        tables:
          clubs:
            from: clubs/{club}
            columns: {budget_euro: budget}     # the column is budget_eur
        """),
    _code("DSL433", "seed mapping path selects nothing", """
        A source path or a column's field path finds no value in any element of the
        documents: a misspelt field, or a step into the wrong level.""", """
        columns:
          city: home/town      # the documents have home/city
        """),
    _code("DSL434", "seed mapping names an unknown step or document", """
        A column refers to a `{name}` step its source path does not have, or the path starts
        with a document that is not in the seed folder.""", """
        from: teams/{team}/players/{n}
        columns:
          team_id: {key: club}     # the step is {team}
        """),
    _code("DSL435", "mapped value does not fit", """
        The value a mapping selects cannot fill its column (an object or list where a plain
        value is needed), or two sources of one table give the same row different values.""", """
        columns:
          city: home           # home is an object; home/city is its text
        """),
    _code("DSL436", "mapping leaves a NOT NULL column empty", """
        A NOT NULL column (without a default) of a mapped table is not filled by the
        mapping, so every row would break the constraint.""", """
        columns:
          player_id: id        # name is NOT NULL and not mapped
        """),
    # DSL5xx: templates
    _code("DSL501", "template uses an undefined variable", """
        A prompt template reads a variable that dslgen does not provide to that template;
        the hint lists the ones it does.""", """
        Your goal: {{ gaol }}
        """),
    _code("DSL502", "template does not parse", """
        A prompt template is not valid Jinja; the position is where Jinja stopped reading.""", """
        {% for rule in rules %}- {{ rule }
        """),
    _code("DSL503", "unsafe template", """
        Templates render in Jinja's sandbox: they may read the variables dslgen provides,
        but not Python internals (attributes starting with '_', such as `__class__` or
        `__globals__`, or methods that change data). A template that tries is refused.""", """
        {{ cycler.__init__.__globals__.os.popen('id').read() }}
        """),
    # DSL6xx: values and limits
    _code("DSL601", "parameter pattern is not a regular expression", """
        A parameter's `pattern` must be a valid regular expression; calls are checked
        against it.""", """
        parameters:
          order_id: {type: string, pattern: "#W[0-9+"}
        """),
    _code("DSL602", "model server URL missing or malformed", """
        Backend `openai` needs `base_url`: an http(s) URL with a host, such as
        http://127.0.0.1:8000/v1.""", """
        models:
          agent: {backend: openai, model: my-model}
        """),
    _code("DSL603", "parameter items is not a JSON Schema", """
        An array parameter's `items` is the JSON Schema of one element; it must be a valid
        JSON Schema.""", """
        parameters:
          ids: {type: array, items: {type: text}}
        """),
    _code("DSL604", "enum value of the wrong type", """
        Every value in a parameter's `enum` must have the parameter's type; a call could
        never pass the others.""", """
        parameters:
          quantity: {type: integer, enum: [one, two]}
        """),
    _code("DSL605", "model file not found", """
        An embedded model named by `model:` must be an existing GGUF file (a path relative to
        the folder dslgen runs in); without `model:` the bundled SmolLM2-135M is used.""", """
        models:
          default: {backend: embedded, model: models/my-model.gguf}
        """),
    # DSL7xx: importing files of other tools
    _code("DSL700", "MCP Toolbox file cannot be imported", """
        `dslgen import mcp-toolbox` read a Toolbox tools.yaml it cannot carry over: not
        valid YAML, an unknown resource, a tool type other than sqlite-sql or postgres-sql,
        or no SQL tool at all. The message says which, at its line.""", """
        tools:
          search:
            kind: http              # only sqlite-sql and postgres-sql tools are imported
        """),
)}


def lookup(code_id: str) -> Code | None:
    return CODES.get(code_id.strip().upper())
