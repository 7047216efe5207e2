DROP TABLE hour_rollups;
