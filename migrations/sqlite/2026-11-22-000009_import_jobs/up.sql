-- Imports run as jobs: which phase a running one is in, and when it last reported progress.
-- A running import whose heartbeat has stopped was cut off (process killed, server stopped):
-- its transaction was rolled back, and it is shown as interrupted.
ALTER TABLE imports ADD COLUMN phase TEXT;
ALTER TABLE imports ADD COLUMN heartbeat_at TIMESTAMP;
