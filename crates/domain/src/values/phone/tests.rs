use super::*;

fn e164(raw: &str) -> String {
    Phone::parse(raw)
        .unwrap_or_else(|error| panic!("{raw:?} should parse: {error}"))
        .as_str()
        .to_owned()
}

#[test]
fn parse_masked_mobile() {
    assert_eq!(e164("(11) 98765-4321"), "+5511987654321");
}

#[test]
fn parse_landline_without_country_code() {
    assert_eq!(e164("11 3456-7890"), "+551134567890");
}

#[test]
fn parse_with_plus_country_code() {
    assert_eq!(e164("+55 11 98765-4321"), "+5511987654321");
}

#[test]
fn parse_country_code_without_plus() {
    assert_eq!(e164("5511987654321"), "+5511987654321");
    assert_eq!(e164("551134567890"), "+551134567890");
}

#[test]
fn parse_international_prefix_00() {
    assert_eq!(e164("0055 11 98765-4321"), "+5511987654321");
}

#[test]
fn parse_trunk_zero_before_ddd() {
    assert_eq!(e164("011 98765-4321"), "+5511987654321");
    assert_eq!(e164("(011) 3456-7890"), "+551134567890");
}

#[test]
fn parse_ddd_55_mobile() {
    assert_eq!(e164("(55) 99123-4567"), "+5555991234567");
    assert_eq!(e164("55 55 99123-4567"), "+5555991234567");
    assert_eq!(e164("+55 55 99123-4567"), "+5555991234567");
}

#[test]
fn parse_ddd_55_landline() {
    assert_eq!(e164("(55) 3222-1234"), "+555532221234");
}

#[test]
fn parse_foreign_number() {
    assert_eq!(e164("+1 415 555 2671"), "+14155552671");
    assert_eq!(e164("+351 912 345 678"), "+351912345678");
}

#[test]
fn parse_from_separate_ddd() {
    let phone = Phone::from_parts("11", "98765-4321").expect("valid phone");
    assert_eq!(phone.as_str(), "+5511987654321");
    assert_eq!(phone.digits(), "5511987654321");
}

#[test]
fn parse_rejects_short_numbers() {
    assert_eq!(Phone::parse("123"), Err(PhoneError::Invalid));
    assert_eq!(Phone::parse("+55 11 1234"), Err(PhoneError::Invalid));
    assert_eq!(PhoneError::Invalid.code(), "invalid_phone");
}

#[test]
fn parse_rejects_letters() {
    assert_eq!(
        Phone::parse("11 9876-ABCD"),
        Err(PhoneError::InvalidCharacters)
    );
    assert_eq!(Phone::parse("phone"), Err(PhoneError::InvalidCharacters));
    assert_eq!(PhoneError::InvalidCharacters.code(), "invalid_characters");
}

#[test]
fn parse_rejects_plus_inside() {
    assert_eq!(
        Phone::parse("11+987654321"),
        Err(PhoneError::InvalidCharacters)
    );
}

#[test]
fn parse_rejects_blank() {
    assert_eq!(Phone::parse("  "), Err(PhoneError::Missing));
    assert_eq!(PhoneError::Missing.code(), "required");
}

#[test]
fn parse_rejects_prefix_without_number() {
    assert_eq!(Phone::parse("00"), Err(PhoneError::Invalid));
    assert_eq!(Phone::parse("+"), Err(PhoneError::Invalid));
}

#[test]
fn parse_rejects_over_long_number() {
    assert_eq!(
        Phone::parse("+55 11 98765-4321 1234567"),
        Err(PhoneError::Invalid)
    );
}

#[test]
fn parse_rejects_invalid_brazilian_ddd() {
    // Brazil has no area code 10.
    assert_eq!(Phone::parse("(10) 98765-4321"), Err(PhoneError::Invalid));
}

#[test]
fn serde_round_trip_validates() {
    let phone = Phone::parse("(11) 98765-4321").expect("valid phone");
    let json = serde_json::to_string(&phone).expect("serializable");
    assert_eq!(json, "\"+5511987654321\"");
    let back: Phone = serde_json::from_str(&json).expect("valid phone");
    assert_eq!(back, phone);
    assert!(serde_json::from_str::<Phone>("\"123\"").is_err());
}
