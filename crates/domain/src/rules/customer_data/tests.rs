use proptest::prelude::*;

use super::*;

fn email(raw: &str) -> Email {
    Email::parse(raw).expect("valid e-mail")
}

fn name(raw: &str) -> FullName {
    FullName::parse(raw).expect("valid name")
}

fn phone(raw: &str) -> Checked<Phone> {
    Checked::Valid(Phone::parse(raw).expect("valid phone"))
}

fn document(raw: &str) -> Checked<Document> {
    Checked::Valid(Document::parse(raw).expect("valid document"))
}

fn unverified<T>(raw: &str, reason: &str) -> Checked<T> {
    Checked::Unverified {
        raw: raw.to_owned(),
        reason: reason.to_owned(),
    }
}

fn received() -> CustomerData {
    CustomerData {
        email: email("ana@example.com"),
        name: None,
        name_altered: false,
        phone: None,
        document: None,
    }
}

fn stored() -> ClientContact {
    ClientContact {
        name: name("Ana Souza"),
        name_altered: false,
        phone: Some(phone("+5511987654321")),
        document: Some(document("52998224725")),
    }
}

#[test]
fn new_contact_takes_received_values() {
    let data = CustomerData {
        name: Some(name("Ana Souza")),
        phone: Some(phone("+5511987654321")),
        document: Some(document("52998224725")),
        ..received()
    };
    let (contact, issues) = new_client_contact(&data);
    assert_eq!(contact, stored());
    assert!(issues.is_empty());
}

#[test]
fn new_contact_without_name_uses_email() {
    let (contact, issues) = new_client_contact(&received());
    assert_eq!(contact.name.as_str(), "ana");
    assert!(!contact.name_altered);
    assert_eq!(
        issues,
        vec![DataIssue {
            field: NAME,
            reason: NAME_MISSING.to_owned()
        }]
    );
}

#[test]
fn new_contact_keeps_unverified_phone() {
    let data = CustomerData {
        phone: Some(unverified("12345", "invalid_phone")),
        ..received()
    };
    let (contact, issues) = new_client_contact(&data);
    assert_eq!(contact.phone, Some(unverified("12345", "invalid_phone")));
    assert!(issues.iter().any(|issue| issue.field == PHONE));
}

#[test]
fn empty_fields_never_erase() {
    let merge = merge_contact(&stored(), &received());
    assert_eq!(merge.contact, stored());
    assert!(!merge.is_changed());
    assert!(merge.issues.is_empty());
}

#[test]
fn missing_fields_are_filled() {
    let empty = ClientContact {
        phone: None,
        document: None,
        ..stored()
    };
    let data = CustomerData {
        phone: Some(phone("+5511987654321")),
        document: Some(document("52998224725")),
        ..received()
    };
    let merge = merge_contact(&empty, &data);
    assert_eq!(merge.contact, stored());
    assert_eq!(merge.changed, vec![PHONE, DOCUMENT]);
    assert!(merge.document_changed());
}

#[test]
fn changed_values_replace_stored_ones() {
    let data = CustomerData {
        name: Some(name("Ana Souza Lima")),
        name_altered: true,
        phone: Some(phone("+5521912345678")),
        ..received()
    };
    let merge = merge_contact(&stored(), &data);
    assert_eq!(merge.contact.name, name("Ana Souza Lima"));
    assert!(merge.contact.name_altered);
    assert_eq!(merge.contact.phone, Some(phone("+5521912345678")));
    assert_eq!(merge.contact.document, stored().document);
    assert_eq!(merge.changed, vec![NAME, PHONE]);
    assert!(!merge.document_changed());
}

#[test]
fn same_values_change_nothing() {
    let data = CustomerData {
        name: Some(name("Ana Souza")),
        phone: Some(phone("(11) 98765-4321")),
        document: Some(document("529.982.247-25")),
        ..received()
    };
    let merge = merge_contact(&stored(), &data);
    assert!(!merge.is_changed());
    assert_eq!(merge.contact, stored());
}

#[test]
fn unverified_never_replaces_verified() {
    let data = CustomerData {
        phone: Some(unverified("12345", "invalid_phone")),
        document: Some(unverified("111.111.111-11", "repeated_digits")),
        ..received()
    };
    let merge = merge_contact(&stored(), &data);
    assert_eq!(merge.contact, stored());
    assert!(!merge.is_changed());
    let not_applied: Vec<&str> = merge
        .issues
        .iter()
        .filter(|issue| issue.reason == UNVERIFIED_NOT_APPLIED)
        .map(|issue| issue.field)
        .collect();
    assert_eq!(not_applied, vec![PHONE, DOCUMENT]);
    // The validation issues of the received values are reported too.
    assert!(
        merge
            .issues
            .iter()
            .any(|issue| issue.reason == "invalid_phone")
    );
}

#[test]
fn unverified_replaces_unverified_or_missing() {
    let odd = ClientContact {
        phone: Some(unverified("12345", "invalid_phone")),
        document: None,
        ..stored()
    };
    let data = CustomerData {
        phone: Some(unverified("999", "invalid_phone")),
        document: Some(unverified("12345", "invalid_length")),
        ..received()
    };
    let merge = merge_contact(&odd, &data);
    assert_eq!(
        merge.contact.phone,
        Some(unverified("999", "invalid_phone"))
    );
    assert_eq!(
        merge.contact.document,
        Some(unverified("12345", "invalid_length"))
    );
    assert_eq!(merge.changed, vec![PHONE, DOCUMENT]);
}

#[test]
fn verified_replaces_unverified() {
    let odd = ClientContact {
        phone: Some(unverified("12345", "invalid_phone")),
        ..stored()
    };
    let data = CustomerData {
        phone: Some(phone("+5511987654321")),
        ..received()
    };
    let merge = merge_contact(&odd, &data);
    assert_eq!(merge.contact.phone, Some(phone("+5511987654321")));
    assert_eq!(merge.changed, vec![PHONE]);
}

fn checked_phone() -> impl Strategy<Value = Option<Checked<Phone>>> {
    proptest::option::of(prop_oneof![
        Just(phone("+5511987654321")),
        Just(phone("+5521912345678")),
        Just(unverified("12345", "invalid_phone")),
        Just(unverified("999", "invalid_phone")),
    ])
}

fn checked_document() -> impl Strategy<Value = Option<Checked<Document>>> {
    proptest::option::of(prop_oneof![
        Just(document("52998224725")),
        Just(unverified("12345", "invalid_length")),
    ])
}

fn full_name() -> impl Strategy<Value = Option<FullName>> {
    proptest::option::of(prop_oneof![Just(name("Ana")), Just(name("Ana Souza"))])
}

fn customer() -> impl Strategy<Value = CustomerData> {
    (full_name(), checked_phone(), checked_document()).prop_map(|(name, phone, document)| {
        CustomerData {
            email: email("ana@example.com"),
            name,
            name_altered: false,
            phone,
            document,
        }
    })
}

fn contact() -> impl Strategy<Value = ClientContact> {
    (checked_phone(), checked_document()).prop_map(|(phone, document)| ClientContact {
        name: name("Ana"),
        name_altered: false,
        phone,
        document,
    })
}

proptest! {
    #[test]
    fn merge_is_idempotent(stored in contact(), data in customer()) {
        let once = merge_contact(&stored, &data);
        let twice = merge_contact(&once.contact, &data);
        prop_assert_eq!(&twice.contact, &once.contact);
        prop_assert!(!twice.is_changed());
    }

    #[test]
    fn merge_never_erases_or_downgrades(stored in contact(), data in customer()) {
        let merged = merge_contact(&stored, &data).contact;
        if stored.phone.is_some() {
            prop_assert!(merged.phone.is_some());
        }
        if stored.document.is_some() {
            prop_assert!(merged.document.is_some());
        }
        if matches!(stored.phone, Some(Checked::Valid(_))) {
            prop_assert!(matches!(merged.phone, Some(Checked::Valid(_))));
        }
        if matches!(stored.document, Some(Checked::Valid(_))) {
            prop_assert!(matches!(merged.document, Some(Checked::Valid(_))));
        }
    }
}
