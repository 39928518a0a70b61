use clientela_domain::error::RepositoryError;
use clientela_domain::ids::{AppId, ProductId};
use clientela_domain::ports::ProductRepository;
use clientela_domain::product::NewProduct;

use crate::support::{Fixture, now};

#[tokio::test(flavor = "multi_thread")]
async fn products_listed_by_name_per_app() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let other = fixture.app("outra").await;
    let zumba = fixture.product(&app, "Zumba em Casa").await;
    let curso = fixture.product(&app, "Curso de Inglês").await;
    fixture.product(&other, "Produto de outra app").await;

    let listed = fixture.store.list_products(app.id).await.expect("list");
    assert_eq!(listed, vec![curso, zumba]);
}

#[tokio::test(flavor = "multi_thread")]
async fn find_products_skips_unknown_and_foreign() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let other = fixture.app("outra").await;
    let first = fixture.product(&app, "Primeiro").await;
    let second = fixture.product(&app, "Segundo").await;
    let foreign = fixture.product(&other, "Alheio").await;

    let found = fixture
        .store
        .find_products(
            app.id,
            &[second.id, ProductId::generate(), foreign.id, first.id],
        )
        .await
        .expect("find");
    assert_eq!(found, vec![second, first]);

    let none = fixture
        .store
        .find_products(app.id, &[])
        .await
        .expect("find none");
    assert!(none.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn product_for_unknown_app() {
    let fixture = Fixture::new().await;
    let result = fixture
        .store
        .create_product(&NewProduct {
            id: ProductId::generate(),
            app_id: AppId::generate(),
            name: "Órfão".to_owned(),
            created_at: now(),
        })
        .await;
    assert_eq!(result, Err(RepositoryError::NotFound));
}

#[tokio::test(flavor = "multi_thread")]
async fn product_blank_name_rejected() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let result = fixture
        .store
        .create_product(&NewProduct {
            id: ProductId::generate(),
            app_id: app.id,
            name: "   ".to_owned(),
            created_at: now(),
        })
        .await;
    assert!(
        matches!(result, Err(RepositoryError::Other(_))),
        "got {result:?}"
    );
}
