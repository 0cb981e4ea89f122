-- A clinic's booking desk: doctors and their appointment slots, patients, appointments and
-- prescriptions. SQLite is the reference dialect; PostgreSQL gets a transpile.

CREATE TABLE doctors (
  doctor_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  specialty TEXT NOT NULL CHECK (specialty IN ('general', 'dermatology', 'pediatrics', 'cardiology')),
  room TEXT NOT NULL
);

CREATE TABLE patients (
  patient_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  birth_date TEXT NOT NULL,
  phone TEXT NOT NULL,
  email TEXT,
  insurer TEXT                              -- NULL: pays privately
);

CREATE TABLE slots (
  slot_id TEXT PRIMARY KEY,
  doctor_id TEXT NOT NULL REFERENCES doctors (doctor_id),
  starts_at TEXT NOT NULL,                  -- 'YYYY-MM-DD HH:MM'
  minutes INTEGER NOT NULL
);

CREATE TABLE appointments (
  appointment_id TEXT PRIMARY KEY,
  slot_id TEXT NOT NULL REFERENCES slots (slot_id),
  patient_id TEXT NOT NULL REFERENCES patients (patient_id),
  reason TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('booked', 'cancelled', 'completed')),
  cancel_reason TEXT
);

CREATE TABLE prescriptions (
  prescription_id TEXT PRIMARY KEY,
  patient_id TEXT NOT NULL REFERENCES patients (patient_id),
  doctor_id TEXT NOT NULL REFERENCES doctors (doctor_id),
  drug TEXT NOT NULL,
  dose TEXT NOT NULL,
  refills_left INTEGER NOT NULL,
  issued_on TEXT NOT NULL
);
