-- What the buyer's legal obligations need to know of a contract: when its consultation was
-- launched, its nature (works, supplies, services), its estimated value (all lots, cents HT),
-- its social and environmental considerations besides insertion clauses, social award
-- criterion and reserved lots (known already), and the ground (a code of the obligation
-- rules) with its justification for leaving out a social condition.
ALTER TABLE contracts ADD COLUMN launch_date DATE;
ALTER TABLE contracts ADD COLUMN contract_type TEXT
    CHECK (contract_type IS NULL OR contract_type IN ('works', 'supplies', 'services'));
ALTER TABLE contracts ADD COLUMN estimated_value_cents BIGINT
    CHECK (estimated_value_cents IS NULL OR estimated_value_cents >= 0);
ALTER TABLE contracts ADD COLUMN social_condition BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE contracts ADD COLUMN environmental_condition BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE contracts ADD COLUMN environmental_criterion BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE contracts ADD COLUMN social_exemption_ground TEXT;
ALTER TABLE contracts ADD COLUMN social_exemption_text TEXT;
