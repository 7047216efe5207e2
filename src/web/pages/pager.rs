//! Pages of a listing: where one is, and the links to the pages beside it, keeping the filters.

use crate::web::listings::Page;

pub struct Pager {
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub previous: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// `base` is the page's path; `filters` the query's fields to keep, empty ones left out.
    pub fn of<T>(found: &Page<T>, base: &str, filters: &[(&str, Option<String>)]) -> Pager {
        let pages = ((found.total + found.per_page - 1) / found.per_page.max(1)).max(1);
        let link = |page: i64| {
            let mut url = form_urlencoded::Serializer::new(String::new());
            for (key, value) in filters {
                if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
                    url.append_pair(key, value);
                }
            }
            url.append_pair("page", &page.to_string());
            format!("{base}?{}", url.finish())
        };
        Pager {
            total: found.total,
            page: found.page,
            pages,
            previous: (found.page > 1).then(|| link(found.page - 1)),
            next: (found.page < pages).then(|| link(found.page + 1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_filters_and_stop_at_the_ends() {
        let found = Page::<()> {
            items: Vec::new(),
            page: 2,
            per_page: 25,
            total: 51,
        };
        let pager = Pager::of(
            &found,
            "/marches",
            &[("q", Some("voirie & co".into())), ("year", None)],
        );
        assert_eq!(pager.pages, 3);
        assert_eq!(
            pager.previous.as_deref(),
            Some("/marches?q=voirie+%26+co&page=1")
        );
        assert_eq!(
            pager.next.as_deref(),
            Some("/marches?q=voirie+%26+co&page=3")
        );
        let last = Page::<()> { page: 3, ..found };
        assert!(Pager::of(&last, "/marches", &[]).next.is_none());
    }
}
