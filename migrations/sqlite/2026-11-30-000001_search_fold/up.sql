-- SQLite's `fold` and `sort_key` are the service's own functions, registered on each
-- connection (src/storage/connection.rs): nothing to create. PostgreSQL's are in its migration.
SELECT 1;
