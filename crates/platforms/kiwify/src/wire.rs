//! Kiwify's JSON body, as sent. Keys may be missing rather than null, so every
//! field is optional and checked where it is used.

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

/// The root of an order or subscription delivery.
#[derive(Debug, Deserialize)]
pub(crate) struct Order {
    pub order_id: Option<String>,
    pub order_status: Option<String>,
    pub webhook_event_type: Option<String>,
    pub payment_method: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub approved_date: Option<String>,
    pub refunded_at: Option<String>,
    pub subscription_id: Option<String>,
    #[serde(rename = "Product")]
    pub product: Option<Product>,
    #[serde(rename = "Customer")]
    pub customer: Option<Customer>,
    #[serde(rename = "Commissions")]
    pub commissions: Option<Commissions>,
    #[serde(rename = "Subscription")]
    pub subscription: Option<Subscription>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Product {
    pub product_id: Option<String>,
    pub product_name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Customer {
    pub full_name: Option<String>,
    pub first_name: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
    /// Individuals' document; companies get `cnpj` instead.
    #[serde(rename = "CPF")]
    pub cpf: Option<String>,
    pub cnpj: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Commissions {
    /// The amount charged, in cents.
    pub charge_amount: Option<Box<RawValue>>,
    pub currency: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Subscription {
    pub id: Option<String>,
    /// ISO 8601 in UTC, unlike the order dates.
    pub next_payment: Option<String>,
    pub plan: Option<Plan>,
    pub charges: Option<Charges>,
    pub customer_access: Option<CustomerAccess>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Plan {
    pub id: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Charges {
    pub completed: Option<Vec<Charge>>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Charge {
    pub order_id: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct CustomerAccess {
    /// End of the paid period, ISO 8601 in UTC.
    pub access_until: Option<String>,
}

/// The fields that tell the body shapes apart: an order at the root, an order inside
/// an `order` wrapper, or an abandoned cart. Values are read loosely here, because
/// a type mismatch belongs to the full parse that follows.
#[derive(Debug, Deserialize)]
pub(crate) struct Shape {
    pub order_id: Option<Value>,
    pub order: Option<Box<RawValue>>,
    /// The abandoned cart's own id.
    pub id: Option<Value>,
    /// `abandoned` on abandoned carts.
    pub status: Option<Value>,
}
