//! The composition root: PostgreSQL, argon2id and the system clock plugged into
//! the domain's services and the HTTP state.

use std::sync::Arc;

use async_trait::async_trait;
use clientela_domain::ports::SystemClock;
use clientela_domain::services::{AppService, ClientService, ProductService};
use clientela_http::{AppState, ReadinessCheck};
use clientela_password::Argon2Hasher;
use clientela_postgres::PgStore;

/// Readiness check that runs a query on the database.
struct DatabaseReadiness(PgStore);

#[async_trait]
impl ReadinessCheck for DatabaseReadiness {
    async fn check(&self) -> Result<(), String> {
        self.0.ping().await.map_err(|error| error.to_string())
    }
}

pub fn app_service(store: &PgStore) -> AppService {
    AppService::new(Arc::new(store.clone()), Arc::new(SystemClock))
}

/// Builds every service of the HTTP API over one store.
pub fn app_state(store: &PgStore) -> AppState {
    let repository = Arc::new(store.clone());
    let clock = Arc::new(SystemClock);
    AppState {
        apps: AppService::new(repository.clone(), clock.clone()),
        clients: ClientService::new(
            repository.clone(),
            repository.clone(),
            repository.clone(),
            Arc::new(Argon2Hasher::new()),
            clock.clone(),
        ),
        products: ProductService::new(repository, clock),
        readiness: Arc::new(DatabaseReadiness(store.clone())),
    }
}
