ALTER TABLE insertion_clauses DROP COLUMN set_by;
