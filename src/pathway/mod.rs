//! The pathway stages. Each module adds to [`PersonSim`] (a person's life course,
//! [`life`]) the rates
//! of the processes it owns and the handlers of the events it owns:
//!
//! | module | rates | events |
//! | --- | --- | --- |
//! | [`arrest`] | arrest, crisis phase | arrest, trigger offence, test on arrest, DIP assessment and referral, charge |
//! | [`sentencing`] | | conviction, sentence |
//! | [`orders`] | breach | order start, completion, breach and revocation, treatment engagement |
//! | [`treatment`] | voluntary entry, dropout, completion | treatment start, dropout, completion |
//! | [`custody`] | | reception, release, continuity of care |
//! | [`mortality`] | death, desistance | death, desistance |
//! | [`schemes`] | (multipliers on the above) | cautions, diversion, bail, intensive partnership, drug courts, programmes, prison treatment, waiting list |
pub mod arrest;
pub mod custody;
pub mod life;
pub mod model;
pub mod mortality;
pub mod orders;
pub mod schemes;
pub mod sentencing;
pub mod treatment;

pub use life::PersonSim;
pub use model::{CapacityPlan, Model};
