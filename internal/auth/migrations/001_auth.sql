-- Local accounts. Roles and departments come from the directory; roles here
-- are extra grants (the first admin before any directory import). hash is
-- an argon2id PHC string; never a clear password.
CREATE TABLE auth_accounts (
	address      TEXT PRIMARY KEY,
	hash         TEXT NOT NULL,
	roles        TEXT NOT NULL DEFAULT '',
	failures     INTEGER NOT NULL DEFAULT 0,
	locked_until TEXT NOT NULL DEFAULT '',
	disabled     INTEGER NOT NULL DEFAULT 0,
	created      TEXT NOT NULL,
	changed      TEXT NOT NULL
);
-- Sessions: the cookie carries a random identifier, stored here only as its
-- SHA-256, so a copy of the database lets nobody sign in.
CREATE TABLE auth_sessions (
	id_hash   TEXT PRIMARY KEY,
	address   TEXT NOT NULL,
	csrf      TEXT NOT NULL,
	via       TEXT NOT NULL,
	created   TEXT NOT NULL,
	expires   TEXT NOT NULL
);
CREATE INDEX auth_sessions_address ON auth_sessions (address);
-- API bearer tokens, stored as their SHA-256 (they are 256 random bits, so
-- a slow hash buys nothing).
CREATE TABLE auth_tokens (
	id        INTEGER PRIMARY KEY,
	hash      TEXT NOT NULL UNIQUE,
	address   TEXT NOT NULL,
	name      TEXT NOT NULL,
	roles     TEXT NOT NULL DEFAULT '',
	created   TEXT NOT NULL,
	expires   TEXT NOT NULL DEFAULT '',
	revoked   TEXT NOT NULL DEFAULT '',
	last_used TEXT NOT NULL DEFAULT ''
);
-- A person's own choices (language), for local and OIDC sign-in alike.
CREATE TABLE auth_prefs (
	address TEXT PRIMARY KEY,
	lang    TEXT NOT NULL DEFAULT ''
);
