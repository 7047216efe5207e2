//! suivi-clauses: insertion clauses of public contracts, tracked for French public buyers.
//!
//! Layers, from the inside out: `domain` (pure rules and types), `storage` (diesel over SQLite
//! or PostgreSQL), `accounts`, `indicators`, `import` and `export`; then `app`, the use cases;
//! then its adapters `web` (actix-web: JSON API and pages) and `cli`, with `configuration`,
//! `telemetry` and `startup` wiring them together.

pub mod accounts;
pub mod app;
pub mod cli;
pub mod configuration;
pub mod domain;
pub mod export;
pub mod generator;
pub mod import;
pub mod indicators;
pub mod mail;
pub mod startup;
pub mod storage;
pub mod telemetry;
pub mod web;
