-- One counter that every write changing the figures raises in its own transaction: computed
-- indicators are kept in memory under the version they were computed at, and a new version
-- makes them stale at once, on every instance sharing the database.
CREATE TABLE data_version (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 0);
