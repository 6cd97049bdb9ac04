-- The samples misend import's calibration fitted the weights on: numbers
-- only (feature vectors), no addresses, no text. Refitting while serving
-- starts from them, so a few answers move the weights without forgetting
-- what the history taught.
CREATE TABLE refit_import (
	id          INTEGER PRIMARY KEY,
	feature_set TEXT NOT NULL,
	mistake     INTEGER NOT NULL, -- 1 for a sample with a wrong recipient put in
	features    BLOB NOT NULL
);
-- What the last import's window was, for the refitted weights' provenance.
CREATE TABLE refit_window (
	id        INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
	from_ms   BIGINT NOT NULL,
	until_ms  BIGINT NOT NULL,
	messages  INTEGER NOT NULL
);
-- Which replica refits: the one that moves claimed_ms forward first.
CREATE TABLE refit_claim (
	id         INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
	claimed_ms BIGINT NOT NULL
);
