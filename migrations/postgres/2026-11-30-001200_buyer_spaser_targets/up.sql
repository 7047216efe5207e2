-- The buyer's own SPASER targets, in basis points (30 % = 3000): the share of contracts with a
-- social consideration and with an environmental one. Unset, the report falls back on the
-- national plan's 30 % for the social target and shows no environmental target.
ALTER TABLE buyers ADD COLUMN social_target_bp INTEGER
    CHECK (social_target_bp BETWEEN 0 AND 10000);
ALTER TABLE buyers ADD COLUMN environmental_target_bp INTEGER
    CHECK (environmental_target_bp BETWEEN 0 AND 10000);
