//! The frame every page shares: its title, the menu the person's role opens, the person signed
//! in and the anti-CSRF token for their forms.

use actix_web::{HttpRequest, web};

use crate::configuration::organisation::{DEFAULT_NAME, LOGO_PATH, Organisation};
use crate::domain::Labelled;
use crate::domain::authorization::{Action, is_allowed};
use crate::storage::users::Account;

/// The menu, in the order shown; an entry appears only to the roles its action allows.
const MENU: &[(&str, &str, Action)] = &[
    (
        "/tableau-de-bord",
        "Tableau de bord",
        Action::ReadIndicators,
    ),
    ("/marches", "Marchés", Action::ReadContracts),
    ("/a-faire", "À faire", Action::ReadFollowup),
    (
        "/entreprises",
        "Entreprises et structures",
        Action::ReadCompanies,
    ),
    ("/imports", "Imports", Action::ReadImports),
    ("/releves", "Relevés d'heures", Action::ReadReviews),
    ("/participants", "Participants", Action::ReadParticipants),
    ("/utilisateurs", "Utilisateurs", Action::ReadUsers),
    ("/journal", "Journal d'audit", Action::ReadAuditLog),
];

/// The page whose entry shows its count.
const FOLLOWUP: &str = "/a-faire";

/// Where a signed-in person lands: the first page of the menu their role opens.
pub fn home_of(account: &Account) -> &'static str {
    MENU.iter()
        .find(|(_, _, action)| is_allowed(account.role, *action))
        .map_or("/compte", |(href, _, _)| href)
}

pub struct MenuEntry {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
    /// The open items of « À faire », beside its entry.
    pub count: Option<usize>,
}

pub struct Person {
    pub name: String,
    pub role: &'static str,
    pub csrf: String,
}

/// The organisation's name, and its logo's address when it has one.
#[derive(Debug, Clone)]
pub struct Brand {
    pub name: String,
    pub logo: Option<&'static str>,
}

impl Default for Brand {
    fn default() -> Brand {
        Brand {
            name: DEFAULT_NAME.to_owned(),
            logo: None,
        }
    }
}

impl Brand {
    /// The organisation the service was started for.
    pub fn of(req: &HttpRequest) -> Brand {
        req.app_data::<web::Data<Organisation>>()
            .map_or_else(Brand::default, |organisation| Brand {
                name: organisation.name.clone(),
                logo: organisation.logo.as_ref().map(|_| LOGO_PATH),
            })
    }

    /// Whether a name other than the product's was configured (said beside the product's).
    pub fn is_own(&self) -> bool {
        self.name != DEFAULT_NAME
    }
}

/// The frame of a page: its title, the menu, the person signed in.
pub struct Shell {
    pub title: String,
    pub brand: Brand,
    pub menu: Vec<MenuEntry>,
    pub person: Option<Person>,
}

impl Shell {
    pub fn anonymous(title: &str, brand: Brand) -> Shell {
        Shell {
            title: title.to_owned(),
            brand,
            menu: Vec::new(),
            person: None,
        }
    }

    /// `open_items`: the count of « À faire », when it was read.
    pub(super) fn of(
        account: &Account,
        csrf: &str,
        path: &str,
        title: &str,
        open_items: Option<usize>,
        brand: Brand,
    ) -> Shell {
        Shell {
            title: title.to_owned(),
            brand,
            menu: MENU
                .iter()
                .filter(|(_, _, action)| is_allowed(account.role, *action))
                .map(|(href, label, _)| MenuEntry {
                    href,
                    label,
                    current: path == *href || path.starts_with(&format!("{href}/")),
                    count: open_items.filter(|_| *href == FOLLOWUP),
                })
                .collect(),
            person: Some(Person {
                name: account.display_name.to_string(),
                role: account.role.label(),
                csrf: csrf.to_owned(),
            }),
        }
    }
}
