//! Where settings come from, in order: the optional TOML file, then the environment
//! (`SUIVI_SECTION__KEY`, and `DATABASE_URL`, `SUIVI_ADMIN_PASSWORD` as such). Each value is kept
//! as written, with where it came from, so that a mistake can be traced to its line or variable.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml::{Table, Value};

use super::SettingsError;
use super::lenient::KeyError;

/// Variables named for a setting outside the `SUIVI_SECTION__KEY` pattern, applied after it.
const ALIASES: [(&str, [&str; 2]); 2] = [
    ("DATABASE_URL", ["database", "url"]),
    ("SUIVI_ADMIN_PASSWORD", ["bootstrap", "admin_password"]),
];

/// Variables of the `SUIVI_` prefix that are not settings: the configuration file's path (read
/// by the command line) and the test suite's switch.
const NOT_SETTINGS: [&str; 2] = ["SUIVI_CONFIG", "SUIVI_REQUIRE_POSTGRES"];

/// The settings as written, before they are typed.
pub(super) struct Sources {
    pub table: Table,
    file: Option<PathBuf>,
    /// Dotted key → the environment variable that set it.
    variables: BTreeMap<String, String>,
}

/// Reads `file`, or `default` when it exists; `None` when there is no file to read.
pub(super) fn read_file(
    file: Option<&Path>,
    default: &Path,
) -> Result<Option<(PathBuf, String)>, SettingsError> {
    let path = match file {
        Some(path) if !path.exists() => return Err(SettingsError::MissingFile(path.to_owned())),
        Some(path) => path,
        None if default.exists() => default,
        None => return Ok(None),
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| SettingsError::Unreadable(path.to_owned(), e.to_string()))?;
    Ok(Some((path.to_owned(), text)))
}

impl Sources {
    /// The file's settings, overlaid by the environment's.
    pub fn gather(
        file: Option<(PathBuf, String)>,
        environment: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Sources, SettingsError> {
        let table = match &file {
            Some((path, text)) => text
                .parse::<Table>()
                .map_err(|e| SettingsError::Syntax(path.clone(), e.to_string()))?,
            None => Table::new(),
        };
        let mut sources = Sources {
            table,
            file: file.map(|(path, _)| path),
            variables: BTreeMap::new(),
        };
        let mut overlay: Vec<(bool, String, Vec<String>, String)> = environment
            .into_iter()
            .filter_map(|(name, value)| {
                let (alias, path) = setting_of(&name)?;
                Some((alias, name, path, value))
            })
            .collect();
        // Deterministic whatever the environment's order; the aliases win.
        overlay.sort();
        for (_, name, path, value) in overlay {
            sources.set(&path, Value::String(value));
            sources.variables.insert(path.join("."), name);
        }
        Ok(sources)
    }

    fn set(&mut self, path: &[String], value: Value) {
        let Some((last, sections)) = path.split_last() else {
            return;
        };
        let mut table = &mut self.table;
        for section in sections {
            let entry = table
                .entry(section.clone())
                .or_insert_with(|| Value::Table(Table::new()));
            if !entry.is_table() {
                *entry = Value::Table(Table::new());
            }
            let Value::Table(inner) = entry else {
                unreachable!("made a table just above")
            };
            table = inner;
        }
        table.insert(last.clone(), value);
    }

    /// The error, with where the faulty value was written.
    pub fn explain(&self, error: KeyError) -> SettingsError {
        let key = error.key();
        // A misspelt section (`SUIVI_SERVEUR__PORT`) is reported at the section.
        let variable = self
            .variables
            .iter()
            .find(|(set, _)| **set == key || set.starts_with(&format!("{key}.")))
            .map(|(_, variable)| variable);
        let origin = match (variable, &self.file) {
            (Some(variable), _) => format!("variable d'environnement {variable}"),
            (None, Some(file)) => format!("fichier {}", file.display()),
            (None, None) => "réglages".to_owned(),
        };
        SettingsError::Key {
            origin,
            detail: error.to_string(),
        }
    }
}

/// The setting a variable names, if any: whether it is an alias, and its path.
fn setting_of(name: &str) -> Option<(bool, Vec<String>)> {
    if let Some((_, path)) = ALIASES.iter().find(|(alias, _)| *alias == name) {
        return Some((true, path.iter().map(|s| (*s).to_owned()).collect()));
    }
    if NOT_SETTINGS.contains(&name) {
        return None;
    }
    let rest = name.strip_prefix("SUIVI_")?;
    Some((
        false,
        rest.to_lowercase().split("__").map(str::to_owned).collect(),
    ))
}
