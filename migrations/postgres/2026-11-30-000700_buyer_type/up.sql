-- The kind of buyer, whose European threshold for supplies and services differs: a code of
-- the obligation rules' buyer types (rules/obligations.toml). Buyers known before are local
-- authorities, the rules' default.
ALTER TABLE buyers ADD COLUMN buyer_type TEXT NOT NULL DEFAULT 'local_authority'
    CHECK (buyer_type <> '');
