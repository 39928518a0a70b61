use super::*;

#[test]
fn currency_parse_normalizes_case_and_spaces() {
    assert_eq!(Currency::parse("brl"), Ok(Currency::BRL));
    let usd = Currency::parse(" usd ").expect("valid code");
    assert_eq!(usd.as_str(), "USD");
    assert_eq!(usd.to_string(), "USD");
}

#[test]
fn currency_rejects_other_shapes() {
    for raw in ["", "BR", "BRLL", "R$", "12A", "B R", "BRŁ"] {
        assert_eq!(
            Currency::parse(raw),
            Err(CurrencyError(raw.to_owned())),
            "{raw}"
        );
    }
}

#[test]
fn currency_default_is_brl() {
    assert_eq!(Currency::default(), Currency::BRL);
    assert_eq!(Money::brl(1990), Money::new(1990, Currency::BRL));
}

#[test]
fn currency_serde_round_trip() {
    let json = serde_json::to_string(&Currency::BRL).expect("serializable");
    assert_eq!(json, "\"BRL\"");
    let back: Currency = serde_json::from_str("\"eur\"").expect("valid code");
    assert_eq!(back.as_str(), "EUR");
    assert!(serde_json::from_str::<Currency>("\"euro\"").is_err());
}

#[test]
fn money_serde_keeps_integer_cents() {
    let money = Money::brl(1990);
    let json = serde_json::to_value(money).expect("serializable");
    assert_eq!(json, serde_json::json!({"cents": 1990, "currency": "BRL"}));
}
