//! Closing a lot's clause from its contract's page: the form posted, then back to the page
//! saying it is closed, or the page with why it was refused beside the lot's form.

use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::PageError;
use super::contracts::page_with;
use super::viewer::{CsrfForm, Posted};
use crate::app::closures::{self, CloseRequest};
use crate::app::{AppError, ErrorCode};
use crate::domain::{Labelled, Money, ObligationRules, PenaltyChange};
use crate::storage::Database;
use crate::web::auth::can;

#[derive(Deserialize)]
pub struct CloseForm {
    csrf_token: String,
    lot: i64,
    signatory_name: String,
    signatory_role: String,
    early_reason: Option<String>,
    /// Blank: the clause's penalty; `waived` or `reduced`.
    penalty_change: Option<String>,
    /// In euros, as typed (« 12,50 »).
    reduced_penalty_per_hour: Option<String>,
    penalty_reason: Option<String>,
}

impl CsrfForm for CloseForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

fn filled(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

impl CloseForm {
    fn request(&self) -> Result<CloseRequest, AppError> {
        let invalid = |e: String| AppError::with(ErrorCode::InvalidClosure, e);
        let penalty_change = filled(self.penalty_change.as_deref())
            .map(|t| PenaltyChange::parse_label(t).map_err(|e| invalid(e.to_string())))
            .transpose()?;
        let reduced = filled(self.reduced_penalty_per_hour.as_deref())
            .map(|t| {
                Money::parse(t)
                    .map_err(|e| invalid(format!("Montant réduit de la pénalité par heure : {e}")))
            })
            .transpose()?;
        Ok(CloseRequest {
            signatory_name: self.signatory_name.clone(),
            signatory_role: self.signatory_role.clone(),
            early_reason: self.early_reason.clone(),
            penalty_change,
            reduced_penalty_per_hour: reduced,
            penalty_reason: self.penalty_reason.clone(),
        })
    }
}

/// `POST /marches/{id}/cloture`: closes a lot's clause of the contract.
pub async fn close(
    posted: Posted<can::CloseClauses, CloseForm>,
    id: web::Path<String>,
    database: web::Data<Database>,
    rules: web::Data<ObligationRules>,
) -> Result<HttpResponse, PageError> {
    // Read here rather than by the extractor, so that the session is checked first.
    let contract_id: i64 = id
        .parse()
        .map_err(|_| PageError::Refused(AppError::not_found()))?;
    let (viewer, form) = (posted.viewer, posted.form);
    let lot = form.lot;
    let closed = match form.request() {
        Ok(request) => {
            let caller = viewer.caller();
            crate::web::run(&database, move |conn| {
                closures::close(conn, &caller, lot.into(), &request, crate::app::today())
            })
            .await
        }
        Err(error) => Err(error),
    };
    match closed {
        // Back to the page of the lot's contract, whichever the form was posted from.
        Ok(detail) => Ok(HttpResponse::SeeOther()
            .insert_header((
                LOCATION,
                format!(
                    "/marches/{}?message=cloturee#lot-{}",
                    detail.contract_id, detail.lot
                ),
            ))
            .finish()),
        Err(error) => Ok(page_with(&viewer, (&database, &rules), contract_id, None)
            .await?
            .refusing_closure(lot, &error)
            .respond()?),
    }
}
