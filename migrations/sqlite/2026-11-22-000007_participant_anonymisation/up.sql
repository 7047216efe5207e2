-- When a participant's identifying data was erased after the retention period (purge): the row
-- stays, so hours, distinct participants and breakdowns by criterion, sex and age are unchanged.
ALTER TABLE participants ADD COLUMN anonymised_at TIMESTAMP;
