//! Exact conversion of platform amounts to integer cents, never through floating
//! point.
//!
//! Platforms send reais as JSON numbers (`97`, `64.9`), as decimal strings
//! (`"1500.00"`), as Brazilian formatted strings (`"R$ 1.234,56"`), and some send
//! cents directly. A value that could be read two ways is rejected, not guessed.

use serde_json::value::RawValue;

/// Maximum number of input characters echoed in an error message.
const ECHO_MAX_CHARS: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("amount is missing")]
    Missing,
    #[error("amount {0:?} is not a number")]
    Invalid(String),
    #[error("amount {0:?} has more than two decimal places")]
    TooManyDecimals(String),
    #[error(
        "amount {0:?} is ambiguous: one separator followed by three digits may be a thousands separator or a decimal point"
    )]
    Ambiguous(String),
    #[error("amount {0:?} is out of range")]
    OutOfRange(String),
}

impl AmountError {
    /// Stable machine code of the error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing => "required",
            Self::Invalid(_) => "invalid_amount",
            Self::TooManyDecimals(_) => "too_many_decimals",
            Self::Ambiguous(_) => "ambiguous_amount",
            Self::OutOfRange(_) => "out_of_range",
        }
    }
}

fn echo(text: &str) -> String {
    text.chars().take(ECHO_MAX_CHARS).collect()
}

/// Parses an amount in reais written as text and returns it in cents.
///
/// Accepts an optional sign and `R$` prefix, a decimal point or decimal comma with
/// one or two decimals, and thousands grouped by the other separator:
/// `49.9`, `1500`, `64,90`, `1.234,56`, `1,234.56`, `R$ 1.234,56`, `-R$ 10,00`.
/// Rejects more than two decimals and a lone separator followed by exactly three
/// digits (`1.234`), which is either 1234 reais or 1.234 reais.
pub fn parse_decimal_amount(text: &str) -> Result<i64, AmountError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(AmountError::Missing);
    }
    let invalid = || AmountError::Invalid(echo(text));

    let (negative, unsigned) = strip_sign(trimmed);
    let unsigned = match unsigned.strip_prefix("R$") {
        Some(rest) => rest.trim_start(),
        None => unsigned,
    };
    // A sign may also follow the currency symbol ("R$ -10,00"), but only once.
    let (negative, number) = match strip_sign(unsigned) {
        (true, _) if negative => return Err(invalid()),
        (true, rest) => (true, rest),
        (false, rest) => (negative, rest),
    };
    if number.is_empty()
        || !number
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return Err(invalid());
    }

    let (integer, fraction) = split_decimal(number, text)?;
    let cents = to_cents(&integer, fraction, text)?;
    Ok(if negative { -cents } else { cents })
}

/// Parses the text of a JSON number that is an amount in reais (`97`, `97.0`,
/// `64.9`, `-3.5`) and returns it in cents. The point is always the decimal
/// separator here. Decimals past the second must be zeros, because only then is the
/// value a whole number of cents. Exponents (`1e3`) are rejected.
pub fn parse_json_number_amount(text: &str) -> Result<i64, AmountError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(AmountError::Missing);
    }
    let (negative, unsigned) = strip_sign(trimmed);
    let (integer, fraction) = match unsigned.split_once('.') {
        Some((integer, fraction)) => (integer, fraction),
        None => (unsigned, ""),
    };
    let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    let fraction_ok = !unsigned.contains('.') || !fraction.is_empty();
    if integer.is_empty() || !all_digits(integer) || !all_digits(fraction) || !fraction_ok {
        return Err(AmountError::Invalid(echo(text)));
    }
    let significant = fraction.trim_end_matches('0');
    let fraction = if significant.len() <= 2 {
        &fraction[..fraction.len().min(2)]
    } else {
        return Err(AmountError::TooManyDecimals(echo(text)));
    };
    let cents = to_cents(integer, fraction, text)?;
    Ok(if negative { -cents } else { cents })
}

/// Parses a JSON value that is an amount in reais, sent either as a number or as a
/// string, and returns it in cents. `null` is a missing amount.
pub fn parse_json_amount(raw: &RawValue) -> Result<i64, AmountError> {
    let text = raw.get().trim();
    if text == "null" {
        return Err(AmountError::Missing);
    }
    if text.starts_with('"') {
        let string: String =
            serde_json::from_str(text).map_err(|_| AmountError::Invalid(echo(text)))?;
        return parse_decimal_amount(&string);
    }
    parse_json_number_amount(text)
}

/// Parses a JSON value that is already an amount in cents, sent as an integer
/// number or as a string of digits (`5298`, `"17703"`). A decimal fraction is
/// accepted only when it is zero (`5298.0`). `null` is a missing amount.
pub fn parse_json_cents(raw: &RawValue) -> Result<i64, AmountError> {
    let text = raw.get().trim();
    if text == "null" {
        return Err(AmountError::Missing);
    }
    let owned;
    let number = if text.starts_with('"') {
        owned =
            serde_json::from_str::<String>(text).map_err(|_| AmountError::Invalid(echo(text)))?;
        owned.trim()
    } else {
        text
    };
    if number.is_empty() {
        return Err(AmountError::Missing);
    }
    let (negative, unsigned) = strip_sign(number);
    let (integer, fraction) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
    let is_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !is_digits(integer) || !is_digits(fraction) {
        return Err(AmountError::Invalid(echo(text)));
    }
    if fraction.bytes().any(|b| b != b'0') {
        return Err(AmountError::TooManyDecimals(echo(text)));
    }
    let cents: i64 = integer
        .parse()
        .map_err(|_| AmountError::OutOfRange(echo(text)))?;
    Ok(if negative { -cents } else { cents })
}

fn strip_sign(text: &str) -> (bool, &str) {
    match text.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, text),
    }
}

/// Splits a string of digits, points and commas into its integer digits (grouping
/// removed) and its decimal digits.
fn split_decimal<'a>(number: &'a str, original: &str) -> Result<(String, &'a str), AmountError> {
    let invalid = || AmountError::Invalid(echo(original));
    let dots = number.matches('.').count();
    let commas = number.matches(',').count();

    let (integer, fraction, grouping) = match (dots, commas) {
        (0, 0) => (number, "", None),
        (_, 0) | (0, _) if dots + commas > 1 => {
            // One kind of separator, repeated: it groups thousands ("1.234.567").
            let separator = if dots > 0 { '.' } else { ',' };
            (number, "", Some(separator))
        }
        (_, 0) | (0, _) => {
            let separator = if dots > 0 { '.' } else { ',' };
            let (integer, fraction) = number.split_once(separator).ok_or_else(invalid)?;
            match fraction.len() {
                1 | 2 => (integer, fraction, None),
                3 => return Err(AmountError::Ambiguous(echo(original))),
                0 => return Err(invalid()),
                _ => return Err(AmountError::TooManyDecimals(echo(original))),
            }
        }
        _ => {
            // Both separators: the last one is the decimal separator and occurs once.
            let decimal = if number.rfind('.') > number.rfind(',') {
                '.'
            } else {
                ','
            };
            let grouping = if decimal == '.' { ',' } else { '.' };
            if number.matches(decimal).count() != 1 {
                return Err(invalid());
            }
            let (integer, fraction) = number.split_once(decimal).ok_or_else(invalid)?;
            match fraction.len() {
                1 | 2 => (integer, fraction, Some(grouping)),
                0 => return Err(invalid()),
                _ => return Err(AmountError::TooManyDecimals(echo(original))),
            }
        }
    };

    if fraction.contains(['.', ',']) {
        return Err(invalid());
    }
    let digits = match grouping {
        None => integer.to_owned(),
        Some(separator) => ungroup(integer, separator).ok_or_else(invalid)?,
    };
    if digits.is_empty() {
        return Err(invalid());
    }
    Ok((digits, fraction))
}

/// Removes thousands separators, checking that the groups are well formed: the
/// first of one to three digits, each later one of exactly three.
fn ungroup(integer: &str, separator: char) -> Option<String> {
    let mut groups = integer.split(separator).peekable();
    let first = groups.next()?;
    if first.is_empty() || first.len() > 3 {
        return None;
    }
    // A leading zero group ("0.001") is not a grouped number.
    if first.starts_with('0') && groups.peek().is_some() {
        return None;
    }
    let mut digits = first.to_owned();
    for group in groups {
        if group.len() != 3 {
            return None;
        }
        digits.push_str(group);
    }
    Some(digits)
}

/// Combines integer digits and up to two decimal digits into cents.
fn to_cents(integer: &str, fraction: &str, original: &str) -> Result<i64, AmountError> {
    let out_of_range = || AmountError::OutOfRange(echo(original));
    let invalid = || AmountError::Invalid(echo(original));
    let reais: i64 = integer.parse().map_err(|_| {
        if integer.bytes().all(|b| b.is_ascii_digit()) {
            out_of_range()
        } else {
            invalid()
        }
    })?;
    let fraction_cents: i64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<i64>().map_err(|_| invalid())? * 10,
        2 => fraction.parse().map_err(|_| invalid())?,
        _ => return Err(AmountError::TooManyDecimals(echo(original))),
    };
    reais
        .checked_mul(100)
        .and_then(|cents| cents.checked_add(fraction_cents))
        .ok_or_else(out_of_range)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn raw(json: &str) -> Box<RawValue> {
        RawValue::from_string(json.to_owned()).expect("valid JSON")
    }

    #[test]
    fn decimal_amount_accepted_forms() {
        let cases = [
            ("49.9", 4990),
            ("1500", 150_000),
            ("64.90", 6490),
            ("64,90", 6490),
            ("1.234,56", 123_456),
            ("1,234.56", 123_456),
            ("R$ 1.234,56", 123_456),
            ("R$1.234,56", 123_456),
            ("R$\u{a0}1.234,56", 123_456),
            ("R$ 147,80", 14_780),
            ("  97.00 ", 9700),
            ("0,5", 50),
            ("0", 0),
            ("1.234.567", 123_456_700),
            ("1,234,567", 123_456_700),
            ("1.234.567,89", 123_456_789),
            ("-10,00", -1000),
            ("-R$ 10,00", -1000),
            ("R$ -10,00", -1000),
        ];
        for (text, cents) in cases {
            assert_eq!(parse_decimal_amount(text), Ok(cents), "input {text:?}");
        }
    }

    #[test]
    fn decimal_amount_rejects_extra_decimals() {
        for text in ["1.2345", "1,2345", "1.234,567", "1,234.567", "0.001,5"] {
            let error = parse_decimal_amount(text).expect_err(text);
            assert!(
                matches!(
                    error,
                    AmountError::TooManyDecimals(_) | AmountError::Invalid(_)
                ),
                "input {text:?} gave {error:?}"
            );
        }
        assert_eq!(
            parse_decimal_amount("1.2345").map_err(|e| e.code()),
            Err("too_many_decimals")
        );
    }

    #[test]
    fn decimal_amount_rejects_ambiguous_thousands() {
        for text in ["1.234", "1,234", "R$ 0.500"] {
            assert_eq!(
                parse_decimal_amount(text).map_err(|e| e.code()),
                Err("ambiguous_amount"),
                "input {text:?}"
            );
        }
    }

    #[test]
    fn decimal_amount_rejects_garbage() {
        let cases = [
            "abc",
            "R$",
            "12a",
            "1..2",
            "1,,2",
            ".50",
            ",50",
            "10.",
            "1.23.45,6",
            "12.34.5",
            "1.2,3.4",
            "1,234.567.8",
            "--1",
            "- R$ -1",
            "1 234",
            "1e3",
            "0x10",
            "+5",
            "1.234,5,6",
            "١٢",
            "R$ R$ 1",
        ];
        for text in cases {
            assert!(
                parse_decimal_amount(text).is_err(),
                "input {text:?} was accepted"
            );
        }
        assert_eq!(parse_decimal_amount("   "), Err(AmountError::Missing));
    }

    #[test]
    fn decimal_amount_out_of_range() {
        assert_eq!(
            parse_decimal_amount("99999999999999999999").map_err(|e| e.code()),
            Err("out_of_range")
        );
        assert_eq!(
            parse_decimal_amount("92233720368547758.08").map_err(|e| e.code()),
            Err("out_of_range")
        );
        assert_eq!(parse_decimal_amount("92233720368547758.07"), Ok(i64::MAX));
    }

    #[test]
    fn error_echo_is_bounded() {
        let long = "x".repeat(1000);
        let AmountError::Invalid(echoed) = parse_decimal_amount(&long).expect_err("garbage") else {
            panic!("expected Invalid");
        };
        assert_eq!(echoed.chars().count(), ECHO_MAX_CHARS);
    }

    #[test]
    fn json_number_amount_forms() {
        let cases = [
            ("97", 9700),
            ("97.0", 9700),
            ("64.9", 6490),
            ("9.7", 970),
            ("87.3", 8730),
            ("49.9", 4990),
            ("1500", 150_000),
            ("0", 0),
            ("0.01", 1),
            ("97.000", 9700),
            ("1.500", 150),
            ("-3.5", -350),
        ];
        for (text, cents) in cases {
            assert_eq!(parse_json_number_amount(text), Ok(cents), "input {text:?}");
        }
    }

    #[test]
    fn json_number_amount_rejects() {
        for text in [
            "1e3", "1.5E2", "0.001", "64.901", "1,5", "", "1.", ".5", "abc", "1.2.3",
        ] {
            assert!(
                parse_json_number_amount(text).is_err(),
                "input {text:?} was accepted"
            );
        }
        assert_eq!(
            parse_json_number_amount("0.001").map_err(|e| e.code()),
            Err("too_many_decimals")
        );
    }

    #[test]
    fn json_amount_number_or_string() {
        assert_eq!(parse_json_amount(&raw("64.9")), Ok(6490));
        assert_eq!(parse_json_amount(&raw("\"1500.00\"")), Ok(150_000));
        assert_eq!(parse_json_amount(&raw("\"R$ 1.234,56\"")), Ok(123_456));
        assert_eq!(parse_json_amount(&raw("null")), Err(AmountError::Missing));
        assert_eq!(parse_json_amount(&raw("\"\"")), Err(AmountError::Missing));
        assert!(parse_json_amount(&raw("true")).is_err());
        assert!(parse_json_amount(&raw("{\"value\":1}")).is_err());
    }

    #[test]
    fn json_amount_reads_exact_text_of_large_numbers() {
        // 2^53 + 1 cannot be represented as an f64, so this would fail through floats.
        assert_eq!(
            parse_json_amount(&raw("90071992547409.93")),
            Ok(9_007_199_254_740_993)
        );
    }

    #[test]
    fn json_cents_forms() {
        assert_eq!(parse_json_cents(&raw("5298")), Ok(5298));
        assert_eq!(parse_json_cents(&raw("\"17703\"")), Ok(17_703));
        assert_eq!(parse_json_cents(&raw("5298.0")), Ok(5298));
        assert_eq!(parse_json_cents(&raw("-100")), Ok(-100));
        assert_eq!(parse_json_cents(&raw("null")), Err(AmountError::Missing));
        assert_eq!(parse_json_cents(&raw("\" \"")), Err(AmountError::Missing));
        assert_eq!(
            parse_json_cents(&raw("52.98")).map_err(|e| e.code()),
            Err("too_many_decimals")
        );
        for json in ["\"52,98\"", "\"abc\"", "1e3", "true", "[1]", "\"1.\""] {
            assert!(
                parse_json_cents(&raw(json)).is_err(),
                "input {json} was accepted"
            );
        }
        assert_eq!(
            parse_json_cents(&raw("99999999999999999999")).map_err(|e| e.code()),
            Err("out_of_range")
        );
    }

    /// Groups the digits of `reais` in threes with `separator`.
    fn grouped(reais: i64, separator: char) -> String {
        let digits = reais.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(separator);
            }
            out.push(c);
        }
        out
    }

    proptest! {
        #[test]
        fn point_decimal_round_trips(cents in 0i64..1_000_000_000_000) {
            let text = format!("{}.{:02}", cents / 100, cents % 100);
            prop_assert_eq!(parse_decimal_amount(&text), Ok(cents));
            prop_assert_eq!(parse_json_number_amount(&text), Ok(cents));
        }

        #[test]
        fn comma_decimal_round_trips(cents in 0i64..1_000_000_000_000) {
            let text = format!("{},{:02}", cents / 100, cents % 100);
            prop_assert_eq!(parse_decimal_amount(&text), Ok(cents));
        }

        #[test]
        fn brazilian_format_round_trips(cents in 0i64..1_000_000_000_000, negative: bool) {
            let sign = if negative { "-" } else { "" };
            let text = format!("{sign}R$ {},{:02}", grouped(cents / 100, '.'), cents % 100);
            let expected = if negative { -cents } else { cents };
            prop_assert_eq!(parse_decimal_amount(&text), Ok(expected));
        }

        #[test]
        fn english_grouping_round_trips(cents in 0i64..1_000_000_000_000) {
            let text = format!("{}.{:02}", grouped(cents / 100, ','), cents % 100);
            prop_assert_eq!(parse_decimal_amount(&text), Ok(cents));
        }

        #[test]
        fn shortest_json_number_round_trips(cents in 0i64..1_000_000_000_000) {
            // The way a JSON encoder writes reais: no trailing zeros, no point for
            // whole amounts ("49.9", "1500").
            let reais = cents / 100;
            let fraction = format!("{:02}", cents % 100);
            let fraction = fraction.trim_end_matches('0');
            let text = if fraction.is_empty() {
                reais.to_string()
            } else {
                format!("{reais}.{fraction}")
            };
            prop_assert_eq!(parse_json_amount(&raw(&text)), Ok(cents));
        }

        #[test]
        fn third_decimal_is_rejected(reais in 0i64..1_000_000, fraction in 0u32..100, third in 1u32..10) {
            let text = format!("{reais}.{fraction:02}{third}");
            prop_assert!(parse_decimal_amount(&text).is_err());
            prop_assert!(parse_json_number_amount(&text).is_err());
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,30}") {
            let _ = parse_decimal_amount(&text);
            let _ = parse_json_number_amount(&text);
        }

        #[test]
        fn accepted_text_keeps_its_digits(text in "[0-9.,]{1,12}") {
            // An accepted input keeps its digits: the cents equal the input's digits
            // read as one integer, times 100 without decimals, 10 with one, 1 with two.
            if let Ok(cents) = parse_decimal_amount(&text) {
                let digits: String = text.chars().filter(char::is_ascii_digit).collect();
                let has_decimals = text.rfind(['.', ',']).is_some_and(|i| text.len() - i - 1 <= 2);
                let decimals = text.rfind(['.', ',']).map_or(0, |i| text.len() - i - 1);
                let scaled: i128 = digits.parse::<i128>().unwrap_or(0)
                    * if has_decimals { 10i128.pow(2 - decimals as u32) } else { 100 };
                prop_assert_eq!(i128::from(cents), scaled);
            }
        }
    }
}
