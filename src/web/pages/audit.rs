//! The audit log's page (administrators): who did what and when, in French, filtered by
//! account, operation and days, a page of 50 lines at a time.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::PageError;
use super::pager::Pager;
use super::shell::Shell;
use super::viewer::Viewer;
use crate::app;
use crate::domain::{AuditAction, Labelled};
use crate::storage::audit::AuditEntry;
use crate::storage::{Database, PageRequest};
use crate::web::api::audit::AuditQuery;
use crate::web::auth::can;

const PER_PAGE: i64 = 50;

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct Line {
    pub when: String,
    pub actor: String,
    pub action: String,
    pub object: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    shell: Shell,
    actors: Vec<Choice>,
    actions: Vec<Choice>,
    from: String,
    to: String,
    lines: Vec<Line>,
    pager: Pager,
    /// Why the filter was refused, shown beside it.
    refusal: Option<String>,
}

/// `GET /journal?actor=&action=&from=&to=&page=`.
pub async fn audit_log(
    viewer: Viewer<can::ReadAuditLog>,
    query: web::Query<AuditQuery>,
    database: web::Data<Database>,
) -> Result<HttpResponse, PageError> {
    let filter = query.filter()?;
    let request = PageRequest::new(query.page, Some(PER_PAGE));
    let (found, actors, refusal) = super::listing_or_refusal(
        crate::web::run(&database, move |conn| {
            let actors = app::audit::actors(conn)?;
            Ok((app::audit::page(conn, &filter, request)?, actors))
        })
        .await,
    )?;
    let kept = |value: &Option<String>| value.as_deref().map(str::trim).map(str::to_owned);
    let pager = Pager::of(
        &found,
        "/journal",
        &[
            ("actor", kept(&query.actor)),
            ("action", kept(&query.action)),
            ("from", kept(&query.from)),
            ("to", kept(&query.to)),
        ],
    );
    let page = AuditPage {
        shell: viewer.shell("Journal d'audit"),
        actors: choices(
            actors.into_iter().map(|a| (a.clone(), a)),
            query.actor.as_deref(),
        ),
        actions: choices(
            AuditAction::ALL
                .iter()
                .map(|a| (a.code().to_owned(), a.label().to_owned())),
            query.action.as_deref(),
        ),
        from: kept(&query.from).unwrap_or_default(),
        to: kept(&query.to).unwrap_or_default(),
        lines: found.items.into_iter().map(line).collect(),
        pager,
        refusal,
    };
    super::listing_html(&page, &page.refusal)
}

/// The options of a filter, as (value, label), the one asked selected.
fn choices(options: impl Iterator<Item = (String, String)>, asked: Option<&str>) -> Vec<Choice> {
    let asked = asked.map(str::trim);
    options
        .map(|(value, label)| Choice {
            selected: asked == Some(value.as_str()),
            value,
            label,
        })
        .collect()
}

fn line(entry: AuditEntry) -> Line {
    let object = match (entry.target, entry.details) {
        (Some(target), Some(details)) => format!("{target} — {details}"),
        (Some(target), None) => target,
        (None, Some(details)) => details,
        (None, None) => String::new(),
    };
    Line {
        when: entry.occurred_at.format("%d/%m/%Y %H:%M:%S").to_string(),
        actor: entry.actor,
        // A line written by an older version keeps its code when it has no label any more.
        action: AuditAction::from_code(&entry.action)
            .map_or(entry.action, |action| action.label().to_owned()),
        object,
    }
}
