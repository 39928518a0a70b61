use std::sync::Arc;

use futures::executor::block_on;

use super::*;
use crate::error::RepositoryError;
use crate::ports::MockProductRepository;
use crate::product::PRODUCT_NAME_MAX_CHARS;
use crate::services::test_support::{NOW, app, clock, product};

fn service(products: MockProductRepository) -> ProductService {
    ProductService::new(Arc::new(products), Arc::new(clock()))
}

fn field_errors(error: DomainError) -> Vec<(String, &'static str)> {
    match error {
        DomainError::Validation(errors) => {
            errors.0.into_iter().map(|e| (e.field, e.code)).collect()
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn list_returns_catalogue() {
    let app = app();
    let catalogue = vec![product(&app, "Curso"), product(&app, "E-book")];
    let mut products = MockProductRepository::new();
    let expected = catalogue.clone();
    let app_id = app.id;
    products
        .expect_list_products()
        .withf(move |id| *id == app_id)
        .times(1)
        .returning(move |_| Ok(catalogue.clone()));

    let listed = block_on(service(products).list(&app)).expect("listed");
    assert_eq!(listed, expected);
}

#[test]
fn create_trims_name() {
    let app = app();
    let app_id = app.id;
    let mut products = MockProductRepository::new();
    products
        .expect_create_product()
        .withf(move |new| {
            new.name == "Curso de Violão" && new.app_id == app_id && new.created_at == NOW
        })
        .times(1)
        .returning(|new| {
            Ok(Product {
                id: new.id,
                app_id: new.app_id,
                name: new.name.clone(),
                created_at: new.created_at,
            })
        });

    let created =
        block_on(service(products).create(&app, "  Curso de Violão \n")).expect("created");
    assert_eq!(created.name, "Curso de Violão");
}

#[test]
fn create_rejects_blank_name() {
    let error = block_on(service(MockProductRepository::new()).create(&app(), "   "))
        .expect_err("blank name");
    assert_eq!(field_errors(error), vec![("name".to_owned(), "required")]);
}

#[test]
fn create_rejects_long_name() {
    let name = "ç".repeat(PRODUCT_NAME_MAX_CHARS + 1);
    let error = block_on(service(MockProductRepository::new()).create(&app(), &name))
        .expect_err("long name");
    assert_eq!(field_errors(error), vec![("name".to_owned(), "too_long")]);
}

#[test]
fn create_accepts_name_at_limit() {
    let mut products = MockProductRepository::new();
    products.expect_create_product().times(1).returning(|new| {
        Ok(Product {
            id: new.id,
            app_id: new.app_id,
            name: new.name.clone(),
            created_at: new.created_at,
        })
    });
    let name = "ç".repeat(PRODUCT_NAME_MAX_CHARS);
    let created = block_on(service(products).create(&app(), &name)).expect("created");
    assert_eq!(created.name, name);
}

#[test]
fn storage_failure_propagates() {
    let mut products = MockProductRepository::new();
    products
        .expect_list_products()
        .returning(|_| Err(RepositoryError::Unavailable("pool timed out".to_owned())));
    let error = block_on(service(products).list(&app())).expect_err("storage down");
    assert_eq!(error, DomainError::Unavailable("pool timed out".to_owned()));
}
