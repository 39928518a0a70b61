//! Client search: from the search box and filters as received to a
//! [`ClientQuery`].

use crate::error::{DomainError, FieldError, ValidationErrors};
use crate::search::{
    ClientPage, ClientQuery, Cursor, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_SEARCH_CHARS,
    ProductFilter, ProductFilterMode, SearchText,
};
use crate::tenant::App;

use super::local_days::{day_start, time_zone};
use super::{ClientService, SearchInput};

impl ClientService {
    /// Searches the app's clients. Days in the input are calendar days in the
    /// app's time zone.
    pub async fn search(&self, app: &App, input: SearchInput) -> Result<ClientPage, DomainError> {
        let query = build_query(app, input)?;
        Ok(self.clients.search_clients(app.id, &query).await?)
    }
}

/// Validates a search and builds its query, reporting every invalid field at once.
pub(super) fn build_query(app: &App, input: SearchInput) -> Result<ClientQuery, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let zone = time_zone(&app.time_zone);

    let text = input.q.as_deref().and_then(SearchText::parse);
    if let Some(text) = &text
        && text.raw.chars().count() > MAX_SEARCH_CHARS
    {
        errors.push(FieldError::new(
            "q",
            "too_long",
            format!("search text is longer than {MAX_SEARCH_CHARS} characters"),
        ));
    }

    let limit = input.limit.unwrap_or(DEFAULT_PAGE_SIZE);
    if limit == 0 || limit > MAX_PAGE_SIZE {
        errors.push(FieldError::new(
            "limit",
            "out_of_range",
            format!("limit must be between 1 and {MAX_PAGE_SIZE}"),
        ));
    }

    if let (Some(from), Some(to)) = (input.created_from, input.created_to)
        && from > to
    {
        errors.push(FieldError::new(
            "created_to",
            "invalid_range",
            "the last signup day is before the first",
        ));
    }

    let product = match (input.product, input.product_mode) {
        (Some(product_id), mode) => Some(ProductFilter {
            product_id,
            mode: mode.unwrap_or(ProductFilterMode::HasAccess),
        }),
        (None, Some(_)) => {
            errors.push(FieldError::new(
                "product_mode",
                "requires_product",
                "a product filter mode needs a product",
            ));
            None
        }
        (None, None) => None,
    };

    let sort = input.sort.unwrap_or_default();
    let after = match input.cursor.as_deref() {
        None => None,
        Some(encoded) => match Cursor::decode(encoded) {
            Some(cursor) if cursor.sort == sort => Some(cursor),
            Some(_) => {
                errors.push(FieldError::new(
                    "cursor",
                    "invalid_cursor",
                    "cursor belongs to another sort order",
                ));
                None
            }
            None => {
                errors.push(FieldError::new(
                    "cursor",
                    "invalid_cursor",
                    "cursor is malformed",
                ));
                None
            }
        },
    };

    errors.into_result()?;
    Ok(ClientQuery {
        text,
        platform: input.platform,
        status: input.status,
        product,
        created_from: input.created_from.map(|day| day_start(day, zone)),
        // The last day is inclusive, so the range ends where the next day starts.
        created_before: input
            .created_to
            .and_then(|day| day.next_day())
            .map(|day| day_start(day, zone)),
        last_access_before: input.last_access_before.map(|day| day_start(day, zone)),
        never_accessed: input.never_accessed,
        has_chargeback: input.has_chargeback,
        sort,
        limit,
        after,
    })
}
