//! Parsing of Kiwify deliveries into sale events, one test per sample payload and
//! per event rule.

mod common;

use clientela_domain::sale::{
    CustomerData, IgnoreReason, SaleEvent, SubscriptionChangeKind, TransactionEvent,
};
use clientela_domain::values::{
    Checked, Document, DocumentKind, Money, PaymentMethodKind, Phone, Platform,
    TransactionStatusKind,
};
use clientela_kiwify::KiwifyAdapter;
use clientela_platform::PlatformAdapter;
use common::{fixture, fixture_json, parse_one, to_body, verified};
use serde_json::{Value, json};
use time::UtcOffset;
use time::macros::datetime;

const APPROVED_ORDER: &str = "9b1c2d3e-4f50-4a61-8b72-c3d4e5f60711";
const PHOTO_COURSE: &str = "5d7e9f10-2a3b-4c5d-8e9f-0a1b2c3d4e50";
const SUBSCRIPTION: &str = "4a617283-94a5-4fb6-80c7-18293a4b5c66";

fn transaction(event: SaleEvent) -> TransactionEvent {
    match event {
        SaleEvent::Transaction(transaction) => transaction,
        other => panic!("expected a transaction, got {other:?}"),
    }
}

fn ignore_reason(event: &SaleEvent) -> IgnoreReason {
    match event {
        SaleEvent::Ignored(ignored) => ignored.reason,
        other => panic!("expected an ignored event, got {other:?}"),
    }
}

fn assert_customer(customer: &CustomerData, email: &str, name: &str, phone: &str, cpf: &str) {
    assert_eq!(customer.email.as_str(), email);
    assert_eq!(customer.name.as_ref().map(|name| name.as_str()), Some(name));
    assert_eq!(
        customer.phone,
        Some(Checked::Valid(Phone::parse(phone).expect("valid phone")))
    );
    assert_eq!(
        customer.document,
        Some(Checked::Valid(Document::parse(cpf).expect("valid CPF")))
    );
    assert!(
        customer.issues().is_empty(),
        "issues: {:?}",
        customer.issues()
    );
}

fn assert_photo_course(event: &TransactionEvent) {
    assert_eq!(event.products.len(), 1);
    assert_eq!(event.products[0].external_id, PHOTO_COURSE);
    assert_eq!(
        event.products[0].name.as_deref(),
        Some("Curso de Fotografia com Celular")
    );
}

/// Parses a fixture after replacing its `webhook_event_type`.
fn with_event(name: &str, event_type: &str) -> SaleEvent {
    let mut json = fixture_json(name);
    json["webhook_event_type"] = event_type.into();
    parse_one(to_body(&json))
}

#[test]
fn order_approved_card() {
    let event = transaction(parse_one(fixture("order_approved_card.json")));
    assert_eq!(event.platform, Platform::Kiwify);
    assert_eq!(event.event_type, "order_approved");
    assert_eq!(event.external_id, APPROVED_ORDER);
    assert_customer(
        &event.customer,
        "beatriz.goncalves@example.com",
        "Beatriz Araújo Gonçalves",
        "+5548900000101",
        "52964018324",
    );
    assert_photo_course(&event);
    assert_eq!(event.amount, Money::brl(19_700));
    assert_eq!(event.payment_method.kind, PaymentMethodKind::Card);
    assert_eq!(event.payment_method.raw.as_deref(), Some("credit_card"));
    assert_eq!(event.status.kind, TransactionStatusKind::Paid);
    assert_eq!(event.status.raw.as_deref(), Some("paid"));
    // 14:32 in São Paulo (UTC-3).
    assert_eq!(event.occurred_at, datetime!(2025-07-08 17:32 UTC));
    assert_eq!(event.occurred_at.offset(), UtcOffset::UTC);
    assert_eq!(event.ordered_at, Some(datetime!(2025-07-08 17:32 UTC)));
    assert_eq!(event.subscription, None);
}

#[test]
fn pix_created() {
    let event = transaction(parse_one(fixture("pix_created.json")));
    assert_eq!(event.event_type, "pix_created");
    assert_eq!(event.external_id, "0c2d3e4f-5061-4b72-9c83-d4e5f6071822");
    assert_customer(
        &event.customer,
        "carlos.nunes@example.com",
        "Carlos Eduardo Nunes",
        "+5511900000202",
        "83025671408",
    );
    assert_photo_course(&event);
    assert_eq!(event.amount, Money::brl(19_700));
    assert_eq!(event.payment_method.kind, PaymentMethodKind::Pix);
    assert_eq!(event.payment_method.raw.as_deref(), Some("pix"));
    assert_eq!(event.status.kind, TransactionStatusKind::Pending);
    assert_eq!(event.status.raw.as_deref(), Some("waiting_payment"));
    assert_eq!(event.occurred_at, datetime!(2025-07-09 13:05 UTC));
}

#[test]
fn billet_created() {
    let event = transaction(parse_one(fixture("billet_created.json")));
    assert_eq!(event.event_type, "billet_created");
    assert_eq!(event.external_id, "1d3e4f50-6172-4c83-ad94-e5f607182933");
    assert_customer(
        &event.customer,
        "carlos.nunes@example.com",
        "Carlos Eduardo Nunes",
        "+5511900000202",
        "83025671408",
    );
    assert_photo_course(&event);
    assert_eq!(event.amount, Money::brl(19_700));
    assert_eq!(event.payment_method.kind, PaymentMethodKind::Boleto);
    assert_eq!(event.payment_method.raw.as_deref(), Some("boleto"));
    assert_eq!(event.status.kind, TransactionStatusKind::Pending);
    assert_eq!(event.status.raw.as_deref(), Some("waiting_payment"));
    assert_eq!(event.occurred_at, datetime!(2025-07-09 14:20 UTC));
}

#[test]
fn order_refunded_matches_approved_order() {
    let event = transaction(parse_one(fixture("order_refunded.json")));
    assert_eq!(event.event_type, "order_refunded");
    assert_eq!(event.external_id, APPROVED_ORDER);
    assert_customer(
        &event.customer,
        "beatriz.goncalves@example.com",
        "Beatriz Araújo Gonçalves",
        "+5548900000101",
        "52964018324",
    );
    assert_photo_course(&event);
    assert_eq!(event.amount, Money::brl(19_700));
    assert_eq!(event.payment_method.kind, PaymentMethodKind::Card);
    assert_eq!(event.status.kind, TransactionStatusKind::Refunded);
    assert_eq!(event.status.raw.as_deref(), Some("refunded"));
    // `refunded_at` 09:15 in São Paulo.
    assert_eq!(event.occurred_at, datetime!(2025-07-12 12:15 UTC));
    assert_eq!(event.ordered_at, Some(datetime!(2025-07-08 17:32 UTC)));
}

#[test]
fn chargeback() {
    let event = transaction(parse_one(fixture("chargeback.json")));
    assert_eq!(event.event_type, "chargeback");
    assert_eq!(event.external_id, "2e4f5061-7283-4d94-bea5-f60718293a44");
    assert_customer(
        &event.customer,
        "diego.rocha@example.com",
        "Diego Fernandes Rocha",
        "+5531900000404",
        "17259384646",
    );
    assert_photo_course(&event);
    assert_eq!(event.amount, Money::brl(49_700));
    assert_eq!(event.payment_method.kind, PaymentMethodKind::Card);
    assert_eq!(event.status.kind, TransactionStatusKind::Chargeback);
    assert_eq!(event.status.raw.as_deref(), Some("chargedback"));
    // 20:47 in São Paulo is 23:47 UTC the same day.
    assert_eq!(event.occurred_at, datetime!(2025-06-02 23:47 UTC));
}

#[test]
fn order_rejected_is_cancelled() {
    let event = transaction(parse_one(fixture("order_rejected.json")));
    assert_eq!(event.event_type, "order_rejected");
    assert_eq!(event.external_id, "3f506172-8394-4ea5-8fb6-0718293a4b55");
    assert_customer(
        &event.customer,
        "elisa.tavares@example.com",
        "Elisa Moraes Tavares",
        "+5541900000505",
        "95631842033",
    );
    assert_photo_course(&event);
    assert_eq!(event.amount, Money::brl(19_700));
    assert_eq!(event.payment_method.kind, PaymentMethodKind::Card);
    assert_eq!(event.status.kind, TransactionStatusKind::Cancelled);
    assert_eq!(event.status.raw.as_deref(), Some("refused"));
    assert_eq!(event.occurred_at, datetime!(2025-07-10 11:01 UTC));
}

#[test]
fn subscription_canceled() {
    let event = parse_one(fixture("subscription_canceled.json"));
    let SaleEvent::SubscriptionCancelled(cancellation) = event else {
        panic!("expected a cancellation, got {event:?}");
    };
    assert_eq!(cancellation.platform, Platform::Kiwify);
    assert_eq!(cancellation.event_type, "subscription_canceled");
    assert_eq!(cancellation.subscription_id, SUBSCRIPTION);

    assert_customer(
        &cancellation.customer,
        "fernanda.batista@example.com",
        "Fernanda Lopes Batista",
        "+5561900000606",
        "38192746500",
    );

    assert_eq!(cancellation.products.len(), 1);
    assert_eq!(
        cancellation.products[0].external_id,
        "6e8f0a21-3b4c-4d6e-9f0a-1b2c3d4e5f61"
    );
    assert_eq!(
        cancellation.products[0].name.as_deref(),
        Some("Comunidade Fotografia Mensal")
    );

    let plan = cancellation.plan.expect("plan");
    assert_eq!(
        plan.external_id.as_deref(),
        Some("a1b2c3d4-0000-4000-8000-00000000a001")
    );
    assert_eq!(plan.name.as_deref(), Some("Plano Mensal"));

    assert_eq!(cancellation.cancelled_at, None);
    assert_eq!(
        cancellation.access_until,
        Some(datetime!(2025-07-15 12:00 UTC))
    );
}

#[test]
fn cancellation_without_access_date() {
    let mut json = fixture_json("subscription_canceled.json");
    json["Subscription"]
        .as_object_mut()
        .expect("Subscription")
        .remove("customer_access");
    let SaleEvent::SubscriptionCancelled(cancellation) = parse_one(to_body(&json)) else {
        panic!("expected a cancellation");
    };
    assert_eq!(cancellation.access_until, None);
}

#[test]
fn cancellation_uses_subscription_object_id() {
    let mut json = fixture_json("subscription_canceled.json");
    json.as_object_mut()
        .expect("object")
        .remove("subscription_id");
    let SaleEvent::SubscriptionCancelled(cancellation) = parse_one(to_body(&json)) else {
        panic!("expected a cancellation");
    };
    assert_eq!(cancellation.subscription_id, SUBSCRIPTION);

    json.as_object_mut().expect("object").remove("Subscription");
    let error = KiwifyAdapter
        .parse(&verified(to_body(&json)))
        .expect_err("no subscription id");
    assert_eq!(
        error.to_string(),
        "required field subscription_id is missing"
    );
}

#[test]
fn subscription_renewed_is_renewal_transaction() {
    let mut json = fixture_json("subscription_canceled.json");
    json["webhook_event_type"] = "subscription_renewed".into();
    json["Subscription"]["status"] = "active".into();
    let event = transaction(parse_one(to_body(&json)));
    assert_eq!(event.event_type, "subscription_renewed");
    assert_eq!(event.external_id, "5b728394-a5b6-40c7-91d8-293a4b5c6d77");
    assert_eq!(event.status.kind, TransactionStatusKind::Paid);
    assert_eq!(event.status.raw.as_deref(), Some("paid"));
    assert_eq!(event.amount, Money::brl(4990));
    assert_eq!(event.occurred_at, datetime!(2025-06-15 12:00 UTC));
    let subscription = event.subscription.expect("subscription");
    assert_eq!(subscription.external_id, SUBSCRIPTION);
    // The order is the second completed charge.
    assert_eq!(subscription.recurrence, Some(2));
    assert_eq!(
        subscription.next_charge_at,
        Some(datetime!(2025-07-15 12:00 UTC))
    );
    assert_eq!(
        subscription.access_until,
        Some(datetime!(2025-07-15 12:00 UTC))
    );
    assert_eq!(
        subscription.plan.and_then(|plan| plan.name).as_deref(),
        Some("Plano Mensal")
    );
}

#[test]
fn subscription_late_changes_nothing_else() {
    let mut json = fixture_json("subscription_canceled.json");
    json["webhook_event_type"] = "subscription_late".into();
    json["order_status"] = "waiting_payment".into();
    json["Subscription"]["status"] = "late".into();
    let event = parse_one(to_body(&json));
    let SaleEvent::SubscriptionChanged(change) = event else {
        panic!("expected a subscription change, got {event:?}");
    };
    assert_eq!(change.event_type, "subscription_late");
    assert_eq!(change.subscription_id, SUBSCRIPTION);
    assert_eq!(change.change, SubscriptionChangeKind::Late);
    assert_eq!(change.occurred_at, datetime!(2025-06-15 12:00 UTC));
    assert_eq!(
        change.customer.expect("customer").email.as_str(),
        "fernanda.batista@example.com"
    );
}

#[test]
fn abandoned_cart_ignored() {
    let body = json!({
        "id": "c0ffee00-0000-4000-8000-000000000001",
        "status": "abandoned",
        "name": "Gustavo Prado",
        "email": "gustavo.prado@example.com",
        "phone": "(11) 90000-0707",
        "cpf": "52998224725",
        "product_id": PHOTO_COURSE,
        "product_name": "Curso de Fotografia com Celular",
        "offer_name": "Oferta principal",
        "store_id": "Fx7Kq2LmN9pRt4W",
        "checkout_link": "a1b2c3",
        "country": "br",
        "created_at": "2025-07-09 10:00",
        "subscription_plan": null
    });
    let event = parse_one(to_body(&body));
    assert_eq!(ignore_reason(&event), IgnoreReason::AbandonedCart);
    assert_eq!(event.event_type(), "abandoned_cart");

    let key = KiwifyAdapter
        .dedupe_key(&verified(to_body(&body)))
        .expect("key");
    assert_eq!(
        key,
        "c0ffee00-0000-4000-8000-000000000001:abandoned_cart:abandoned"
    );
}

#[test]
fn test_send_ignored() {
    let mut json = fixture_json("order_approved_card.json");
    json["Customer"]["email"] = "JohnDoe@example.com".into();
    json["Customer"]["full_name"] = "John Doe".into();
    let event = parse_one(to_body(&json));
    assert_eq!(ignore_reason(&event), IgnoreReason::TestDelivery);
    assert_eq!(event.event_type(), "order_approved");
}

#[test]
fn order_wrapper_unwrapped() {
    let wrapped = json!({
        "url": "https://hooks.example.com/kiwify",
        "signature": "00",
        "order": fixture_json("order_approved_card.json"),
    });
    let event = transaction(parse_one(to_body(&wrapped)));
    assert_eq!(event.external_id, APPROVED_ORDER);
    assert_eq!(event.amount, Money::brl(19_700));
    assert_eq!(
        event.customer.email.as_str(),
        "beatriz.goncalves@example.com"
    );

    let key = KiwifyAdapter
        .dedupe_key(&verified(to_body(&wrapped)))
        .expect("key");
    assert_eq!(key, format!("{APPROVED_ORDER}:order_approved:paid"));
}

#[test]
fn unknown_event_unrecognized() {
    let event = with_event("order_approved_card.json", "order_teleported");
    let SaleEvent::Unrecognized(unrecognized) = &event else {
        panic!("expected unrecognized, got {event:?}");
    };
    assert_eq!(unrecognized.platform, Platform::Kiwify);
    assert_eq!(unrecognized.event_type, "order_teleported");

    let mut json = fixture_json("order_approved_card.json");
    json.as_object_mut()
        .expect("object")
        .remove("webhook_event_type");
    assert_eq!(parse_one(to_body(&json)).kind(), "unrecognized");
}

#[test]
fn company_document_read_from_cnpj() {
    let mut json = fixture_json("order_approved_card.json");
    let customer = json["Customer"].as_object_mut().expect("Customer");
    customer.remove("CPF");
    customer.insert("cnpj".to_owned(), "47182936000144".into());
    let event = transaction(parse_one(to_body(&json)));
    let Some(Checked::Valid(document)) = event.customer.document else {
        panic!(
            "expected a valid document, got {:?}",
            event.customer.document
        );
    };
    assert_eq!(document.kind(), DocumentKind::Cnpj);
    assert_eq!(document.as_str(), "47182936000144");
}

#[test]
fn odd_contact_data_kept_unverified() {
    let mut json = fixture_json("order_approved_card.json");
    json["Customer"]["mobile"] = "+55 11 123".into();
    json["Customer"]["CPF"] = "529.640.183-25".into();
    let event = transaction(parse_one(to_body(&json)));
    assert_eq!(
        event.customer.phone,
        Some(Checked::Unverified {
            raw: "+55 11 123".to_owned(),
            reason: "invalid_phone".to_owned(),
        })
    );
    assert_eq!(
        event.customer.document,
        Some(Checked::Unverified {
            raw: "529.640.183-25".to_owned(),
            reason: "invalid_check_digits".to_owned(),
        })
    );
    assert_eq!(event.external_id, APPROVED_ORDER);
}

#[test]
fn empty_contact_fields_are_no_data() {
    let mut json = fixture_json("order_approved_card.json");
    json["Customer"]["mobile"] = "".into();
    json["Customer"]["CPF"] = Value::Null;
    json["Customer"]["full_name"] = "".into();
    let event = transaction(parse_one(to_body(&json)));
    assert_eq!(event.customer.phone, None);
    assert_eq!(event.customer.document, None);
    // The first name is used when the full name is empty.
    assert_eq!(
        event.customer.name.as_ref().map(|name| name.as_str()),
        Some("Beatriz")
    );
}

#[test]
fn charge_amount_forms() {
    let cases = [(json!(5298), 5298), (json!("17703"), 17_703), (json!(0), 0)];
    for (amount, cents) in cases {
        let mut json = fixture_json("order_approved_card.json");
        json["Commissions"]["charge_amount"] = amount.clone();
        let event = transaction(parse_one(to_body(&json)));
        assert_eq!(event.amount.cents, cents, "amount {amount}");
    }
}

#[test]
fn unusable_charge_amount_fails() {
    for amount in [json!(52.98), json!(null), json!("52,98"), json!(true)] {
        let mut json = fixture_json("order_approved_card.json");
        json["Commissions"]["charge_amount"] = amount.clone();
        let error = KiwifyAdapter
            .parse(&verified(to_body(&json)))
            .expect_err("unusable amount");
        assert!(
            error.to_string().contains("Commissions.charge_amount"),
            "amount {amount}: {error}"
        );
    }
}

#[test]
fn bad_local_date_fails() {
    let mut json = fixture_json("order_approved_card.json");
    json["approved_date"] = "08/07/2025 14:32".into();
    let error = KiwifyAdapter
        .parse(&verified(to_body(&json)))
        .expect_err("bad date");
    assert!(
        error
            .to_string()
            .starts_with("field approved_date is invalid"),
        "{error}"
    );
}

#[test]
fn missing_dates_fail() {
    let mut json = fixture_json("pix_created.json");
    let object = json.as_object_mut().expect("object");
    object.insert("created_at".to_owned(), Value::Null);
    object.insert("updated_at".to_owned(), Value::Null);
    let error = KiwifyAdapter
        .parse(&verified(to_body(&json)))
        .expect_err("no date");
    assert_eq!(error.to_string(), "required field updated_at is missing");
}

#[test]
fn bad_email_fails_without_echoing_it() {
    let mut json = fixture_json("order_approved_card.json");
    json["Customer"]["email"] = "beatriz at example".into();
    let error = KiwifyAdapter
        .parse(&verified(to_body(&json)))
        .expect_err("invalid e-mail");
    let message = error.to_string();
    assert!(message.contains("Customer.email"), "{message}");
    assert!(!message.contains("beatriz"), "{message}");
}

#[test]
fn missing_order_id_fails() {
    let mut json = fixture_json("order_approved_card.json");
    json.as_object_mut().expect("object").remove("order_id");
    let body = to_body(&json);
    let error = KiwifyAdapter
        .parse(&verified(body.clone()))
        .expect_err("no order id");
    assert_eq!(error.to_string(), "required field order_id is missing");
    let error = KiwifyAdapter
        .dedupe_key(&verified(body))
        .expect_err("no order id");
    assert_eq!(error.to_string(), "required field order_id is missing");
}

#[test]
fn malformed_json_fails() {
    let error = KiwifyAdapter
        .parse(&verified("{\"order_id\":"))
        .expect_err("truncated");
    assert_eq!(error.code(), "invalid_body");
}

#[test]
fn dedupe_keys_differ_by_event_and_status() {
    let approved = KiwifyAdapter
        .dedupe_key(&verified(fixture("order_approved_card.json")))
        .expect("key");
    let refunded = KiwifyAdapter
        .dedupe_key(&verified(fixture("order_refunded.json")))
        .expect("key");
    assert_eq!(approved, format!("{APPROVED_ORDER}:order_approved:paid"));
    assert_eq!(
        refunded,
        format!("{APPROVED_ORDER}:order_refunded:refunded")
    );

    // A repeat delivery of the same bytes has the same key.
    let again = KiwifyAdapter
        .dedupe_key(&verified(fixture("order_approved_card.json")))
        .expect("key");
    assert_eq!(again, approved);
}

#[test]
fn events_survive_serde_round_trip() {
    for name in [
        "order_approved_card.json",
        "order_refunded.json",
        "subscription_canceled.json",
    ] {
        let event = parse_one(fixture(name));
        let stored = serde_json::to_string(&event).expect("serializable");
        let restored: SaleEvent = serde_json::from_str(&stored).expect("deserializable");
        assert_eq!(restored, event, "fixture {name}");
    }
}
