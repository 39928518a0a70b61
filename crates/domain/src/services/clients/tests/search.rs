use futures::executor::block_on;
use time::OffsetDateTime;
use time::macros::{date, datetime};

use super::super::query::build_query;
use super::{Ports, field_errors, fields};
use crate::client::ClientStatus;
use crate::ids::{ClientId, ProductId};
use crate::search::{
    ClientQuery, ClientSort, Cursor, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_SEARCH_CHARS, Page,
    ProductFilter, ProductFilterMode,
};
use crate::services::SearchInput;
use crate::services::test_support::{app, stored_client};
use crate::tenant::App;
use crate::values::Platform;

fn app_in(time_zone: &str) -> App {
    App {
        time_zone: time_zone.to_owned(),
        ..app()
    }
}

fn query(input: SearchInput) -> ClientQuery {
    build_query(&app(), input).expect("valid search")
}

fn cursor(sort: ClientSort) -> String {
    Cursor {
        sort,
        key: "2026-03-10T15:30:00Z".to_owned(),
        id: ClientId::generate(),
    }
    .encode()
}

#[test]
fn defaults() {
    let query = query(SearchInput::default());
    assert_eq!(query.limit, DEFAULT_PAGE_SIZE);
    assert_eq!(query.sort, ClientSort::CreatedDesc);
    assert_eq!(query.text, None);
    assert_eq!(query.product, None);
    assert_eq!(query.after, None);
    assert_eq!(query.created_from, None);
    assert_eq!(query.created_before, None);
}

#[test]
fn filters_pass_through() {
    let query = query(SearchInput {
        platform: Some(Platform::Hotmart),
        status: Some(ClientStatus::Inactive),
        never_accessed: Some(true),
        has_chargeback: Some(false),
        sort: Some(ClientSort::NameAsc),
        limit: Some(MAX_PAGE_SIZE),
        ..SearchInput::default()
    });
    assert_eq!(query.platform, Some(Platform::Hotmart));
    assert_eq!(query.status, Some(ClientStatus::Inactive));
    assert_eq!(query.never_accessed, Some(true));
    assert_eq!(query.has_chargeback, Some(false));
    assert_eq!(query.sort, ClientSort::NameAsc);
    assert_eq!(query.limit, MAX_PAGE_SIZE);
}

#[test]
fn search_text_is_parsed() {
    let query = query(SearchInput {
        q: Some("  José D'Ávila ".to_owned()),
        ..SearchInput::default()
    });
    let text = query.text.expect("search text");
    assert_eq!(text.raw, "José D'Ávila");
    assert_eq!(text.name_words, ["jose", "davila"]);
}

#[test]
fn blank_search_text_is_absent() {
    let query = query(SearchInput {
        q: Some("   ".to_owned()),
        ..SearchInput::default()
    });
    assert_eq!(query.text, None);
}

#[test]
fn search_text_length_limit() {
    let at_limit = query(SearchInput {
        q: Some("ç".repeat(MAX_SEARCH_CHARS)),
        ..SearchInput::default()
    });
    assert!(at_limit.text.is_some());

    let error = build_query(
        &app(),
        SearchInput {
            q: Some("a".repeat(MAX_SEARCH_CHARS + 1)),
            ..SearchInput::default()
        },
    )
    .expect_err("too long");
    assert_eq!(field_errors(error.into()), fields(&[("q", "too_long")]));
}

#[test]
fn limit_out_of_range() {
    for limit in [0, MAX_PAGE_SIZE + 1] {
        let error = build_query(
            &app(),
            SearchInput {
                limit: Some(limit),
                ..SearchInput::default()
            },
        )
        .expect_err("limit out of range");
        assert_eq!(
            field_errors(error.into()),
            fields(&[("limit", "out_of_range")]),
            "{limit}"
        );
    }
}

#[test]
fn days_in_sao_paulo() {
    let query = query(SearchInput {
        created_from: Some(date!(2026 - 03 - 10)),
        created_to: Some(date!(2026 - 03 - 12)),
        last_access_before: Some(date!(2026 - 01 - 01)),
        ..SearchInput::default()
    });
    assert_eq!(query.created_from, Some(datetime!(2026-03-10 03:00 UTC)));
    assert_eq!(query.created_before, Some(datetime!(2026-03-13 03:00 UTC)));
    assert_eq!(
        query.last_access_before,
        Some(datetime!(2026-01-01 03:00 UTC))
    );
}

#[test]
fn single_day_range() {
    let query = query(SearchInput {
        created_from: Some(date!(2026 - 03 - 10)),
        created_to: Some(date!(2026 - 03 - 10)),
        ..SearchInput::default()
    });
    assert_eq!(query.created_from, Some(datetime!(2026-03-10 03:00 UTC)));
    assert_eq!(query.created_before, Some(datetime!(2026-03-11 03:00 UTC)));
}

#[test]
fn days_in_app_time_zone() {
    let input = SearchInput {
        created_from: Some(date!(2026 - 07 - 01)),
        ..SearchInput::default()
    };
    let lisbon = build_query(&app_in("Europe/Lisbon"), input.clone()).expect("valid");
    assert_eq!(lisbon.created_from, Some(datetime!(2026-06-30 23:00 UTC)));
    let manaus = build_query(&app_in("America/Manaus"), input).expect("valid");
    assert_eq!(manaus.created_from, Some(datetime!(2026-07-01 04:00 UTC)));
}

#[test]
fn unknown_time_zone_falls_back_to_sao_paulo() {
    let query = build_query(
        &app_in("Mars/Olympus_Mons"),
        SearchInput {
            created_from: Some(date!(2026 - 03 - 10)),
            ..SearchInput::default()
        },
    )
    .expect("valid");
    assert_eq!(query.created_from, Some(datetime!(2026-03-10 03:00 UTC)));
}

#[test]
fn day_whose_midnight_was_skipped() {
    // São Paulo moved clocks from 00:00 (-03) to 01:00 (-02) on 2018-11-04.
    let starts = |day| -> Option<OffsetDateTime> {
        query(SearchInput {
            created_from: Some(day),
            ..SearchInput::default()
        })
        .created_from
    };
    assert_eq!(
        starts(date!(2018 - 11 - 03)),
        Some(datetime!(2018-11-03 03:00 UTC))
    );
    assert_eq!(
        starts(date!(2018 - 11 - 04)),
        Some(datetime!(2018-11-04 03:00 UTC))
    );
    assert_eq!(
        starts(date!(2018 - 11 - 05)),
        Some(datetime!(2018-11-05 02:00 UTC))
    );
}

#[test]
fn day_range_reversed() {
    let error = build_query(
        &app(),
        SearchInput {
            created_from: Some(date!(2026 - 03 - 11)),
            created_to: Some(date!(2026 - 03 - 10)),
            ..SearchInput::default()
        },
    )
    .expect_err("reversed range");
    assert_eq!(
        field_errors(error.into()),
        fields(&[("created_to", "invalid_range")])
    );
}

#[test]
fn product_filter_defaults_to_access() {
    let product_id = ProductId::generate();
    let query = query(SearchInput {
        product: Some(product_id),
        ..SearchInput::default()
    });
    assert_eq!(
        query.product,
        Some(ProductFilter {
            product_id,
            mode: ProductFilterMode::HasAccess
        })
    );
}

#[test]
fn product_filter_ever_bought() {
    let product_id = ProductId::generate();
    let query = query(SearchInput {
        product: Some(product_id),
        product_mode: Some(ProductFilterMode::EverBought),
        ..SearchInput::default()
    });
    assert_eq!(
        query.product.map(|filter| filter.mode),
        Some(ProductFilterMode::EverBought)
    );
}

#[test]
fn product_mode_without_product() {
    let error = build_query(
        &app(),
        SearchInput {
            product_mode: Some(ProductFilterMode::EverBought),
            ..SearchInput::default()
        },
    )
    .expect_err("mode without product");
    assert_eq!(
        field_errors(error.into()),
        fields(&[("product_mode", "requires_product")])
    );
}

#[test]
fn cursor_of_same_sort_is_accepted() {
    let encoded = cursor(ClientSort::CreatedAsc);
    let query = query(SearchInput {
        sort: Some(ClientSort::CreatedAsc),
        cursor: Some(encoded.clone()),
        ..SearchInput::default()
    });
    assert_eq!(query.after, Cursor::decode(&encoded));
    assert!(query.after.is_some());
}

#[test]
fn cursor_of_other_sort_is_rejected() {
    let error = build_query(
        &app(),
        SearchInput {
            sort: Some(ClientSort::NameAsc),
            cursor: Some(cursor(ClientSort::CreatedDesc)),
            ..SearchInput::default()
        },
    )
    .expect_err("sort mismatch");
    assert_eq!(
        field_errors(error.into()),
        fields(&[("cursor", "invalid_cursor")])
    );
}

#[test]
fn malformed_cursor_is_rejected() {
    let error = build_query(
        &app(),
        SearchInput {
            cursor: Some("not-a-cursor!".to_owned()),
            ..SearchInput::default()
        },
    )
    .expect_err("malformed cursor");
    assert_eq!(
        field_errors(error.into()),
        fields(&[("cursor", "invalid_cursor")])
    );
}

#[test]
fn every_invalid_field_is_reported() {
    let error = build_query(
        &app(),
        SearchInput {
            q: Some("a".repeat(MAX_SEARCH_CHARS + 1)),
            limit: Some(0),
            created_from: Some(date!(2026 - 03 - 11)),
            created_to: Some(date!(2026 - 03 - 10)),
            product_mode: Some(ProductFilterMode::HasAccess),
            cursor: Some("x".to_owned()),
            ..SearchInput::default()
        },
    )
    .expect_err("invalid search");
    assert_eq!(
        field_errors(error.into()),
        fields(&[
            ("q", "too_long"),
            ("limit", "out_of_range"),
            ("created_to", "invalid_range"),
            ("product_mode", "requires_product"),
            ("cursor", "invalid_cursor"),
        ])
    );
}

#[test]
fn search_runs_query_in_app() {
    let app = app();
    let client = stored_client(&app);
    let page = Page {
        items: vec![client],
        next: None,
    };
    let expected = page.clone();
    let app_id = app.id;
    let mut ports = Ports::default();
    ports
        .clients
        .expect_search_clients()
        .withf(move |id, query| {
            *id == app_id
                && query.limit == 20
                && query
                    .text
                    .as_ref()
                    .is_some_and(|text| text.digits.as_deref() == Some("03145876244"))
        })
        .times(1)
        .returning(move |_, _| Ok(page.clone()));

    let input = SearchInput {
        q: Some("031.458.762-44".to_owned()),
        limit: Some(20),
        ..SearchInput::default()
    };
    assert_eq!(block_on(ports.service().search(&app, input)), Ok(expected));
}

#[test]
fn search_with_invalid_input_skips_storage() {
    let input = SearchInput {
        limit: Some(0),
        ..SearchInput::default()
    };
    let error = block_on(Ports::default().service().search(&app(), input)).expect_err("invalid");
    assert_eq!(field_errors(error), fields(&[("limit", "out_of_range")]));
}
