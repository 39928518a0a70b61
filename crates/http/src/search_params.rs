//! Parsing of the client search's query parameters, reporting every bad value with
//! its parameter's name.

use std::collections::HashSet;
use std::str::FromStr;

use clientela_domain::client::ClientStatus;
use clientela_domain::error::{FieldError, ValidationErrors};
use clientela_domain::ids::ProductId;
use clientela_domain::search::{ClientSort, MAX_PAGE_SIZE, ProductFilterMode};
use clientela_domain::services::SearchInput;
use clientela_domain::values::Platform;
use time::Date;
use time::macros::format_description;
use uuid::Uuid;

/// The query parameters `GET /api/v1/clients` accepts.
pub const SEARCH_PARAMETERS: [&str; 13] = [
    "q",
    "platform",
    "status",
    "product",
    "product_mode",
    "created_from",
    "created_to",
    "last_access_before",
    "never_accessed",
    "has_chargeback",
    "sort",
    "limit",
    "cursor",
];

/// Builds a search from query pairs. Empty values count as absent, as HTML forms
/// send every field; unknown and repeated parameters are rejected.
pub fn parse_search(pairs: &[(String, String)]) -> Result<SearchInput, ValidationErrors> {
    let mut input = SearchInput::default();
    let mut errors = ValidationErrors::default();
    let mut seen = HashSet::new();

    for (name, value) in pairs {
        let name = name.as_str();
        if !SEARCH_PARAMETERS.contains(&name) {
            errors.push(FieldError::new(
                name,
                "unknown_parameter",
                "unknown query parameter",
            ));
            continue;
        }
        if !seen.insert(name) {
            errors.push(FieldError::new(
                name,
                "duplicate_parameter",
                "parameter repeated",
            ));
            continue;
        }
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        if let Err(error) = apply(&mut input, name, value) {
            errors.push(error);
        }
    }
    errors.into_result().map(|()| input)
}

fn apply(input: &mut SearchInput, name: &str, value: &str) -> Result<(), FieldError> {
    match name {
        "q" => input.q = Some(value.to_owned()),
        "platform" => input.platform = Some(parse_platform(value)?),
        "status" => {
            input.status =
                Some(ClientStatus::parse(value).ok_or_else(|| invalid_choice(name, value))?);
        }
        "product" => {
            let id = Uuid::parse_str(value)
                .map_err(|_| FieldError::new(name, "invalid_value", "not a UUID"))?;
            input.product = Some(ProductId::from_uuid(id));
        }
        "product_mode" => {
            input.product_mode = Some(match value {
                "has_access" => ProductFilterMode::HasAccess,
                "ever_bought" => ProductFilterMode::EverBought,
                _ => return Err(invalid_choice(name, value)),
            });
        }
        "created_from" => input.created_from = Some(parse_date(name, value)?),
        "created_to" => input.created_to = Some(parse_date(name, value)?),
        "last_access_before" => input.last_access_before = Some(parse_date(name, value)?),
        "never_accessed" => input.never_accessed = Some(parse_bool(name, value)?),
        "has_chargeback" => input.has_chargeback = Some(parse_bool(name, value)?),
        "sort" => {
            input.sort = Some(match value {
                "created_desc" => ClientSort::CreatedDesc,
                "created_asc" => ClientSort::CreatedAsc,
                "name_asc" => ClientSort::NameAsc,
                _ => return Err(invalid_choice(name, value)),
            });
        }
        "limit" => input.limit = Some(parse_limit(value)?),
        "cursor" => input.cursor = Some(value.to_owned()),
        _ => {
            return Err(FieldError::new(
                name,
                "unknown_parameter",
                "unknown query parameter",
            ));
        }
    }
    Ok(())
}

fn parse_platform(value: &str) -> Result<Platform, FieldError> {
    Platform::from_str(value).map_err(|error| FieldError::new("platform", "invalid_choice", error))
}

fn invalid_choice(name: &str, value: &str) -> FieldError {
    FieldError::new(
        name,
        "invalid_choice",
        format!("unexpected value {value:?}"),
    )
}

fn parse_date(name: &str, value: &str) -> Result<Date, FieldError> {
    Date::parse(value, format_description!("[year]-[month]-[day]"))
        .map_err(|error| FieldError::new(name, "invalid_date", error))
}

fn parse_bool(name: &str, value: &str) -> Result<bool, FieldError> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(FieldError::new(
            name,
            "invalid_boolean",
            format!("expected true or false, got {value:?}"),
        )),
    }
}

fn parse_limit(value: &str) -> Result<u32, FieldError> {
    match value.parse::<u32>() {
        Ok(limit) if (1..=MAX_PAGE_SIZE).contains(&limit) => Ok(limit),
        _ => Err(FieldError::new(
            "limit",
            "invalid_value",
            format!("expected an integer from 1 to {MAX_PAGE_SIZE}, got {value:?}"),
        )),
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "a failed unwrap fails the test and shows the error"
)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect()
    }

    fn codes(error: &ValidationErrors) -> Vec<(String, &'static str)> {
        error.0.iter().map(|e| (e.field.clone(), e.code)).collect()
    }

    #[test]
    fn every_filter_is_parsed() {
        let product = Uuid::now_v7();
        let input = parse_search(&pairs(&[
            ("q", " ana "),
            ("platform", "hotmart"),
            ("status", "inactive"),
            ("product", &product.to_string()),
            ("product_mode", "ever_bought"),
            ("created_from", "2026-01-01"),
            ("created_to", "2026-01-31"),
            ("last_access_before", "2026-02-01"),
            ("never_accessed", "false"),
            ("has_chargeback", "true"),
            ("sort", "name_asc"),
            ("limit", "2"),
            ("cursor", "abc"),
        ]))
        .unwrap();

        assert_eq!(input.q.as_deref(), Some("ana"));
        assert_eq!(input.platform, Some(Platform::Hotmart));
        assert_eq!(input.status, Some(ClientStatus::Inactive));
        assert_eq!(input.product, Some(ProductId::from_uuid(product)));
        assert_eq!(input.product_mode, Some(ProductFilterMode::EverBought));
        assert_eq!(
            input.created_from,
            Some(time::macros::date!(2026 - 01 - 01))
        );
        assert_eq!(input.created_to, Some(time::macros::date!(2026 - 01 - 31)));
        assert_eq!(
            input.last_access_before,
            Some(time::macros::date!(2026 - 02 - 01))
        );
        assert_eq!(input.never_accessed, Some(false));
        assert_eq!(input.has_chargeback, Some(true));
        assert_eq!(input.sort, Some(ClientSort::NameAsc));
        assert_eq!(input.limit, Some(2));
        assert_eq!(input.cursor.as_deref(), Some("abc"));
    }

    #[test]
    fn empty_values_count_as_absent() {
        let input = parse_search(&pairs(&[("platform", ""), ("limit", " ")])).unwrap();

        assert_eq!(input.platform, None);
        assert_eq!(input.limit, None);
    }

    #[test]
    fn every_bad_value_is_reported_by_name() {
        let error = parse_search(&pairs(&[
            ("platform", "shopify"),
            ("status", "ativo"),
            ("product", "42"),
            ("created_from", "31/01/2026"),
            ("never_accessed", "sim"),
            ("sort", "name"),
            ("limit", "0"),
            ("stauts", "active"),
        ]))
        .unwrap_err();

        assert_eq!(
            codes(&error),
            vec![
                ("platform".to_owned(), "invalid_choice"),
                ("status".to_owned(), "invalid_choice"),
                ("product".to_owned(), "invalid_value"),
                ("created_from".to_owned(), "invalid_date"),
                ("never_accessed".to_owned(), "invalid_boolean"),
                ("sort".to_owned(), "invalid_choice"),
                ("limit".to_owned(), "invalid_value"),
                ("stauts".to_owned(), "unknown_parameter"),
            ]
        );
    }

    #[test]
    fn limit_above_maximum_is_rejected() {
        let error =
            parse_search(&pairs(&[("limit", &(MAX_PAGE_SIZE + 1).to_string())])).unwrap_err();

        assert_eq!(codes(&error), vec![("limit".to_owned(), "invalid_value")]);
    }

    #[test]
    fn repeated_parameter_is_rejected() {
        let error = parse_search(&pairs(&[("q", "ana"), ("q", "souza")])).unwrap_err();

        assert_eq!(codes(&error), vec![("q".to_owned(), "duplicate_parameter")]);
    }
}
