-- Every policy administrators saved in the web UI, whole, as the TOML of
-- the configuration file's [policy] tables. The highest version is in
-- force on every replica; version 0, never stored, is the configuration
-- file's. Append-only: going back is one more version.
CREATE TABLE policy_versions (
	version INTEGER NOT NULL PRIMARY KEY,
	at      INTEGER NOT NULL, -- Unix milliseconds
	actor   TEXT NOT NULL,
	policy  TEXT NOT NULL
);
