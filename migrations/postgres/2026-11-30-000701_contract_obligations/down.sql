ALTER TABLE contracts DROP COLUMN social_exemption_text;
ALTER TABLE contracts DROP COLUMN social_exemption_ground;
ALTER TABLE contracts DROP COLUMN environmental_criterion;
ALTER TABLE contracts DROP COLUMN environmental_condition;
ALTER TABLE contracts DROP COLUMN social_condition;
ALTER TABLE contracts DROP COLUMN estimated_value_cents;
ALTER TABLE contracts DROP COLUMN contract_type;
ALTER TABLE contracts DROP COLUMN launch_date;
