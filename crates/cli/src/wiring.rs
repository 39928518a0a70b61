//! The composition root: PostgreSQL, argon2id, the system clock and the webhook
//! adapters plugged into the domain's services and the HTTP state.

use std::sync::Arc;

use async_trait::async_trait;
use clientela_domain::ports::SystemClock;
use clientela_domain::services::{
    AccountPorts, AccountService, AppService, ClientService, ProductLinkService, ProductService,
};
use clientela_hotmart::HotmartAdapter;
use clientela_http::{AppState, ReadinessCheck};
use clientela_kiwify::KiwifyAdapter;
use clientela_password::Argon2Hasher;
use clientela_platform::{PlatformAdapter, Registry, WebhookDriver};
use clientela_postgres::PgStore;

/// Readiness check that runs a query on the database.
struct DatabaseReadiness(PgStore);

#[async_trait]
impl ReadinessCheck for DatabaseReadiness {
    async fn check(&self) -> Result<(), String> {
        self.0.ping().await.map_err(|error| error.to_string())
    }
}

/// Registers the adapters of the platforms whose webhooks the service accepts.
pub fn registry() -> Registry {
    let adapters: [Arc<dyn PlatformAdapter>; 2] =
        [Arc::new(HotmartAdapter), Arc::new(KiwifyAdapter)];
    let mut registry = Registry::new();
    for adapter in adapters {
        registry
            .register(adapter)
            .expect("each adapter is for another platform");
    }
    registry
}

/// Builds the webhook driver over the store.
pub fn webhook_driver(store: &PgStore) -> WebhookDriver {
    WebhookDriver::new(registry(), Arc::new(store.clone()), Arc::new(SystemClock))
}

pub fn app_service(store: &PgStore) -> AppService {
    AppService::new(Arc::new(store.clone()), Arc::new(SystemClock))
}

/// Builds every service of the HTTP API over one store.
pub fn app_state(store: &PgStore) -> AppState {
    let repository = Arc::new(store.clone());
    let clock = Arc::new(SystemClock);
    // One hasher, so its cap on concurrent hashes covers every use case.
    let passwords = Arc::new(Argon2Hasher::new());
    AppState {
        apps: AppService::new(repository.clone(), clock.clone()),
        clients: ClientService::new(
            repository.clone(),
            repository.clone(),
            repository.clone(),
            passwords.clone(),
            clock.clone(),
        ),
        products: ProductService::new(repository.clone(), clock.clone()),
        accounts: AccountService::new(AccountPorts {
            accounts: repository.clone(),
            sessions: repository.clone(),
            throttle: repository.clone(),
            clients: repository.clone(),
            grants: repository.clone(),
            products: repository.clone(),
            passwords,
            clock: clock.clone(),
        }),
        product_links: ProductLinkService::new(repository.clone(), repository, clock),
        webhooks: webhook_driver(store),
        readiness: Arc::new(DatabaseReadiness(store.clone())),
    }
}
