use super::*;

#[test]
fn cpf_keeps_leading_zero() {
    let cpf = Document::parse("031.458.762-44").expect("valid CPF");
    assert_eq!(cpf.kind(), DocumentKind::Cpf);
    assert_eq!(cpf.as_str(), "03145876244");
    assert_eq!(cpf.masked(), "031.458.762-44");
    assert_eq!(cpf.to_string(), "031.458.762-44");
}

#[test]
fn cpf_accepts_bare_digits() {
    let cpf = Document::parse(" 03145876244 ").expect("valid CPF");
    assert_eq!(cpf.as_str(), "03145876244");
}

#[test]
fn cnpj_digits() {
    let cnpj = Document::parse("11.222.333/0001-81").expect("valid CNPJ");
    assert_eq!(cnpj.kind(), DocumentKind::Cnpj);
    assert_eq!(cnpj.as_str(), "11222333000181");
    assert_eq!(cnpj.masked(), "11.222.333/0001-81");
}

#[test]
fn cnpj_alphanumeric() {
    // Check digits 3 and 5 computed with the Receita Federal rule: each character
    // counts as its ASCII code minus 48, weighted 5..2, 9..2 (then 6..2, 9..2),
    // and a remainder under 2 mod 11 gives 0.
    let cnpj = Document::parse("12.abc.345/01de-35").expect("valid CNPJ");
    assert_eq!(cnpj.kind(), DocumentKind::Cnpj);
    assert_eq!(cnpj.as_str(), "12ABC34501DE35");
    assert_eq!(cnpj.masked(), "12.ABC.345/01DE-35");
}

#[test]
fn cnpj_alphanumeric_wrong_check_digits() {
    assert_eq!(
        Document::parse("12ABC34501DE36"),
        Err(DocumentError::InvalidCheckDigits)
    );
    assert_eq!(
        Document::parse("12ABC34501DF35"),
        Err(DocumentError::InvalidCheckDigits)
    );
}

#[test]
fn cnpj_rejects_letters_in_check_digits() {
    assert_eq!(
        Document::parse("12ABC34501DE3A"),
        Err(DocumentError::InvalidCharacters)
    );
}

#[test]
fn cpf_rejects_letters() {
    assert_eq!(
        Document::parse("0314587624A"),
        Err(DocumentError::InvalidCharacters)
    );
}

#[test]
fn rejects_repeated_digits() {
    for raw in ["111.111.111-11", "00000000000", "99.999.999/9999-99"] {
        assert_eq!(
            Document::parse(raw),
            Err(DocumentError::RepeatedDigits),
            "{raw}"
        );
    }
    assert_eq!(DocumentError::RepeatedDigits.code(), "repeated_digits");
}

#[test]
fn rejects_wrong_check_digits() {
    assert_eq!(
        Document::parse("031.458.762-45"),
        Err(DocumentError::InvalidCheckDigits)
    );
    assert_eq!(
        Document::parse("031.458.762-54"),
        Err(DocumentError::InvalidCheckDigits)
    );
    assert_eq!(
        Document::parse("11.222.333/0001-82"),
        Err(DocumentError::InvalidCheckDigits)
    );
    assert_eq!(
        DocumentError::InvalidCheckDigits.code(),
        "invalid_check_digits"
    );
}

#[test]
fn rejects_wrong_length() {
    for raw in [
        "031.458.762-4",
        "0314587624400",
        "1122233300018",
        "112223330001811",
    ] {
        assert_eq!(
            Document::parse(raw),
            Err(DocumentError::InvalidLength),
            "{raw}"
        );
    }
    assert_eq!(DocumentError::InvalidLength.code(), "invalid_length");
}

#[test]
fn rejects_invalid_characters() {
    for raw in [
        "031_458_762-44",
        "031.458.762–44",
        "031,458,762-44",
        "０３１４５８７６２４４",
    ] {
        assert_eq!(
            Document::parse(raw),
            Err(DocumentError::InvalidCharacters),
            "{raw}"
        );
    }
    assert_eq!(
        DocumentError::InvalidCharacters.code(),
        "invalid_characters"
    );
}

#[test]
fn rejects_blank() {
    assert_eq!(Document::parse("   "), Err(DocumentError::Missing));
    assert_eq!(DocumentError::Missing.code(), "required");
}

#[test]
fn redacted_hides_middle() {
    let cpf = Document::parse("031.458.762-44").expect("valid CPF");
    assert_eq!(cpf.redacted(), "031…44");
}

#[test]
fn serde_round_trip_is_unmasked() {
    let cpf = Document::parse("031.458.762-44").expect("valid CPF");
    let json = serde_json::to_string(&cpf).expect("serializable");
    assert_eq!(json, "\"03145876244\"");
    let back: Document = serde_json::from_str(&json).expect("valid CPF");
    assert_eq!(back, cpf);
    assert!(serde_json::from_str::<Document>("\"03145876245\"").is_err());
}
