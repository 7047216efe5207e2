//! The filters the figures commands share (`stats`, `export`), resolved as an administrator's.

use crate::domain::{Departement, Siret};
use crate::indicators::{DataScope, scope};
use crate::storage::DbConnection;
use crate::storage::users::BuyerScope;

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
    /// The buyer asked, if any, and the data in scope. The operator at the command line sees
    /// everything, as an administrator does.
    pub fn resolve(&self, conn: &mut DbConnection) -> anyhow::Result<(Option<Siret>, DataScope)> {
        let buyer = self.buyer.as_deref().map(Siret::parse).transpose()?;
        let departement = self
            .departement
            .as_deref()
            .map(Departement::parse)
            .transpose()?;
        let scope = scope::resolve(
            conn,
            &BuyerScope::AllBuyers,
            buyer.as_ref(),
            departement.as_ref(),
        )?;
        Ok((buyer, scope))
    }
}
