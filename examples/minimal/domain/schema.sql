CREATE TABLE members (
  member_id TEXT PRIMARY KEY,
  name TEXT NOT NULL
);

CREATE TABLE books (
  book_id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  author TEXT NOT NULL,
  on_loan_to TEXT REFERENCES members (member_id)
);
