//! The searches the benchmark times: each as the HTTP query string a producer's
//! browser sends and as the `ClientQuery` the SQL side runs.

use clientela_domain::client::ClientStatus;
use clientela_domain::ids::ProductId;
use clientela_domain::search::{
    ClientQuery, ClientSort, Cursor, DEFAULT_PAGE_SIZE, ProductFilter, ProductFilterMode,
    SearchText,
};
use clientela_domain::services::SearchInput;
use clientela_domain::values::Platform;
use time::macros::offset;
use time::{Date, Duration, OffsetDateTime};

use crate::generate::{Dataset, ProductRow, masked_cpf};

/// One benchmarked search.
#[derive(Debug, Clone)]
pub struct BenchQuery {
    pub label: String,
    pub input: SearchInput,
    /// Pages to walk through, following each page's cursor, before the page that is
    /// timed.
    pub pages_to_skip: u32,
}

impl BenchQuery {
    fn new(label: impl Into<String>, input: SearchInput) -> Self {
        Self {
            label: label.into(),
            input,
            pages_to_skip: 0,
        }
    }

    fn text(label: impl Into<String>, q: &str) -> Self {
        Self::new(
            label,
            SearchInput {
                q: Some(q.to_owned()),
                ..SearchInput::default()
            },
        )
    }
}

/// Values of the seeded data that the searches look for.
pub struct Needles {
    /// CPF (11 digits) of one seeded client.
    pub cpf: String,
    pub email: String,
    /// A platform transaction id of one seeded sale.
    pub transaction_id: String,
    pub product: ProductId,
    pub today: Date,
}

impl Needles {
    /// Picks the needles from fixed positions of the data set.
    pub fn pick(dataset: &Dataset, products: &[ProductRow], sales: u64) -> Self {
        let cpf_client = (0..dataset.clients)
            .map(|offset| dataset.client((dataset.clients / 3 + offset) % dataset.clients))
            .find_map(|client| client.document)
            .unwrap_or_else(|| "03145876244".to_owned());
        let sale_index = 12_345.min(sales.saturating_sub(1));
        Self {
            cpf: cpf_client,
            email: dataset.client(dataset.clients / 4).email,
            transaction_id: dataset.sale(sale_index, products.len()).external_id,
            product: ProductId::from_uuid(products[0].id),
            today: today_in_sao_paulo(dataset.now),
        }
    }
}

/// Builds the mixed set of searches: name fragments, documents, phones, an e-mail,
/// a transaction id, each filter, the name order and two deep pages.
pub fn bench_queries(needles: &Needles) -> Vec<BenchQuery> {
    let cpf = &needles.cpf;
    let mut queries = vec![
        BenchQuery::text("name \"jose\"", "jose"),
        BenchQuery::text("name \"José\"", "José"),
        BenchQuery::text("name \"conceicao\"", "conceicao"),
        BenchQuery::text("name \"maria silva\"", "maria silva"),
        BenchQuery::text("name \"d'avila\"", "d'avila"),
        BenchQuery::text("CPF masked", &masked_cpf(cpf)),
        BenchQuery::text("CPF bare", cpf),
        BenchQuery::text(
            "CPF prefix (6 digits, masked)",
            &format!("{}.{}", &cpf[..3], &cpf[3..6]),
        ),
        BenchQuery::text("phone \"(11) 98765-4321\"", "(11) 98765-4321"),
        BenchQuery::text("phone \"11987654321\"", "11987654321"),
        BenchQuery::text("phone \"+55 11 98765-4321\"", "+55 11 98765-4321"),
        BenchQuery::text("e-mail", &needles.email),
        BenchQuery::text("transaction id", &needles.transaction_id),
        filter("platform=kiwify", |input| {
            input.platform = Some(Platform::Kiwify)
        }),
        filter("status=inactive", |input| {
            input.status = Some(ClientStatus::Inactive)
        }),
        filter("product (has access)", |input| {
            input.product = Some(needles.product)
        }),
        filter("product (ever bought)", |input| {
            input.product = Some(needles.product);
            input.product_mode = Some(ProductFilterMode::EverBought);
        }),
        filter("signup between two days a month apart", |input| {
            input.created_from = Some(needles.today - Duration::days(400));
            input.created_to = Some(needles.today - Duration::days(370));
        }),
        filter("last access before a year ago", |input| {
            input.last_access_before = Some(needles.today - Duration::days(365));
        }),
        filter("never_accessed=true", |input| {
            input.never_accessed = Some(true)
        }),
        filter("has_chargeback=true", |input| {
            input.has_chargeback = Some(true)
        }),
        filter("sort=name_asc", |input| {
            input.sort = Some(ClientSort::NameAsc)
        }),
        filter("\"maria\" + platform=hotmart + status=active", |input| {
            input.q = Some("maria".to_owned());
            input.platform = Some(Platform::Hotmart);
            input.status = Some(ClientStatus::Active);
        }),
        filter("\"silva\" + sort=name_asc", |input| {
            input.q = Some("silva".to_owned());
            input.sort = Some(ClientSort::NameAsc);
        }),
    ];

    let mut deep_newest = BenchQuery::new(
        "page 21 of all clients (20 cursors followed)",
        SearchInput::default(),
    );
    deep_newest.pages_to_skip = 20;
    queries.push(deep_newest);
    let mut deep_by_name = BenchQuery::new(
        "page 21 of all clients by name (20 cursors followed)",
        SearchInput {
            sort: Some(ClientSort::NameAsc),
            ..SearchInput::default()
        },
    );
    deep_by_name.pages_to_skip = 20;
    queries.push(deep_by_name);
    queries
}

fn filter(label: &str, set: impl FnOnce(&mut SearchInput)) -> BenchQuery {
    let mut input = SearchInput::default();
    set(&mut input);
    BenchQuery::new(label, input)
}

/// Returns the query parameters of `GET /api/v1/clients` for a search.
pub fn http_params(input: &SearchInput) -> Vec<(&'static str, String)> {
    let mut params = Vec::new();
    if let Some(q) = &input.q {
        params.push(("q", q.clone()));
    }
    if let Some(platform) = input.platform {
        params.push(("platform", platform.as_str().to_owned()));
    }
    if let Some(status) = input.status {
        params.push(("status", status.as_str().to_owned()));
    }

    if let Some(product) = input.product {
        params.push(("product", product.to_string()));
    }
    if let Some(mode) = input.product_mode {
        let mode = match mode {
            ProductFilterMode::HasAccess => "has_access",
            ProductFilterMode::EverBought => "ever_bought",
        };
        params.push(("product_mode", mode.to_owned()));
    }

    let days = [
        ("created_from", input.created_from),
        ("created_to", input.created_to),
        ("last_access_before", input.last_access_before),
    ];
    for (name, day) in days {
        if let Some(day) = day {
            params.push((name, day.to_string()));
        }
    }

    if let Some(never_accessed) = input.never_accessed {
        params.push(("never_accessed", never_accessed.to_string()));
    }
    if let Some(has_chargeback) = input.has_chargeback {
        params.push(("has_chargeback", has_chargeback.to_string()));
    }

    if let Some(sort) = input.sort {
        let sort = match sort {
            ClientSort::CreatedDesc => "created_desc",
            ClientSort::CreatedAsc => "created_asc",
            ClientSort::NameAsc => "name_asc",
        };
        params.push(("sort", sort.to_owned()));
    }
    if let Some(limit) = input.limit {
        params.push(("limit", limit.to_string()));
    }
    if let Some(cursor) = &input.cursor {
        params.push(("cursor", cursor.clone()));
    }
    params
}

/// Builds the `ClientQuery` that the HTTP API builds for this search in an app
/// whose time zone is America/Sao_Paulo.
// NOTE: this mirrors the domain's private query builder of `ClientService::search`;
// Brazil has had no daylight saving time since 2019, so the seeded days all start
// at 03:00 UTC.
pub fn client_query(input: &SearchInput) -> ClientQuery {
    let day_start = |day: Date| {
        day.midnight()
            .assume_offset(offset!(-3))
            .to_offset(offset!(UTC))
    };
    let sort = input.sort.unwrap_or_default();
    ClientQuery {
        text: input.q.as_deref().and_then(SearchText::parse),
        platform: input.platform,
        status: input.status,
        product: input.product.map(|product_id| ProductFilter {
            product_id,
            mode: input.product_mode.unwrap_or(ProductFilterMode::HasAccess),
        }),
        created_from: input.created_from.map(day_start),
        created_before: input.created_to.and_then(Date::next_day).map(day_start),
        last_access_before: input.last_access_before.map(day_start),
        never_accessed: input.never_accessed,
        has_chargeback: input.has_chargeback,
        sort,
        limit: input.limit.unwrap_or(DEFAULT_PAGE_SIZE),
        after: input
            .cursor
            .as_deref()
            .and_then(Cursor::decode)
            .filter(|c| c.sort == sort),
    }
}

/// Returns the calendar day of `now` in São Paulo (UTC-3 since 2019).
fn today_in_sao_paulo(now: OffsetDateTime) -> Date {
    now.to_offset(offset!(-3)).date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::PLANTED_PHONE;
    use time::macros::{date, datetime};

    fn needles() -> Needles {
        Needles {
            cpf: "03145876244".to_owned(),
            email: "ana.souza@example.com".to_owned(),
            transaction_id: "HP10000012345".to_owned(),
            product: ProductId::generate(),
            today: date!(2026 - 06 - 01),
        }
    }

    #[test]
    fn queries_have_unique_labels() {
        let queries = bench_queries(&needles());
        let mut labels: Vec<&str> = queries.iter().map(|q| q.label.as_str()).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), queries.len());
    }

    #[test]
    fn cpf_queries_are_masked_bare_and_prefix() {
        let queries = bench_queries(&needles());
        let texts: Vec<&str> = queries
            .iter()
            .filter_map(|q| q.input.q.as_deref())
            .collect();
        assert!(texts.contains(&"031.458.762-44"));
        assert!(texts.contains(&"03145876244"));
        assert!(texts.contains(&"031.458"));
    }

    #[test]
    fn phone_queries_find_planted_phone_digits() {
        let queries = bench_queries(&needles());
        let planted_national = &PLANTED_PHONE[3..];
        for q in queries.iter().filter(|q| q.label.starts_with("phone")) {
            let query = client_query(&q.input);
            let digits = query
                .text
                .and_then(|text| text.digits)
                .expect("a phone search has digits");
            assert!(
                digits == planted_national || digits == PLANTED_PHONE[1..],
                "{} gives digits {digits}",
                q.label
            );
        }
    }

    #[test]
    fn params_name_every_filter() {
        let product = ProductId::generate();
        let input = SearchInput {
            q: Some("ana".to_owned()),
            platform: Some(Platform::Hotmart),
            status: Some(ClientStatus::Active),
            product: Some(product),
            product_mode: Some(ProductFilterMode::EverBought),
            created_from: Some(date!(2025 - 01 - 01)),
            created_to: Some(date!(2025 - 01 - 31)),
            last_access_before: Some(date!(2025 - 06 - 01)),
            never_accessed: Some(true),
            has_chargeback: Some(false),
            sort: Some(ClientSort::NameAsc),
            limit: Some(20),
            cursor: Some("abc".to_owned()),
        };
        let params = http_params(&input);
        let expected = [
            ("q", "ana".to_owned()),
            ("platform", "hotmart".to_owned()),
            ("status", "active".to_owned()),
            ("product", product.to_string()),
            ("product_mode", "ever_bought".to_owned()),
            ("created_from", "2025-01-01".to_owned()),
            ("created_to", "2025-01-31".to_owned()),
            ("last_access_before", "2025-06-01".to_owned()),
            ("never_accessed", "true".to_owned()),
            ("has_chargeback", "false".to_owned()),
            ("sort", "name_asc".to_owned()),
            ("limit", "20".to_owned()),
            ("cursor", "abc".to_owned()),
        ];
        assert_eq!(params, expected);
    }

    #[test]
    fn signup_range_covers_whole_last_day() {
        let input = SearchInput {
            created_from: Some(date!(2025 - 01 - 01)),
            created_to: Some(date!(2025 - 01 - 31)),
            ..SearchInput::default()
        };
        let query = client_query(&input);
        assert_eq!(query.created_from, Some(datetime!(2025-01-01 03:00 UTC)));
        assert_eq!(query.created_before, Some(datetime!(2025-02-01 03:00 UTC)));
        assert_eq!(query.limit, DEFAULT_PAGE_SIZE);
    }

    #[test]
    fn today_uses_sao_paulo_date() {
        assert_eq!(
            today_in_sao_paulo(datetime!(2026-06-02 02:00 UTC)),
            date!(2026 - 06 - 01)
        );
    }
}
