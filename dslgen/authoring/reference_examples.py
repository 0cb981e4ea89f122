"""An example of each object of the spec format, for the generated reference
(docs/reference). Each is validated against its model when the reference is generated, so a
renamed or removed field shows up as a failing test, not as a wrong page. A new model needs
an example here (named like its class)."""

EXAMPLES: dict[str, str] = {
    # ------------------------------------------------------------------ spec file
    "SpecFile": """
dslgen: 1
name: league
description: Dialogues at a football league office.
domain: ../domains/league
seed: 0
models:
  default: {backend: embedded}
user_simulator:
  rules: [Ask for one or two things per turn.]
  personas: [{name: fan, description: An enthusiastic fan.}]
pipeline:
  - {stage: simulate, mode: user_oriented, dialogues: 3, max_turns: 6}
  - {stage: validate, keep: valid}
  - {stage: export, format: openai}
""",
    "ModelRoles": """
default: {backend: embedded, temperature: 0.7}
agent: {backend: openai, base_url: "http://127.0.0.1:8000/v1", model: my-model}
judge: {backend: openai, base_url: "http://127.0.0.1:8000/v1", model: my-judge, temperature: 0.0}
""",
    "ModelSpec": """
backend: openai
base_url: http://127.0.0.1:8000/v1
model: Qwen2.5-7B-Instruct
temperature: 0.7
max_tokens: 512
timeout_s: 120
""",
    "UserSimulatorSpec": """
rules:
  - Ask for one or two things per turn, not the whole goal at once.
  - When unsure whether something was done, ask the agent to confirm instead of ending.
personas:
  - {name: busy, description: In a hurry; short messages.}
""",
    "Persona": """
name: busy
description: In a hurry; short messages, wants things done quickly.
""",
    "DatabaseSpec": """
engine: postgresql
url: postgresql://me@127.0.0.1:5432/dslgen
""",
    "GenerateTasksStage": """
stage: generate_tasks
source: [hand_written, templates, imported]
imported: [../domains/retail/tasks_tau_bench.yaml]
""",
    "GeneratedTasks": """
proposals: 20
rows_per_table: 2
""",
    "ExpandToolsStage": """
stage: expand_tools
proposals: 5
samples: 3
""",
    "ReturnSchemasStage": """
stage: return_schemas
attempts: 3
""",
    # ------------------------------------------------------------------ task templates
    "TaskTemplatesFile": """
task_templates:
  - id: cancel_pending
    sample: SELECT order_id FROM orders WHERE status = 'pending' ORDER BY order_id
    goal: You want your pending order {{ order_id }} cancelled.
    rubric:
      expected_calls:
        - {tool: cancel_pending_order, arguments: {order_id: "{{ order_id }}", reason: no longer needed}}
""",
    "TaskTemplate": """
id: cancel_pending
sample: |
  SELECT o.order_id, u.first_name, u.zip
  FROM orders AS o JOIN users AS u ON u.user_id = o.user_id
  WHERE o.status = 'pending' ORDER BY o.order_id
limit: 100
choose: {reason: [no longer needed, ordered by mistake]}
goal: "You want your pending order {{ order_id }} cancelled: {{ reason }}."
known: {first_name: "{{ first_name }}", zip: "{{ zip }}"}
persona: [patient, busy]
difficulty: easy
rubric:
  expected_calls:
    - tool: cancel_pending_order
      arguments: {order_id: "{{ order_id }}", reason: "{{ reason }}"}
  final_state:
    - sql: SELECT status FROM orders WHERE order_id = :order_id
      expect: cancelled
""",
    "SimulateStage": """
stage: simulate
mode: user_oriented
dialogues: 100
tasks_per_dialogue: 2
max_turns: 8
max_steps: 4
max_errors: 4
""",
    "StartState": """
messages:
  - {role: user, content: "Hi, I want to change my order."}
calls:
  - {tool: cancel_pending_order, arguments: {order_id: "#W0000000", reason: ordered by mistake}}
""",
    "Message": """
role: assistant
content: Could you give me your order id?
""",
    "StartCall": """
tool: record_result
arguments: {match_id: m052, home_goals: 3, away_goals: 1}
""",
    "ValidateStage": """
stage: validate
keep: valid
judge: true
""",
    "ExportStage": """
stage: export
format: openai
""",
    "OutputSpec": """
dir: out/league-run-1
""",
    # ------------------------------------------------------------------ tools
    "ToolsFile": """
tools:
  - name: find_club
    description: Find clubs whose name contains the given text.
    parameters:
      text: {type: string, description: Part of a club's name.}
    sql: SELECT club_id, name FROM clubs WHERE name LIKE '%' || :text || '%'
""",
    "ToolSpec": """
name: release_player
description: Release a player from his club; he becomes a free agent.
parameters:
  player_id: {type: string, description: "The player id, e.g. 'p104'."}
guards:
  - require: SELECT COUNT(*) FROM players WHERE player_id = :player_id
    error: "Error: player not found"
writes:
  - UPDATE players SET club_id = NULL WHERE player_id = :player_id
returns:
  row: SELECT player_id, name, club_id FROM players WHERE player_id = :player_id
""",
    "ParamSpec": """
type: string
description: Why the order is cancelled.
enum: [no longer needed, ordered by mistake]
""",
    "Guard": """
reject: SELECT name, budget_eur FROM clubs WHERE club_id = :to_club_id AND budget_eur < :fee_eur
error: "Error: {name} has only {budget_eur} euros left"
""",
    "Check": """
reject: SELECT name FROM players WHERE player_id = :player_id AND club_id IS NULL
error: "Error: {name} has no club"
""",
    "LetSpec": """
arithmetic: expression
round: 2
error: "Error: {reason}"
""",
    "Doc": """
row: SELECT club_id, name, city FROM clubs WHERE club_id = :club_id
fields:
  name: name
  city: city
  squad:
    rows: SELECT player_id, name FROM players WHERE club_id = :club_id ORDER BY name
""",
    "SimulatedOutput": """
instructions: Checkups and vaccinations are usually covered.
writes: false
output_schema:
  type: object
  properties: {covered: {type: boolean}, copay_usd: {type: number, minimum: 0}}
  required: [covered, copay_usd]
""",
    # ------------------------------------------------------------------ tasks
    "TasksFile": """
tasks:
  - id: league_leader
    goal: You want to know which club leads the 2024-25 league table.
    known: {season: 2024-25}
    rubric:
      expected_calls: [{tool: league_table, arguments: {season: 2024-25}}]
""",
    "TaskSpec": """
id: record_a_result
goal: You want the result of match m052, Fenwick City 3, Glasby Wanderers 1, recorded.
known: {match_id: m052}
unknown: [the kick-off time]
persona: secretary
difficulty: medium
rubric:
  expected_calls:
    - {tool: record_result, arguments: {match_id: m052, home_goals: 3, away_goals: 1}}
  final_state:
    - {sql: "SELECT status FROM matches WHERE match_id = 'm052'", expect: played}
""",
    "Rubric": """
expected_calls:
  - {tool: find_patient, arguments: {name: Patel}}
  - {tool: book_appointment, arguments: {patient_id: pa08, slot_id: s027}}
checkpoints:
  - {text: The agent confirms the time and the doctor., severity: structural}
final_state:
  - sql: SELECT COUNT(*) FROM appointments WHERE patient_id = 'pa08' AND status = 'booked'
    expect: 1
""",
    "ExpectedCall": """
tool: cancel_appointment
arguments: {appointment_id: A1002, reason: patient asked}
""",
    "Checkpoint": """
text: The agent tells the user that no refills are left.
severity: critical
""",
    "StateCheck": """
sql: SELECT club_id, budget_eur FROM clubs WHERE club_id IN ('fen', 'gla') ORDER BY club_id
expect: [[fen, 79000000.0], [gla, 500000.0]]
description: Fenwick received the fee, Glasby paid it
""",
    # ------------------------------------------------------------------ seed mapping
    "SeedMapping": """
documents:
  clubs: clubs.json
tables:
  clubs:
    from: clubs/{club}
    columns: {club_id: {key: club}, name: , city: }
  players:
    from: clubs/{club}/squad/{n}
    columns: {player_id: , name: , club_id: {key: club}, shirt_number: }
""",
    "TableSource": """
from: users/{user}/payment_methods/{method}
columns:
  payment_method_id: {key: method}
  user_id: {key: user}
  position: {index: method}
  source:
  last_four: card/last_four
""",
    "FromStep": """
key: user
""",
    "IndexOf": """
index: method
""",
    "PathOf": """
path: address/city
of: user
""",
    "Constant": """
value: open
""",
}
