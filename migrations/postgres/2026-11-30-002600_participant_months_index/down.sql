DROP INDEX ix_hour_entries_participant;
CREATE INDEX ix_hour_entries_participant ON hour_entries (participant_id);
