-- One row per decision on one message. No bodies, no subjects: the model and
-- the reports need who, when, which verdict and why, nothing more.
CREATE TABLE decisions (
	id         INTEGER PRIMARY KEY,
	at         INTEGER NOT NULL, -- unix milliseconds
	via        TEXT NOT NULL,    -- smtp, milter, api, check
	message_id TEXT NOT NULL,
	queue_id   TEXT NOT NULL,    -- misend queue entry when the message waits there
	sender     TEXT NOT NULL,
	department TEXT NOT NULL,
	verdict    TEXT NOT NULL,    -- what happened
	decided    TEXT NOT NULL,    -- what the rules said (differs in shadow mode)
	shadow     INTEGER NOT NULL,
	rule       TEXT NOT NULL,
	score      REAL NOT NULL,
	codes      TEXT NOT NULL,    -- space-separated finding codes, for cheap GROUP BY/LIKE
	findings   TEXT NOT NULL,    -- JSON, operator view (may include matched terms)
	error      TEXT NOT NULL     -- detection error that led to a fail-safe verdict
);
CREATE INDEX decisions_at ON decisions (at);
CREATE INDEX decisions_sender_at ON decisions (sender, at);
CREATE INDEX decisions_department_at ON decisions (department, at);
