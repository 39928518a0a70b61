use std::sync::Arc;

use futures::executor::block_on;

use super::*;
use crate::error::RepositoryError;
use crate::ports::{MockProductLinkRepository, MockProductRepository};
use crate::services::test_support::{NOW, actor, app, clock, product};

fn service(
    links: MockProductLinkRepository,
    products: MockProductRepository,
) -> ProductLinkService {
    ProductLinkService::new(Arc::new(links), Arc::new(products), Arc::new(clock()))
}

/// A catalogue that contains exactly `known`.
fn catalogue(known: crate::product::Product) -> MockProductRepository {
    let mut products = MockProductRepository::new();
    products.expect_find_products().returning(move |app, ids| {
        Ok(if app == known.app_id && ids == [known.id] {
            vec![known.clone()]
        } else {
            Vec::new()
        })
    });
    products
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
fn link_trims_and_audits() {
    let app = app();
    let course = product(&app, "Curso");
    let course_id = course.id;
    let app_id = app.id;
    let mut links = MockProductLinkRepository::new();
    links
        .expect_create_product_link()
        .withf(move |link, audit| {
            link.app_id == app_id
                && link.product_id == course_id
                && link.platform == Platform::Hotmart
                && link.external_id == "4120377"
                && audit.action == "product_link.create"
                && audit.client_id.is_none()
                && audit.before.is_none()
                && audit
                    .after
                    .as_ref()
                    .is_some_and(|after| after["external_id"] == "4120377")
                && audit.at == NOW
        })
        .times(1)
        .returning(|_, _| Ok(true));

    let link = block_on(service(links, MockProductRepository::new()).link(
        &app,
        &actor(),
        course_id,
        Platform::Hotmart,
        " 4120377 ",
    ))
    .expect("linked");

    assert_eq!(link.external_id, "4120377");
    assert_eq!(link.product_id, course_id);
}

#[test]
fn link_existing_is_reported() {
    let app = app();
    let mut links = MockProductLinkRepository::new();
    links
        .expect_create_product_link()
        .returning(|_, _| Ok(false));

    let error = block_on(service(links, MockProductRepository::new()).link(
        &app,
        &actor(),
        ProductId::generate(),
        Platform::Kiwify,
        "abc",
    ))
    .expect_err("exists");

    assert_eq!(error, DomainError::ProductLinkExists);
}

#[test]
fn link_unknown_product_is_not_found() {
    let app = app();
    let missing = ProductId::generate();
    let mut links = MockProductLinkRepository::new();
    links
        .expect_create_product_link()
        .returning(move |_, _| Err(RepositoryError::ProductNotFound(missing)));

    let error = block_on(service(links, MockProductRepository::new()).link(
        &app,
        &actor(),
        missing,
        Platform::Kiwify,
        "abc",
    ))
    .expect_err("unknown product");

    assert_eq!(error, DomainError::ProductNotFound(missing));
}

/// A platform, an external id and the (field, code) errors they must raise.
type InvalidLinkCase = (Platform, String, Vec<(&'static str, &'static str)>);

#[test]
fn link_input_is_validated() {
    let app = app();
    let links = MockProductLinkRepository::new();
    let service = service(links, MockProductRepository::new());
    let cases: [InvalidLinkCase; 4] = [
        (
            Platform::Manual,
            "1".to_owned(),
            vec![("platform", "not_a_sales_platform")],
        ),
        (
            Platform::Hotmart,
            "   ".to_owned(),
            vec![("external_id", "required")],
        ),
        (
            Platform::Hotmart,
            "9".repeat(EXTERNAL_ID_MAX_CHARS + 1),
            vec![("external_id", "too_long")],
        ),
        (
            Platform::Import,
            "a\u{0}b".to_owned(),
            vec![
                ("platform", "not_a_sales_platform"),
                ("external_id", "invalid_characters"),
            ],
        ),
    ];

    for (platform, external_id, expected) in cases {
        let error = block_on(service.link(
            &app,
            &actor(),
            ProductId::generate(),
            platform,
            &external_id,
        ))
        .expect_err("invalid");
        let expected: Vec<(String, &str)> = expected
            .into_iter()
            .map(|(field, code)| (field.to_owned(), code))
            .collect();
        assert_eq!(field_errors(error), expected, "{platform} {external_id:?}");
    }
}

#[test]
fn list_unknown_product_is_not_found() {
    let app = app();
    let course = product(&app, "Curso");
    let other = ProductId::generate();

    let error =
        block_on(service(MockProductLinkRepository::new(), catalogue(course)).list(&app, other))
            .expect_err("unknown product");

    assert_eq!(error, DomainError::ProductNotFound(other));
}

#[test]
fn list_returns_links() {
    let app = app();
    let course = product(&app, "Curso");
    let link = PlatformProductLink {
        app_id: app.id,
        platform: Platform::Hotmart,
        external_id: "4120377".to_owned(),
        product_id: course.id,
    };
    let mut links = MockProductLinkRepository::new();
    let stored = vec![link.clone()];
    links
        .expect_product_links()
        .times(1)
        .returning(move |_, _| Ok(stored.clone()));

    let listed =
        block_on(service(links, catalogue(course.clone())).list(&app, course.id)).expect("listed");

    assert_eq!(listed, vec![link]);
}

#[test]
fn unlink_missing_link_is_not_found() {
    let app = app();
    let course = product(&app, "Curso");
    let mut links = MockProductLinkRepository::new();
    links
        .expect_delete_product_link()
        .withf(|link, audit| {
            link.external_id == "abc"
                && audit.action == "product_link.delete"
                && audit.after.is_none()
                && audit.before.is_some()
        })
        .times(1)
        .returning(|_, _| Ok(false));

    let error = block_on(service(links, catalogue(course.clone())).unlink(
        &app,
        &actor(),
        course.id,
        Platform::Kiwify,
        "abc",
    ))
    .expect_err("no link");

    assert_eq!(error, DomainError::ProductLinkNotFound);
}

#[test]
fn unlink_unknown_product_is_not_found() {
    let app = app();
    let course = product(&app, "Curso");
    let other = ProductId::generate();

    let error = block_on(
        service(MockProductLinkRepository::new(), catalogue(course)).unlink(
            &app,
            &actor(),
            other,
            Platform::Kiwify,
            "abc",
        ),
    )
    .expect_err("unknown product");

    assert_eq!(error, DomainError::ProductNotFound(other));
}
