//! Pages of a listing: where one is, and the links to the pages beside it, keeping the filters.

use crate::app::Listed;

pub struct Pager {
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub previous: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// `base` is the page's path; `filters` the query's fields to keep, empty ones left out.
    pub fn of<T>(found: &Listed<T>, base: &str, filters: &[(&str, Option<String>)]) -> Pager {
        let (page, per_page) = (found.request.page, found.request.per_page);
        let pages = ((found.total + per_page - 1) / per_page.max(1)).max(1);
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
            page,
            pages,
            // Past the last page (an old link, a typed address), back to the last one.
            previous: (page > 1).then(|| link((page - 1).min(pages))),
            next: (page < pages).then(|| link(page + 1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::PageRequest;

    #[test]
    fn links_keep_the_filters_and_stop_at_the_ends() {
        let found = Listed::<()> {
            items: Vec::new(),
            total: 51,
            request: PageRequest::new(Some(2), Some(25)),
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
        let last = Listed::<()> {
            request: PageRequest::new(Some(3), Some(25)),
            ..found
        };
        assert!(Pager::of(&last, "/marches", &[]).next.is_none());
        let beyond = Listed::<()> {
            items: Vec::new(),
            total: 51,
            request: PageRequest::new(Some(9), Some(25)),
        };
        let pager = Pager::of(&beyond, "/marches", &[]);
        assert_eq!(pager.previous.as_deref(), Some("/marches?page=3"));
        assert!(pager.next.is_none());
    }
}
