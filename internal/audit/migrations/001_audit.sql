-- Who did what, when: every human view of a held body, every action on
-- held mail, list changes, sign-ins. Append-only; misend never updates or
-- deletes a row.
CREATE TABLE audit_log (
	id         INTEGER PRIMARY KEY,
	at         INTEGER NOT NULL, -- Unix milliseconds
	actor      TEXT NOT NULL,
	role       TEXT NOT NULL DEFAULT '',
	action     TEXT NOT NULL,
	target     TEXT NOT NULL DEFAULT '',
	department TEXT NOT NULL DEFAULT '',
	detail     TEXT NOT NULL DEFAULT '',
	remote     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor, at);
CREATE INDEX audit_log_action ON audit_log (action, at);
