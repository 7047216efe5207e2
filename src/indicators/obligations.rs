//! The contracts of a scope short of the social condition the law requires, counted for the
//! dashboard, which shows the count on every answer.

use diesel::result::Error;

use super::DataScope;
use crate::domain::ObligationRules;
use crate::storage::DbConnection;
use crate::storage::obligations::{self as register, ObligationFilter};

/// How many contracts of the scope, whatever their year, lack a social condition and a ground
/// under `rules`.
pub fn lacking_social_condition(
    conn: &mut DbConnection,
    scope: &DataScope,
    rules: &ObligationRules,
) -> Result<usize, Error> {
    let filter = ObligationFilter {
        buyer_ids: scope.buyer_ids.clone(),
        ..ObligationFilter::default()
    };
    Ok(register::records(conn, &filter)?
        .iter()
        .filter(|record| rules.assess(&record.facts()).lacks_social_condition())
        .count())
}
