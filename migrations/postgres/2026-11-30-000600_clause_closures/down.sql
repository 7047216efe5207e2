DROP INDEX ux_clause_closures_standing;
DROP TABLE clause_closures;
