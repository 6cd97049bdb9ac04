-- The feature vector behind a decision's score (numbers only), kept for
-- flagged decisions and a sample of passed ones so the weights can be
-- fitted again on what people answered (package refit). feature_set names
-- the build's features: vectors of another set are not fitted on.
ALTER TABLE decisions ADD COLUMN features BLOB;
ALTER TABLE decisions ADD COLUMN feature_set TEXT NOT NULL DEFAULT '';
