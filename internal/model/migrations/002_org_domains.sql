-- The organisation's own domains the model was learned with, readable
-- without decoding the snapshot.
CREATE TABLE model_org_domains (
	domain TEXT NOT NULL PRIMARY KEY
);
