-- Work contracts are derived again from each participant's months at every import (a thousand
-- participants a statement): the index holds every column that derivation reads, so that the
-- read stays in the index instead of visiting a row of the table for each month.
DROP INDEX ix_hour_entries_participant;
CREATE INDEX ix_hour_entries_participant ON hour_entries
    (participant_id, month, lot_id, company_id, review, employment_contract, insertion_employer_id);
