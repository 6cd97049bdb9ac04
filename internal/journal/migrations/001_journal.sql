-- What serve replicas learned, for the others: one row per message let
-- through, its model.Observation as JSON (addresses, dates, thread ids;
-- no subject, no text).
CREATE TABLE model_journal (
	seq    INTEGER PRIMARY KEY AUTOINCREMENT,
	origin TEXT NOT NULL,
	at     BIGINT NOT NULL,
	obs    BLOB NOT NULL
);
CREATE INDEX model_journal_at ON model_journal (at);
