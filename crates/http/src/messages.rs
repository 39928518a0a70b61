//! The Brazilian Portuguese message catalogue: turns a field's stable error code into
//! the sentence a producer reads. Codes and field names stay in English.

use clientela_domain::search::{MAX_PAGE_SIZE, MAX_SEARCH_CHARS};
use clientela_domain::services::{
    EXTERNAL_ID_MAX_CHARS, MEMBERS_URL_MAX_CHARS, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS,
};
use clientela_domain::values::{NAME_MAX_CHARS, Platform};
use clientela_domain::webhook::DELIVERY_PAGE_MAX;
use clientela_platform::{CREDENTIAL_MAX_CHARS, ParseError};

/// Grammatical gender of a field's Portuguese label, for adjective agreement
/// ("obrigatório" or "obrigatória").
#[derive(Clone, Copy)]
enum Gender {
    Masculine,
    Feminine,
}

/// Returns the Portuguese label of a request field or query parameter.
fn label(field: &str) -> Option<(&'static str, Gender)> {
    use Gender::{Feminine, Masculine};
    let label = match field {
        "name" => ("Nome", Masculine),
        "email" => ("E-mail", Masculine),
        "phone" => ("Telefone", Masculine),
        "document" => ("CPF/CNPJ", Masculine),
        "password" => ("Senha", Feminine),
        "status" => ("Status", Masculine),
        "product_ids" => ("Lista de produtos", Feminine),
        "product_id" | "product" => ("Produto", Masculine),
        "expires_at" => ("Data de expiração", Feminine),
        "q" => ("Texto da busca", Masculine),
        "platform" => ("Plataforma", Feminine),
        "product_mode" => ("Modo do filtro de produto", Masculine),
        "created_from" => ("Data inicial de cadastro", Feminine),
        "created_to" => ("Data final de cadastro", Feminine),
        "last_access_before" => ("Data de último acesso", Feminine),
        "never_accessed" => ("Filtro de quem nunca acessou", Masculine),
        "has_chargeback" => ("Filtro de chargeback", Masculine),
        "sort" => ("Ordenação", Feminine),
        "limit" => ("Limite", Masculine),
        "cursor" => ("Cursor", Masculine),
        "slug" => ("Slug", Masculine),
        "members_url" => ("Endereço da área de membros", Masculine),
        "mail_from" => ("Remetente dos e-mails", Masculine),
        "time_zone" => ("Fuso horário", Masculine),
        "token" => ("Token do link", Masculine),
        "external_id" => ("Id do produto na plataforma", Masculine),
        "credential" => ("Credencial", Feminine),
        "outcome" => ("Resultado", Masculine),
        "from" => ("Data inicial", Feminine),
        "to" => ("Data final", Feminine),
        _ => return None,
    };
    Some(label)
}

/// Strips list indexes and nested names from a field path: `product_ids[2]` is
/// looked up as `product_ids`.
fn base_field(field: &str) -> &str {
    let end = field.find(['[', '.']).unwrap_or(field.len());
    &field[..end]
}

fn agree(gender: Gender, masculine: &'static str, feminine: &'static str) -> &'static str {
    match gender {
        Gender::Masculine => masculine,
        Gender::Feminine => feminine,
    }
}

/// Returns the Portuguese message for one invalid field. Every stable code the
/// domain and the request parsers produce has a message here. An unknown pair still
/// gets a sentence that names the field.
pub fn field_message(field: &str, code: &str) -> String {
    let base = base_field(field);
    if let Some(message) = specific_message(base, code) {
        return message;
    }
    if code == "unknown_field" {
        return format!("Campo desconhecido: {field}. Remova-o do corpo da requisição.");
    }
    if code == "unknown_parameter" {
        return format!("Parâmetro desconhecido na URL: {field}.");
    }
    if code == "duplicate_parameter" {
        return format!("Parâmetro repetido na URL: {field}. Informe-o uma vez só.");
    }
    let Some((label, gender)) = label(base) else {
        return format!("Valor inválido no campo {field}.");
    };
    match code {
        "required" => format!("{label} é {}.", agree(gender, "obrigatório", "obrigatória")),
        "too_long" => format!("{label} é {} demais.", agree(gender, "longo", "longa")),
        "duplicate" => format!("{label} tem valores repetidos."),
        "not_found" => format!("{label} não {}.", agree(gender, "encontrado", "encontrada")),
        _ => format!("{label} {}.", agree(gender, "inválido", "inválida")),
    }
}

/// Returns a message that gives more than the generic ones: limits, formats and
/// examples.
fn specific_message(field: &str, code: &str) -> Option<String> {
    let message = match (field, code) {
        ("name", "too_long") => {
            format!("Nome longo demais: o máximo é {NAME_MAX_CHARS} caracteres.")
        }
        ("name", "invalid_characters") => {
            "Nome inválido: contém caracteres de controle, que não são permitidos.".into()
        }
        ("email", "too_long") => "E-mail longo demais: o máximo é 254 caracteres.".into(),
        ("email", "invalid_email") => {
            "E-mail inválido: confira o endereço, por exemplo nome@exemplo.com.br.".into()
        }
        ("email", "taken") => "Já existe um cliente com este e-mail neste app.".into(),
        ("phone", "required") => {
            "Telefone vazio: informe um número ou envie null para removê-lo.".into()
        }
        ("phone", "invalid_characters") => "Telefone inválido: use apenas dígitos, espaços, \
             hífens, pontos, parênteses e um + no início."
            .into(),
        ("phone", "invalid_phone") => "Telefone inválido: informe o DDD e o número, por \
             exemplo (11) 98765-4321, ou o código do país, por exemplo +351 912 345 678."
            .into(),
        ("document", "required") => {
            "CPF/CNPJ vazio: informe um documento ou envie null para removê-lo.".into()
        }
        ("document", "invalid_length") => {
            "CPF/CNPJ inválido: o CPF tem 11 dígitos e o CNPJ, 14 caracteres.".into()
        }
        ("document", "invalid_characters") => {
            "CPF/CNPJ inválido: use apenas dígitos e os caracteres de máscara . - /.".into()
        }
        ("document", "repeated_digits") => "CPF/CNPJ inválido: todos os dígitos são iguais.".into(),
        ("document", "invalid_check_digits") => {
            "CPF/CNPJ inválido: os dígitos verificadores não conferem.".into()
        }
        ("password", "too_short") => {
            format!("Senha curta demais: o mínimo é {PASSWORD_MIN_CHARS} caracteres.")
        }
        ("password", "too_long") => {
            format!("Senha longa demais: o máximo é {PASSWORD_MAX_CHARS} caracteres.")
        }
        ("product_ids", "duplicate") => {
            "Lista de produtos inválida: o mesmo produto aparece mais de uma vez.".into()
        }
        ("product_ids", "not_found") | ("product_id", "not_found") => {
            "Produto não encontrado neste app.".into()
        }
        ("product_ids", "invalid_value") => {
            "Lista de produtos inválida: informe uma lista de identificadores (UUID) de produtos."
                .into()
        }
        ("product_id", "required") => {
            "Produto é obrigatório: informe o identificador (UUID) do produto.".into()
        }
        ("product_id" | "product", "invalid_value") => {
            "Produto inválido: informe o identificador (UUID) do produto.".into()
        }
        ("expires_at", "invalid_value") => "Data de expiração inválida: use o formato RFC 3339, \
             por exemplo 2026-12-31T23:59:59Z."
            .into(),
        ("expires_at", "in_the_past") => {
            "Data de expiração inválida: informe uma data futura.".into()
        }
        ("status", "invalid_value" | "invalid_choice") => {
            "Status inválido: use \"active\" (ativo) ou \"inactive\" (inativo).".into()
        }
        ("q", "too_long") => {
            format!("Texto da busca longo demais: o máximo é {MAX_SEARCH_CHARS} caracteres.")
        }
        ("platform", "required") => {
            "Plataforma é obrigatória: informe, por exemplo, hotmart ou kiwify.".into()
        }
        ("platform", "not_a_sales_platform") => "Plataforma inválida: informe uma plataforma \
             de vendas, como hotmart ou kiwify; manual, app e import não são plataformas de \
             vendas."
            .into(),
        ("external_id", "too_long") => format!(
            "Id do produto na plataforma longo demais: o máximo é {EXTERNAL_ID_MAX_CHARS} \
             caracteres."
        ),
        ("external_id", "invalid_characters") => {
            "Id do produto na plataforma inválido: contém caracteres de controle.".into()
        }
        ("credential", "required") => "Credencial vazia: informe o token da plataforma.".into(),
        ("credential", "too_long") => {
            format!("Credencial longa demais: o máximo é {CREDENTIAL_MAX_CHARS} caracteres.")
        }
        ("credential", "invalid_characters") => {
            "Credencial inválida: não pode conter espaços nem caracteres de controle.".into()
        }
        ("outcome", _) => "Resultado inválido: use processed, ignored, unrecognized ou \
             rejected_unparseable."
            .into(),
        ("from" | "to", "invalid_date") => {
            let (label, _) = label(field)?;
            format!("{label} inválida: use o formato RFC 3339, por exemplo 2026-01-31T00:00:00Z.")
        }
        ("to", "before_start") => "Período inválido: a data final é anterior à inicial.".into(),
        ("platform", _) => {
            let names: Vec<&str> = Platform::ALL.iter().map(Platform::as_str).collect();
            format!(
                "Plataforma desconhecida: use um destes valores: {}.",
                names.join(", ")
            )
        }
        ("product_mode", _) => "Modo do filtro de produto inválido: use has_access (tem \
             acesso) ou ever_bought (já comprou)."
            .into(),
        ("created_from" | "created_to" | "last_access_before", "invalid_date") => {
            let (label, _) = label(field)?;
            format!("{label} inválida: use o formato AAAA-MM-DD, por exemplo 2026-01-31.")
        }
        ("created_to", "before_start") | ("created_from", "after_end") => {
            "Período de cadastro inválido: a data final é anterior à inicial.".into()
        }
        ("never_accessed" | "has_chargeback", "invalid_boolean") => {
            let (label, _) = label(field)?;
            format!("{label} inválido: use true ou false.")
        }
        ("sort", _) => "Ordenação inválida: use created_desc, created_asc ou name_asc.".into(),
        ("limit", "out_of_range") => {
            format!("Limite inválido: use um número inteiro de 1 a {DELIVERY_PAGE_MAX}.")
        }
        ("limit", _) => {
            format!("Limite inválido: use um número inteiro de 1 a {MAX_PAGE_SIZE}.")
        }
        ("cursor", "invalid_webhook_cursor") => "Cursor inválido: use o valor de next_cursor \
             da página anterior, sem alterá-lo."
            .into(),
        ("cursor", _) => "Cursor inválido: use o valor de next_cursor da página anterior, sem \
             alterá-lo, com a mesma ordenação."
            .into(),
        ("slug", "invalid_slug") => "Slug inválido: use de 2 a 63 letras minúsculas, dígitos e \
             hífens, começando por uma letra e sem hífen no final."
            .into(),
        ("slug", "not_found") => "Nenhum app tem este slug.".into(),
        ("members_url", "invalid_url") => "Endereço da área de membros inválido: use um \
             endereço completo com http:// ou https://, sem usuário, senha nem #, por exemplo \
             https://membros.exemplo.com.br."
            .into(),
        ("members_url", "too_long") => format!(
            "Endereço da área de membros longo demais: o máximo é {MEMBERS_URL_MAX_CHARS} \
             caracteres."
        ),
        ("mail_from", "invalid_email" | "too_long") => "Remetente dos e-mails inválido: \
             informe só o endereço, por exemplo contato@exemplo.com.br."
            .into(),
        ("time_zone", "invalid_time_zone") => "Fuso horário inválido: use um nome IANA, por \
             exemplo America/Sao_Paulo ou America/Manaus."
            .into(),
        ("settings", "required") => {
            "Nenhuma configuração informada: informe ao menos uma para alterar.".into()
        }
        ("body", _) => "Corpo da requisição inválido: envie um objeto JSON.".into(),
        _ => return None,
    };
    Some(message)
}

/// Describes why a webhook body could not be parsed, naming the field but never
/// a received value.
pub fn parse_error_message(error: &ParseError) -> String {
    match error {
        ParseError::InvalidBody { format, .. } => match *format {
            "JSON" => "o corpo não é um JSON válido".to_owned(),
            "form data" => {
                "o corpo não é um formulário válido (application/x-www-form-urlencoded)".to_owned()
            }
            other => format!("o corpo não está no formato {other}"),
        },
        ParseError::MissingField { field } => format!("falta o campo obrigatório {field}"),
        ParseError::InvalidField { field, .. } => format!("o campo {field} tem um valor inválido"),
        ParseError::WrongPlatform { .. } => "o evento não é desta plataforma".to_owned(),
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "a failed unwrap fails the test and shows the error"
)]
mod tests {
    use super::*;

    #[test]
    fn document_check_digits_message() {
        assert_eq!(
            field_message("document", "invalid_check_digits"),
            "CPF/CNPJ inválido: os dígitos verificadores não conferem."
        );
    }

    #[test]
    fn generic_messages_agree_in_gender() {
        assert_eq!(field_message("name", "required"), "Nome é obrigatório.");
        assert_eq!(
            field_message("expires_at", "required"),
            "Data de expiração é obrigatória."
        );
    }

    #[test]
    fn indexed_paths_use_the_base_field() {
        assert_eq!(
            field_message("product_ids[1]", "invalid_value"),
            field_message("product_ids", "invalid_value")
        );
    }

    #[test]
    fn unknown_field_is_named() {
        assert_eq!(
            field_message("nickname", "unknown_field"),
            "Campo desconhecido: nickname. Remova-o do corpo da requisição."
        );
        assert_eq!(
            field_message("nickname", "whatever"),
            "Valor inválido no campo nickname."
        );
    }
}
