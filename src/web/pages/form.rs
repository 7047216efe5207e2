//! What every form of the pages shares: its fields as posted (a field may repeat, as checked
//! boxes do), and a refusal shown inside the form, the faulty field marked.

use serde::Deserialize;

use super::accounts::Choice;
use super::viewer::CsrfForm;
use crate::app::AppError;
use crate::domain::Labelled;

/// A form as posted, field by field in order, so that repeated names are all kept.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(from = "Vec<(String, String)>")]
pub struct Fields(Vec<(String, String)>);

impl From<Vec<(String, String)>> for Fields {
    fn from(pairs: Vec<(String, String)>) -> Fields {
        Fields(pairs)
    }
}

impl Fields {
    /// The field's value, as typed; empty when absent.
    pub fn text(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    }

    /// The field's value, when it was filled in.
    pub fn filled(&self, name: &str) -> Option<String> {
        Some(self.text(name).trim().to_owned()).filter(|v| !v.is_empty())
    }

    /// Every value given under the name (checked boxes).
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .collect()
    }

    /// The names of the fields, in order (repeated ones as often as they come).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(key, _)| key.as_str())
    }

    /// Whether a box of that name was checked.
    pub fn checked(&self, name: &str) -> bool {
        self.0.iter().any(|(key, _)| key == name)
    }
}

impl CsrfForm for Fields {
    fn csrf_token(&self) -> &str {
        self.0
            .iter()
            .find(|(key, _)| key == "csrf_token")
            .map_or("", |(_, value)| value.as_str())
    }
}

/// A text field of the form: its name (also its id) and its value.
pub struct Input {
    pub name: String,
    pub value: String,
}

impl Input {
    pub fn of(name: String, value: &str) -> Input {
        Input {
            name,
            value: value.to_owned(),
        }
    }
}

/// A select of the form: its name and its options.
pub struct Select {
    pub name: String,
    pub options: Vec<Choice>,
}

/// The options of an enumeration, the one typed (by code or label) selected; `blank` first
/// when the field may be left empty.
pub fn select<T: Labelled>(name: String, typed: &str, blank: Option<&str>) -> Select {
    let chosen = T::parse_label(typed).ok();
    let mut options: Vec<Choice> = blank
        .map(|label| Choice {
            code: String::new(),
            label: label.to_owned(),
            selected: chosen.is_none(),
        })
        .into_iter()
        .collect();
    options.extend(T::ALL.iter().map(|v| Choice {
        code: v.code().to_owned(),
        label: v.label().to_owned(),
        selected: chosen == Some(*v),
    }));
    Select { name, options }
}

/// Why a form was refused: its message, shown beside the field at fault when there is one.
#[derive(Debug, Clone, Default)]
pub struct Refusal {
    pub field: Option<String>,
    pub message: String,
}

impl Refusal {
    pub fn of(error: &AppError) -> Refusal {
        Refusal {
            field: error.field.as_deref().map(str::to_owned),
            message: error.message().to_owned(),
        }
    }

    /// Whether the form was refused at all.
    pub fn is_some(&self) -> bool {
        !self.message.is_empty()
    }

    /// Whether `name` is the field at fault: the template marks it (`aria-invalid`) and ties
    /// the message to it (`aria-describedby`).
    pub fn marks(&self, name: &str) -> bool {
        self.field.as_deref() == Some(name)
    }

    /// Whether the message belongs to no field, and shows above the form.
    pub fn general(&self) -> bool {
        self.is_some() && self.field.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_fields_are_all_kept() {
        let fields = Fields::from(
            form_urlencoded::parse(b"csrf_token=t&buyers=1&buyers=2&all_buyers=true&email=+")
                .into_owned()
                .collect::<Vec<_>>(),
        );
        assert_eq!(fields.all("buyers"), ["1", "2"]);
        assert_eq!(fields.csrf_token(), "t");
        assert!(fields.checked("all_buyers") && !fields.checked("company_siret"));
        assert_eq!(fields.filled("email"), None);
        assert_eq!(fields.text("absent"), "");
    }
}
