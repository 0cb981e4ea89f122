-- Reflected from the help-desk starter by `dslgen init`: tables in dependency order (parents first).
-- SQLite is the reference dialect; PostgreSQL gets a transpile.

CREATE TABLE customers (
  customer_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  UNIQUE (email)
);

CREATE TABLE tickets (
  ticket_id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'waiting', 'closed')),
  FOREIGN KEY (customer_id) REFERENCES customers (customer_id)
);
