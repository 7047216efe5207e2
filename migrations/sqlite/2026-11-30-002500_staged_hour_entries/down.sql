DROP TABLE staged_hour_entries;
