//! The profiles the service uses, loaded once at start-up: each kind's own file where one is
//! given, the built-in one otherwise, each checked against the columns its kind reads.

use std::path::Path;

use super::kinds;
use super::profile::{Profile, ProfileError};
use crate::domain::ImportKind;

/// The profiles the service uses, one per importable kind.
#[derive(Debug, Clone)]
pub struct Profiles {
    structures: Profile,
    contracts: Profile,
    participants: Profile,
    hours: Profile,
    work_contracts: Profile,
}

const BUILT_IN_STRUCTURES: &str = include_str!("../../imports/structures.toml");
const BUILT_IN_CONTRACTS: &str = include_str!("../../imports/contracts.toml");
const BUILT_IN_PARTICIPANTS: &str = include_str!("../../imports/participants.toml");
const BUILT_IN_HOURS: &str = include_str!("../../imports/hours.toml");
const BUILT_IN_WORK_CONTRACTS: &str = include_str!("../../imports/work_contracts.toml");

impl Profiles {
    /// Reads `dir/<kind>.toml` where present, the built-in profile otherwise.
    pub fn load(dir: Option<&Path>) -> Result<Profiles, ProfileError> {
        let read = |name: &str, built_in: &str| -> Result<(String, String), ProfileError> {
            match dir.map(|d| d.join(name)).filter(|p| p.exists()) {
                Some(path) => std::fs::read_to_string(&path)
                    .map(|text| (path.display().to_string(), text))
                    .map_err(|e| ProfileError::Unreadable {
                        file: path.display().to_string(),
                        detail: e.to_string(),
                    }),
                None => Ok((format!("{name} (intégré)"), built_in.to_owned())),
            }
        };
        let load = |name: &str, built_in: &str, columns| -> Result<Profile, ProfileError> {
            let (file, text) = read(name, built_in)?;
            Profile::parse(&file, &text, columns)
        };
        Ok(Profiles {
            structures: load(
                "structures.toml",
                BUILT_IN_STRUCTURES,
                kinds::structures::COLUMNS,
            )?,
            contracts: load(
                "contracts.toml",
                BUILT_IN_CONTRACTS,
                kinds::contracts::COLUMNS,
            )?,
            participants: load(
                "participants.toml",
                BUILT_IN_PARTICIPANTS,
                kinds::participants::COLUMNS,
            )?,
            hours: load("hours.toml", BUILT_IN_HOURS, kinds::hours::COLUMNS)?,
            work_contracts: load(
                "work_contracts.toml",
                BUILT_IN_WORK_CONTRACTS,
                kinds::work_contracts::COLUMNS,
            )?,
        })
    }

    /// The profile of `kind`, when that kind can be imported.
    pub fn get(&self, kind: ImportKind) -> Option<&Profile> {
        match kind {
            ImportKind::Structures => Some(&self.structures),
            ImportKind::Contracts => Some(&self.contracts),
            ImportKind::Participants => Some(&self.participants),
            ImportKind::Hours => Some(&self.hours),
            ImportKind::WorkContracts => Some(&self.work_contracts),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_profiles_load() {
        let profiles = Profiles::load(None).unwrap();
        assert!(profiles.get(ImportKind::Structures).is_some());
        assert!(profiles.get(ImportKind::Hours).is_some());
    }
}
