-- Reflected from `sqlite:///school.db` by `dslgen init`: tables in dependency order (parents first).
-- SQLite is the reference dialect; PostgreSQL gets a transpile.

CREATE TABLE departments (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  building TEXT,
  budget DOUBLE PRECISION,
  UNIQUE (name)
);

-- left out: photo (binary data)
CREATE TABLE teachers (
  teacher_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  department_code TEXT NOT NULL,
  mentor_id INTEGER,
  hired_on TEXT,
  UNIQUE (email),
  FOREIGN KEY (mentor_id) REFERENCES teachers (teacher_id),
  FOREIGN KEY (department_code) REFERENCES departments (code)
);

CREATE TABLE courses (
  course_code TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  department_code TEXT NOT NULL,
  teacher_id INTEGER,
  credits INTEGER NOT NULL,
  active BOOLEAN NOT NULL,
  FOREIGN KEY (teacher_id) REFERENCES teachers (teacher_id),
  FOREIGN KEY (department_code) REFERENCES departments (code)
);

CREATE TABLE students (
  student_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  enrolled_on TEXT NOT NULL,
  advisor_id INTEGER,
  UNIQUE (email),
  FOREIGN KEY (advisor_id) REFERENCES teachers (teacher_id)
);

CREATE TABLE enrollments (
  student_id INTEGER NOT NULL,
  course_code TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('enrolled', 'completed', 'dropped')),
  grade DOUBLE PRECISION,
  PRIMARY KEY (student_id, course_code),
  FOREIGN KEY (course_code) REFERENCES courses (course_code),
  FOREIGN KEY (student_id) REFERENCES students (student_id)
);

CREATE TABLE rooms (
  room_id TEXT PRIMARY KEY,
  building TEXT NOT NULL,
  capacity INTEGER NOT NULL
);

-- group_: "group" in the source database
CREATE TABLE sessions (
  session_id INTEGER PRIMARY KEY,
  course_code TEXT NOT NULL,
  room_id TEXT NOT NULL,
  weekday TEXT NOT NULL CHECK (weekday IN ('mon', 'tue', 'wed', 'thu', 'fri')),
  starts_at TEXT NOT NULL,
  group_ TEXT,
  FOREIGN KEY (room_id) REFERENCES rooms (room_id),
  FOREIGN KEY (course_code) REFERENCES courses (course_code)
);
