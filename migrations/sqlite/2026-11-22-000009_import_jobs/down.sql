ALTER TABLE imports DROP COLUMN heartbeat_at;
ALTER TABLE imports DROP COLUMN phase;
