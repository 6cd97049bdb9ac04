-- The learned model as a compressed binary snapshot, split into chunks so no
-- single row grows past what SQLite (or PostgreSQL) handles comfortably.
CREATE TABLE model_snapshot (
	seq  INTEGER NOT NULL PRIMARY KEY,
	data BLOB NOT NULL
);
