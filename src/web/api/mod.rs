//! The JSON API: each handler parses its request, calls one use case of `crate::app`, and
//! answers JSON (or a file); its wire types and the OpenAPI document live here.

pub mod audit;
pub mod buyers;
pub mod clauses;
pub mod closures;
pub mod contracts;
pub mod exports;
pub mod followup;
pub mod health;
pub mod imports;
pub mod indicators;
pub mod listings;
pub mod obligations;
pub mod openapi;
pub mod reminders;
pub mod reviews;
pub mod session;
pub mod users;
pub mod wire;
