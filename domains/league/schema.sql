-- A football league: clubs, their players, the season's matches with their goals, and
-- transfers. SQLite is the reference dialect; PostgreSQL gets a transpile.

CREATE TABLE clubs (
  club_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  city TEXT NOT NULL,
  founded INTEGER NOT NULL,
  stadium TEXT NOT NULL,
  budget_eur DOUBLE PRECISION NOT NULL      -- transfer budget left
);

CREATE TABLE players (
  player_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  position TEXT NOT NULL CHECK (position IN ('GK', 'DF', 'MF', 'FW')),
  birth_date TEXT NOT NULL,
  nationality TEXT NOT NULL,
  club_id TEXT REFERENCES clubs (club_id),  -- NULL: a free agent
  shirt_number INTEGER,
  market_value_eur DOUBLE PRECISION NOT NULL,
  contract_until TEXT
);

CREATE TABLE matches (
  match_id TEXT PRIMARY KEY,
  season TEXT NOT NULL,
  matchday INTEGER NOT NULL,
  home_club_id TEXT NOT NULL REFERENCES clubs (club_id),
  away_club_id TEXT NOT NULL REFERENCES clubs (club_id),
  kickoff TEXT NOT NULL,                    -- 'YYYY-MM-DD HH:MM', local time
  status TEXT NOT NULL CHECK (status IN ('scheduled', 'played', 'postponed')),
  home_goals INTEGER,
  away_goals INTEGER
);

CREATE TABLE goals (
  match_id TEXT NOT NULL REFERENCES matches (match_id),
  position INTEGER NOT NULL,                -- order in the match
  player_id TEXT NOT NULL REFERENCES players (player_id),
  club_id TEXT NOT NULL REFERENCES clubs (club_id),
  minute INTEGER NOT NULL,
  PRIMARY KEY (match_id, position)
);

CREATE TABLE transfers (
  transfer_id TEXT PRIMARY KEY,
  player_id TEXT NOT NULL REFERENCES players (player_id),
  from_club_id TEXT REFERENCES clubs (club_id),   -- NULL: signed as a free agent
  to_club_id TEXT NOT NULL REFERENCES clubs (club_id),
  fee_eur DOUBLE PRECISION NOT NULL,
  date TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('completed', 'cancelled'))
);
