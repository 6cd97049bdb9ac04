-- Confidential-term lists, one per scope ("organization", "group:NAME",
-- "department:NAME"). term is stored as the operator wrote it; matching
-- normalises it.
CREATE TABLE terms_list (
	scope    TEXT NOT NULL,
	term     TEXT NOT NULL,
	weight   REAL NOT NULL CHECK (weight >= 0 AND weight <= 1),
	added_by TEXT NOT NULL DEFAULT '',
	added_at TEXT NOT NULL,
	PRIMARY KEY (scope, term)
);

-- How each scope decides a message is restricted; a scope without a row
-- uses mean weight >= 0.3.
CREATE TABLE terms_rules (
	scope         TEXT PRIMARY KEY,
	any_match     INTEGER NOT NULL DEFAULT 0,
	mean_at_least REAL NOT NULL DEFAULT 0.3
);

-- A term exempted for a scope until a time.
CREATE TABLE terms_exceptions (
	scope  TEXT NOT NULL,
	term   TEXT NOT NULL,
	until  TEXT NOT NULL,
	by     TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (scope, term)
);

-- Change control (paper §3.3): every proposal, direct edit and decision,
-- kept forever with who and when.
CREATE TABLE terms_changes (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	scope       TEXT NOT NULL,
	action      TEXT NOT NULL CHECK (action IN ('add', 'reweight', 'remove')),
	term        TEXT NOT NULL,
	weight      REAL,
	note        TEXT NOT NULL DEFAULT '',
	proposed_by TEXT NOT NULL,
	proposed_at TEXT NOT NULL,
	status      TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'direct')),
	decided_by  TEXT NOT NULL DEFAULT '',
	decided_at  TEXT NOT NULL DEFAULT '',
	decision_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX terms_changes_scope ON terms_changes (scope, status);

-- Imported thesauri: each group lists words that mean the same, in order of
-- preference (the first are offered first).
CREATE TABLE terms_synonyms (
	source TEXT NOT NULL,
	grp    TEXT NOT NULL,
	ord    INTEGER NOT NULL,
	word   TEXT NOT NULL,
	norm   TEXT NOT NULL,
	PRIMARY KEY (source, grp, ord)
);
CREATE INDEX terms_synonyms_norm ON terms_synonyms (norm);

-- Settings for personal-data detection.
CREATE TABLE terms_settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
