DROP TABLE work_contract_lots;
DROP TABLE work_contracts;
