//! Black-box tests: the real application on a random port, the real binary, real databases.
//!
//! The backend under test is SQLite unless `TEST_DATABASE_URL` names a PostgreSQL server, in
//! which case every test gets a fresh schema of its own there. Tests that compare both backends
//! reach PostgreSQL at `TEST_POSTGRES_URL` (default postgres://postgres@127.0.0.1:5432/test);
//! when it cannot be reached they are skipped with a line on standard error, unless
//! `SUIVI_REQUIRE_POSTGRES=1` makes them fail.

// The length lints are for src/: a test scenario reads best whole.
#![allow(clippy::too_many_lines, clippy::cognitive_complexity)]

mod account_management;
mod audit_log;
mod authorization;
mod backup;
mod browser;
mod clause_form;
mod cli;
mod closures;
mod company_form;
mod contract_forms;
mod contracts_import;
mod decp;
mod decp_import;
mod decp_without_siret;
mod example_data;
mod exports;
mod followup;
mod health;
mod helpers;
mod hours_import;
mod import_jobs;
mod import_undo;
mod imports;
mod indicator_properties;
mod indicators;
mod instances;
mod leaks;
mod listings;
mod migrations;
mod obligations;
mod openapi;
mod organisation;
mod pages;
mod participant_form;
mod participants;
mod pathway;
mod phone;
mod printed_workbook;
mod printout;
mod qpv_share;
mod reminders;
mod reviews;
mod rollups;
mod search;
mod seed;
mod sessions;
mod shared_records;
mod small_groups;
mod smtp;
mod spaser;
mod spreadsheet_habits;
mod staged_import;
mod storage;
mod stored_values;
mod upload_limits;
mod work_contracts;
mod xlsb;
