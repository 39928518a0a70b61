use super::*;

#[test]
fn parse_trims_and_lower_cases() {
    let email = Email::parse("  Ana.Souza@EXAMPLE.com ").expect("valid e-mail");
    assert_eq!(email.as_str(), "ana.souza@example.com");
}

#[test]
fn spellings_of_one_address_are_equal() {
    let typed = Email::parse("ANA@example.com").expect("valid e-mail");
    let stored = Email::parse("ana@example.com").expect("valid e-mail");
    assert_eq!(typed, stored);
}

#[test]
fn parse_rejects_blank() {
    assert_eq!(Email::parse(""), Err(EmailError::Missing));
    assert_eq!(Email::parse("   "), Err(EmailError::Missing));
    assert_eq!(EmailError::Missing.code(), "required");
}

#[test]
fn parse_rejects_domain_without_dot() {
    assert_eq!(Email::parse("ana@localhost"), Err(EmailError::Invalid));
    assert_eq!(EmailError::Invalid.code(), "invalid_email");
}

#[test]
fn parse_rejects_domain_starting_with_dot() {
    assert_eq!(Email::parse("ana@.example.com"), Err(EmailError::Invalid));
}

#[test]
fn parse_rejects_spaces_inside() {
    assert_eq!(
        Email::parse("ana souza@example.com"),
        Err(EmailError::Invalid)
    );
    assert_eq!(Email::parse("ana@exam ple.com"), Err(EmailError::Invalid));
}

#[test]
fn parse_rejects_missing_at_sign() {
    assert_eq!(Email::parse("ana.example.com"), Err(EmailError::Invalid));
    assert_eq!(Email::parse("@example.com"), Err(EmailError::Invalid));
    assert_eq!(Email::parse("ana@"), Err(EmailError::Invalid));
}

#[test]
fn parse_rejects_display_name_form() {
    assert_eq!(
        Email::parse("Ana Souza <ana@example.com>"),
        Err(EmailError::Invalid)
    );
}

#[test]
fn parse_rejects_over_long_address() {
    let local = "a".repeat(64);
    let domain = format!("{}.com", "b".repeat(EMAIL_MAX_CHARS));
    assert_eq!(
        Email::parse(&format!("{local}@{domain}")),
        Err(EmailError::TooLong)
    );
    assert_eq!(EmailError::TooLong.code(), "too_long");
}

#[test]
fn serde_round_trip_validates() {
    let email = Email::parse("ana@example.com").expect("valid e-mail");
    let json = serde_json::to_string(&email).expect("serializable");
    assert_eq!(json, "\"ana@example.com\"");
    let back: Email = serde_json::from_str("\" ANA@Example.com \"").expect("valid e-mail");
    assert_eq!(back, email);
    assert!(serde_json::from_str::<Email>("\"not an e-mail\"").is_err());
}
