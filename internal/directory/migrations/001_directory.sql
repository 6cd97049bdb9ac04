-- The organisation's people, as last imported. An import replaces every row
-- in one transaction, so readers never see half a directory.
CREATE TABLE directory_people (
	address    TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	department TEXT NOT NULL,
	lang       TEXT NOT NULL DEFAULT ''
);
CREATE TABLE directory_aliases (
	alias   TEXT PRIMARY KEY,
	address TEXT NOT NULL REFERENCES directory_people(address) ON DELETE CASCADE
);
CREATE TABLE directory_groups (
	address TEXT NOT NULL REFERENCES directory_people(address) ON DELETE CASCADE,
	grp     TEXT NOT NULL,
	PRIMARY KEY (address, grp)
);
CREATE TABLE directory_roles (
	address TEXT NOT NULL REFERENCES directory_people(address) ON DELETE CASCADE,
	role    TEXT NOT NULL,
	PRIMARY KEY (address, role)
);
-- scope is "department:NAME", "group:NAME" or "organization".
CREATE TABLE directory_approvers (
	scope   TEXT NOT NULL,
	address TEXT NOT NULL REFERENCES directory_people(address) ON DELETE CASCADE,
	PRIMARY KEY (scope, address)
);
CREATE TABLE directory_domains (
	domain TEXT PRIMARY KEY
);
