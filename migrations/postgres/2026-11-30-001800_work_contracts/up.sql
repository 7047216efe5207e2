-- The employment contracts participants hold: sent by the facilitateur as a register, or derived
-- from the hour statements (one per participant, employer, contract type and run of months with
-- hours) while no register names the participant. Weekly hours in hundredths of an hour.
CREATE TABLE work_contracts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    participant_id BIGINT NOT NULL REFERENCES participants (id),
    employer_id BIGINT NOT NULL REFERENCES companies (id),
    insertion_employer_id BIGINT REFERENCES companies (id),
    contract_type TEXT NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE,
    weekly_hours BIGINT CHECK (weekly_hours IS NULL OR weekly_hours BETWEEN 1 AND 4800),
    derived BOOLEAN NOT NULL,
    import_id BIGINT REFERENCES imports (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (end_date IS NULL OR end_date >= start_date)
);
CREATE INDEX ix_work_contracts_participant ON work_contracts (participant_id);
CREATE INDEX ix_work_contracts_dates ON work_contracts (start_date, end_date);

-- The lots a work contract served.
CREATE TABLE work_contract_lots (
    work_contract_id BIGINT NOT NULL REFERENCES work_contracts (id) ON DELETE CASCADE,
    lot_id BIGINT NOT NULL REFERENCES lots (id) ON DELETE CASCADE,
    PRIMARY KEY (work_contract_id, lot_id)
);
CREATE INDEX ix_work_contract_lots_lot ON work_contract_lots (lot_id);
