//! The filters the figures commands share (`stats`, `export`).

use crate::app::Narrowing;

#[derive(Debug, clap::Args)]
pub struct ScopeArgs {
    /// SIRET d'un acheteur ; tous les acheteurs sinon.
    #[arg(long, value_name = "SIRET")]
    pub buyer: Option<String>,
    /// Seulement les acheteurs dont le territoire comprend ce département.
    #[arg(long)]
    pub departement: Option<String>,
    /// Compte les sous-traitants déclarés dans les parts locales et TPE/PME.
    #[arg(long)]
    pub subcontractors: bool,
}

impl ScopeArgs {
    /// The buyer or département asked, checked.
    pub fn narrowing(&self) -> anyhow::Result<Narrowing> {
        Ok(Narrowing::parse(
            self.buyer.as_deref(),
            self.departement.as_deref(),
        )?)
    }
}
