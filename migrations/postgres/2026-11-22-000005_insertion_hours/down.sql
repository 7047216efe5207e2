DROP TABLE hour_entries;
DROP TABLE participants;
