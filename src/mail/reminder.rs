//! The reminder a company receives: its missing statements, lot by lot, and the two links that
//! let it send them (its pre-filled hour template, the upload page). Only contracts, lots and
//! months: nothing about participants.

use super::Letter;
use crate::domain::reminder::MissingLot;

/// The company written to.
pub struct Addressee<'a> {
    pub name: &'a str,
    pub siret: &'a str,
    pub email: &'a str,
}

/// The absolute address of the company's pre-filled hour template.
pub fn template_link(public_url: &str, siret: &str) -> String {
    format!("{public_url}/api/imports/templates/hours?company={siret}")
}

/// The absolute address of the upload page.
pub fn upload_link(public_url: &str) -> String {
    format!("{public_url}/imports")
}

/// The message, in French.
pub fn letter(
    to: &Addressee<'_>,
    items: &[MissingLot],
    public_url: &str,
    from_name: &str,
    quiet_days: u32,
) -> Letter {
    let lines: Vec<String> = items.iter().map(|i| format!("- {}", i.line())).collect();
    let body = format!(
        "Bonjour,\n\n\
         Nous n'avons reçu aucun relevé d'heures d'insertion de {name} (SIRET {siret}) pour les \
         lots et les mois suivants :\n\n\
         {lines}\n\n\
         Pour les déclarer :\n\
         1. téléchargez le modèle de relevé déjà rempli avec vos lots :\n   {template}\n\
         2. complétez-le (une ligne par personne et par mois), puis déposez-le sur la page des \
         imports :\n   {upload}\n\n\
         Ces deux liens demandent de vous connecter avec le compte de votre entreprise.\n\
         Si ces heures ont déjà été envoyées, ou si aucune heure d'insertion n'a été réalisée \
         ces mois-là, prévenez le facilitateur de la clause.\n\n\
         Ce message est envoyé au plus une fois tous les {quiet_days} jours tant que des relevés \
         manquent.\n\n\
         {from_name}\n",
        name = to.name,
        siret = to.siret,
        lines = lines.join("\n"),
        template = template_link(public_url, to.siret),
        upload = upload_link(public_url),
    );
    Letter {
        to: to.email.to_owned(),
        from_name: from_name.to_owned(),
        subject: format!("Relevés d'heures d'insertion à envoyer — {}", to.name),
        body,
    }
}
