-- Flights of the test domain. NUMERIC amounts come back as integers when they are whole.
CREATE TABLE users (
  user_id TEXT PRIMARY KEY,
  name TEXT NOT NULL
);

CREATE TABLE payment_sources (
  payment_id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (user_id),
  kind TEXT NOT NULL,                -- credit_card | gift_card | certificate
  balance NUMERIC                    -- gift cards and certificates only
);

-- named so that the `flights` list parameter of the tools does not hide it (DSL414)
CREATE TABLE scheduled_flights (
  flight_number TEXT NOT NULL,
  date TEXT NOT NULL,
  origin TEXT NOT NULL,
  destination TEXT NOT NULL,
  status TEXT NOT NULL,              -- available | cancelled
  seats_left INTEGER NOT NULL,
  price NUMERIC NOT NULL,
  PRIMARY KEY (flight_number, date)
);

CREATE TABLE reservations (
  reservation_id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (user_id),
  cabin TEXT NOT NULL,
  status TEXT NOT NULL
);

CREATE TABLE reservation_flights (
  reservation_id TEXT NOT NULL REFERENCES reservations (reservation_id),
  position INTEGER NOT NULL,
  flight_number TEXT NOT NULL,
  date TEXT NOT NULL,
  price NUMERIC NOT NULL,            -- price paid per passenger
  PRIMARY KEY (reservation_id, position)
);

CREATE TABLE reservation_passengers (
  reservation_id TEXT NOT NULL REFERENCES reservations (reservation_id),
  position INTEGER NOT NULL,
  first_name TEXT NOT NULL,
  last_name TEXT NOT NULL,
  dob TEXT NOT NULL,
  PRIMARY KEY (reservation_id, position)
);

CREATE TABLE reservation_payments (
  reservation_id TEXT NOT NULL REFERENCES reservations (reservation_id),
  position INTEGER NOT NULL,
  payment_id TEXT NOT NULL,
  amount NUMERIC NOT NULL,           -- negative: a refund
  PRIMARY KEY (reservation_id, position)
);
