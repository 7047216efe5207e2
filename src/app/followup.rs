//! « À faire »: what needs someone today in the caller's scope — statements missing or awaiting
//! validation, clauses behind pace near their end or ended short, participants whose
//! eligibility waits for its validation, contracts lacking a condition the law requires — with the page to act on each, the most urgent first;
//! as a list, a page of it, its count for the menu, or a workbook.

use std::sync::Arc;

use chrono::NaiveDate;

use super::{AppError, Caller, ErrorCode, Listed, Narrowing};
use crate::domain::authorization::Action;
use crate::domain::{CompanyIdentifier, FollowupKind, FollowupRules, Labelled, Role};
use crate::export::{self, ExportError};
use crate::indicators::FigureCache;
use crate::indicators::followup::{Figures, FollowupItem, FollowupRequest};
use crate::storage::{DbConnection, PageRequest};

/// What is asked: one kind, one buyer (of the caller's), one company, at a date.
#[derive(Debug, Clone)]
pub struct FollowupQuery {
    pub kind: Option<FollowupKind>,
    pub narrowing: Narrowing,
    pub company: Option<CompanyIdentifier>,
    pub today: NaiveDate,
}

impl FollowupQuery {
    /// Everything the caller is shown at a date.
    pub fn all_at(today: NaiveDate) -> FollowupQuery {
        FollowupQuery {
            kind: None,
            narrowing: Narrowing::default(),
            company: None,
            today,
        }
    }

    /// Of the kind and company asked, when asked (the buyer narrows the scope itself).
    fn matches(&self, item: &FollowupItem) -> bool {
        self.kind.is_none_or(|k| item.kind == k)
            && self.company.as_ref().is_none_or(|id| {
                item.company
                    .as_ref()
                    .is_some_and(|c| c.siret == id.as_str())
            })
    }

    /// From the texts of an address, a form or the command line; blank means not asked.
    pub fn parse(
        kind: Option<&str>,
        buyer: Option<&str>,
        company: Option<&str>,
        today: NaiveDate,
    ) -> Result<FollowupQuery, AppError> {
        Ok(FollowupQuery {
            kind: filled(kind)
                .map(|t| {
                    FollowupKind::parse_label(t)
                        .map_err(|e| AppError::with(ErrorCode::InvalidFollowupKind, e))
                })
                .transpose()?,
            narrowing: Narrowing::parse(buyer, None)?,
            company: filled(company)
                .map(super::companies::company_of)
                .transpose()?,
            today,
        })
    }
}

fn filled(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

/// An item and the page to act on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowupLine {
    pub item: FollowupItem,
    pub link: String,
}

/// The items of the caller's scope as asked, the most urgent first. A kind the caller's role
/// is not shown lists nothing.
pub fn list(
    conn: &mut DbConnection,
    cache: &FigureCache,
    caller: &Caller,
    rules: &FollowupRules,
    query: &FollowupQuery,
) -> Result<Vec<FollowupLine>, AppError> {
    let items = kept_items(conn, cache, caller, rules, query)?;
    Ok(items
        .iter()
        .filter(|i| query.matches(i))
        .map(|item| line(item, caller.role))
        .collect())
}

/// One page of `list`, with how many items it holds in all: a line is made only for the
/// items shown (at national scale the list holds tens of thousands).
pub fn page(
    conn: &mut DbConnection,
    cache: &FigureCache,
    caller: &Caller,
    rules: &FollowupRules,
    (query, request): (&FollowupQuery, PageRequest),
) -> Result<Listed<FollowupLine>, AppError> {
    let items = kept_items(conn, cache, caller, rules, query)?;
    let matching = || items.iter().filter(|i| query.matches(i));
    let shown = matching()
        .skip(usize::try_from(request.offset()).unwrap_or(usize::MAX))
        .take(usize::try_from(request.per_page).unwrap_or(0))
        .map(|item| line(item, caller.role))
        .collect();
    let total = i64::try_from(matching().count()).unwrap_or(i64::MAX);
    Ok(Listed::of((shown, total), request))
}

fn line(item: &FollowupItem, role: Role) -> FollowupLine {
    FollowupLine {
        link: link(item, role),
        item: item.clone(),
    }
}

/// How many items the caller has today, for the menu: counted in the list kept per data
/// version, without making a line of each (at national scale the list holds tens of thousands
/// of items, and every page shows the count).
pub fn count(
    conn: &mut DbConnection,
    cache: &FigureCache,
    caller: &Caller,
    rules: &FollowupRules,
    today: NaiveDate,
) -> Result<usize, AppError> {
    let all = FollowupQuery::all_at(today);
    Ok(kept_items(conn, cache, caller, rules, &all)?.len())
}

/// Every item of the caller's scope at the query's date, as kept per data version.
fn kept_items(
    conn: &mut DbConnection,
    cache: &FigureCache,
    caller: &Caller,
    rules: &FollowupRules,
    query: &FollowupQuery,
) -> Result<Arc<Vec<FollowupItem>>, AppError> {
    if !caller.may(Action::ReadFollowup) {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    let request = FollowupRequest {
        scope: caller.data_scope(conn, &query.narrowing)?,
        today: query.today,
        rules: rules.clone(),
        kinds: FollowupKind::shown_to_role(caller.role),
    };
    Ok(cache.followup(conn, &request)?)
}

/// The list as asked, as a workbook.
pub fn workbook(
    conn: &mut DbConnection,
    cache: &FigureCache,
    caller: &Caller,
    rules: &FollowupRules,
    query: &FollowupQuery,
) -> Result<Vec<u8>, AppError> {
    let lines = list(conn, cache, caller, rules, query)?;
    let scope = caller.data_scope(conn, &query.narrowing)?;
    let items = lines.iter().map(|l| &l.item);
    Ok(
        export::followup::workbook(items, &scope.description, query.today)
            .map_err(ExportError::from)?,
    )
}

/// The page where the item is acted on: the lot on its contract's page; the upload page for a
/// company's own missing statements; the statements to validate, of the import when known;
/// the participant, by pseudonym; the contract's obligations on its page; the form of the
/// six-month situation on the participant's page.
fn link(item: &FollowupItem, role: Role) -> String {
    let contract = format!("/marches/{}", item.contract_id);
    let lot = match item.lot {
        Some(number) => format!("{contract}#lot-{number}"),
        None => contract.clone(),
    };
    match &item.figures {
        Figures::MissingStatement { .. } if role == Role::Company => "/imports".to_owned(),
        Figures::MissingStatement { .. } | Figures::Clause { .. } | Figures::QpvShare { .. } => lot,
        Figures::PendingValidation {
            import_id: Some(id),
            ..
        } => format!("/releves?import={id}"),
        Figures::PendingValidation { .. } => "/releves".to_owned(),
        Figures::ObligationMissing { .. } => format!("{contract}#obligations"),
        Figures::ExitFollowupDue { participant_id, .. } => {
            format!("/participants/{participant_id}#situation")
        }
        Figures::EligibilityPending { pseudonym, .. } => format!(
            "/participants?{}",
            form_urlencoded::Serializer::new(String::new())
                .append_pair("q", pseudonym)
                .finish()
        ),
    }
}
