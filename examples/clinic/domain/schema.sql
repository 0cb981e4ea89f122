CREATE TABLE patients (
  patient_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  insurer TEXT NOT NULL
);

CREATE TABLE slots (
  slot_id TEXT PRIMARY KEY,
  doctor TEXT NOT NULL,
  starts_at TEXT NOT NULL,
  booked_by TEXT REFERENCES patients (patient_id)
);
