DROP TABLE insertion_clauses;
DROP TABLE awards;
DROP TABLE lots;
DROP TABLE contracts;
