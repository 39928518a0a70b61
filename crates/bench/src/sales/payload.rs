//! Distinct Hotmart sales: a `PURCHASE_APPROVED` 2.0.0 body per sale number, with
//! made-up buyers.
//!
//! Everything that differs between two sales is built from the sale's tokens.
//! The e-mail, the phone, the transaction code and the event id carry the
//! eight-digit sale number. The CPF is that number with a leading 4 and its two
//! check digits. The replay finds the tokens in the captured statements and
//! puts another sale's tokens in their place.

use serde_json::json;

/// Hottok the benchmark app is configured with; made up, and without digits,
/// so that no sale number can appear in it.
pub const HOTTOK: &str = "BENCHhottokFICTICIOsomenteLetrasXYZ";

/// Product every sale is of, as Hotmart numbers it.
const PRODUCT_ID: u64 = 7_310_442;

/// Largest sale number: the number must fit in eight digits.
pub const MAX_SALE: u64 = 99_999_999;

/// The values that make one sale distinct, longest first, so that replacing
/// them in that order never splits a longer one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleTokens {
    /// Eleven-digit CPF, which contains the sale number.
    pub cpf: String,
    /// The sale number, zero-padded to eight digits.
    pub number: String,
}

impl SaleTokens {
    /// Returns the tokens of sale `n`.
    ///
    /// # Panics
    /// When `n` is above [`MAX_SALE`].
    pub fn of(n: u64) -> Self {
        assert!(n <= MAX_SALE, "sale number {n} has more than eight digits");
        let number = format!("{n:08}");
        Self {
            cpf: cpf_with_base(&format!("4{number}")),
            number,
        }
    }

    /// Returns the tokens in replacement order: longest first.
    pub fn in_order(&self) -> [&str; 2] {
        [&self.cpf, &self.number]
    }
}

/// Returns the JSON body Hotmart would send for sale `n`.
pub fn hotmart_body(n: u64) -> Vec<u8> {
    let tokens = SaleTokens::of(n);
    let number = &tokens.number;
    let body = json!({
        "id": format!("5a1e0000-0000-4000-8000-0000{number}"),
        "creation_date": 1_764_806_400_123_u64,
        "event": "PURCHASE_APPROVED",
        "version": "2.0.0",
        "data": {
            "product": {
                "id": PRODUCT_ID,
                "ucode": "3f0c2a9e-1b7d-4c55-8e21-6a4d9b0c7e55",
                "name": "Curso Pão Caseiro do Zero",
                "has_co_production": false,
                "is_physical_product": false
            },
            "buyer": {
                "email": format!("comprador.{number}@example.com"),
                "name": "Rafaela Nogueira Prado",
                "first_name": "Rafaela",
                "last_name": "Nogueira Prado",
                "checkout_phone_code": "55",
                "checkout_phone": format!("119{number}"),
                "document": tokens.cpf,
                "document_type": "CPF"
            },
            "producer": { "name": "Produtora Fictícia Ltda" },
            "purchase": {
                "approved_date": 1_764_806_398_000_u64,
                "order_date": 1_764_806_391_000_u64,
                "price": { "value": 197.0, "currency_value": "BRL" },
                "full_price": { "value": 197.0, "currency_value": "BRL" },
                "status": "APPROVED",
                "transaction": format!("HP{number}"),
                "payment": { "installments_number": 1, "type": "PIX" },
                "offer": { "code": "bench01" },
                "business_model": "I"
            }
        },
        "hottok": HOTTOK
    });
    serde_json::to_vec(&body).expect("a JSON value always serialises")
}

/// Appends the two CPF check digits to nine base digits.
fn cpf_with_base(base: &str) -> String {
    let mut digits: Vec<u32> = base.chars().filter_map(|c| c.to_digit(10)).collect();
    debug_assert_eq!(digits.len(), 9, "a CPF base has nine digits");
    for _ in 0..2 {
        let weight_start = digits.len() as u32 + 1;
        let sum: u32 = digits
            .iter()
            .zip((2..=weight_start).rev())
            .map(|(digit, weight)| digit * weight)
            .sum();
        let remainder = sum % 11;
        digits.push(if remainder < 2 { 0 } else { 11 - remainder });
    }
    digits
        .iter()
        .map(|digit| char::from(b'0' + *digit as u8))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpf_check_digits_match_known_examples() {
        assert_eq!(cpf_with_base("529982247"), "52998224725");
        assert_eq!(cpf_with_base("111444777"), "11144477735");
    }

    #[test]
    fn cpf_is_valid_for_the_domain() {
        let tokens = SaleTokens::of(12_345);
        assert!(clientela_domain::values::Document::parse(&tokens.cpf).is_ok());
    }

    #[test]
    fn tokens_carry_the_sale_number() {
        let tokens = SaleTokens::of(42);
        assert_eq!(tokens.number, "00000042");
        assert!(tokens.cpf.starts_with("400000042"));
        assert_eq!(tokens.in_order(), [tokens.cpf.as_str(), "00000042"]);
    }

    #[test]
    fn hotmart_body_differs_only_in_tokens() {
        let first = String::from_utf8(hotmart_body(1)).expect("UTF-8");
        let second = String::from_utf8(hotmart_body(2)).expect("UTF-8");
        let first_tokens = SaleTokens::of(1);
        let second_tokens = SaleTokens::of(2);
        let rewritten = first
            .replace(&first_tokens.cpf, &second_tokens.cpf)
            .replace(&first_tokens.number, &second_tokens.number);
        assert_eq!(rewritten, second);
        assert!(first.contains("comprador.00000001@example.com"));
        assert!(first.contains(HOTTOK));
    }

    #[test]
    #[should_panic(expected = "more than eight digits")]
    fn sale_number_over_eight_digits_panics() {
        let _ = SaleTokens::of(MAX_SALE + 1);
    }
}
