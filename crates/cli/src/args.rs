//! Command-line arguments. Help texts are in Portuguese because producers and
//! their operators read them.

use std::net::SocketAddr;

use clap::{ArgGroup, Parser, Subcommand};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::outbox::MailArgs;

#[derive(Debug, Parser)]
#[command(
    name = "clientela",
    version,
    about = "Central de clientes: servidor HTTP, migrações do banco, apps, chaves de API e \
             webhooks das plataformas de vendas."
)]
pub struct Args {
    #[arg(
        long,
        env = "DATABASE_URL",
        global = true,
        hide_env_values = true,
        value_name = "URL",
        help = "URL do PostgreSQL, por exemplo postgres://usuario@127.0.0.1:5432/clientela"
    )]
    pub database_url: Option<String>,

    #[arg(
        long,
        env = "CLIENTELA_DB_MAX_CONNECTIONS",
        global = true,
        default_value_t = 10,
        value_parser = clap::value_parser!(u16).range(1..),
        value_name = "N",
        help = "Número máximo de conexões abertas com o banco"
    )]
    pub db_max_connections: u16,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    #[command(about = "Inicia o servidor HTTP da API")]
    Serve {
        #[arg(
            long,
            env = "CLIENTELA_LISTEN",
            default_value = "127.0.0.1:8080",
            value_name = "ENDEREÇO",
            help = "Endereço IP e porta em que o servidor escuta; a porta 0 escolhe uma livre"
        )]
        listen: SocketAddr,
        #[arg(
            long,
            help = "Não envia e-mails neste processo; rode `clientela worker` à parte para enviá-los"
        )]
        no_worker: bool,
        #[command(flatten)]
        mail: MailArgs,
    },
    #[command(
        about = "Envia os e-mails da fila sem servir a API",
        long_about = "Envia os e-mails da fila (boas-vindas, primeiro acesso, redefinição de \
            senha, acesso liberado) sem servir a API. O `serve` já envia; este comando serve \
            para rodar mais processos de envio. Vários podem rodar juntos sem enviar um e-mail \
            duas vezes. Para com SIGINT ou SIGTERM."
    )]
    Worker {
        #[command(flatten)]
        mail: MailArgs,
    },
    #[command(about = "Aplica as migrações pendentes do banco e lista as aplicadas")]
    Migrate,
    #[command(about = "Gerencia apps (áreas de membros)")]
    Apps {
        #[command(subcommand)]
        command: AppsCommand,
    },
    #[command(about = "Gerencia chaves de API de administração")]
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    #[command(about = "Reprocessa webhooks recebidos das plataformas de vendas")]
    Webhooks {
        #[command(subcommand)]
        command: WebhooksCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum AppsCommand {
    #[command(
        about = "Altera as configurações de um app: área de membros, remetente e fuso horário",
        long_about = "Altera as configurações de um app. Só muda o que for informado; um valor \
            vazio (\"\") apaga a área de membros ou o remetente.",
        group(ArgGroup::new("settings").required(true).multiple(true)
            .args(["members_url", "mail_from", "time_zone"]))
    )]
    Configure {
        #[arg(help = "Slug do app")]
        slug: String,
        #[arg(
            long,
            value_name = "URL",
            help = "Endereço da área de membros, para onde apontam os links dos e-mails, por \
                exemplo https://membros.exemplo.com.br; vazio volta às páginas do Clientela"
        )]
        members_url: Option<String>,
        #[arg(
            long,
            value_name = "ENDEREÇO",
            help = "Remetente dos e-mails do app, por exemplo contato@exemplo.com.br; vazio volta \
                ao remetente padrão (CLIENTELA_MAIL_FROM)"
        )]
        mail_from: Option<String>,
        #[arg(
            long,
            value_name = "FUSO",
            help = "Fuso horário IANA em que datas são mostradas e filtradas, por exemplo \
                America/Sao_Paulo"
        )]
        time_zone: Option<String>,
    },
    #[command(about = "Cria um app e a primeira chave de API; a chave sai sozinha na saída padrão")]
    Create {
        #[arg(help = "Identificador do app na URL: letras minúsculas, dígitos e hífens")]
        slug: String,
        #[arg(long, help = "Nome do app, mostrado aos produtores")]
        name: String,
    },
    #[command(
        about = "Define a credencial com que uma plataforma de vendas autentica os webhooks do app",
        long_about = "Define ou troca a credencial com que uma plataforma de vendas autentica os \
            webhooks do app: o hottok do Hotmart ou o token do Kiwify. A credencial nunca é \
            mostrada nem registrada no log. Use - como valor para lê-la da entrada padrão, \
            fora do histórico do shell."
    )]
    SetCredential {
        #[arg(help = "Slug do app")]
        slug: String,
        #[command(subcommand)]
        platform: CredentialCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum CredentialCommand {
    #[command(about = "Hotmart: o hottok da conta, enviado no cabeçalho X-HOTMART-HOTTOK")]
    Hotmart {
        #[arg(
            long,
            value_name = "TOKEN",
            help = "O hottok mostrado no Hotmart (Ferramentas > Webhook); - lê da entrada padrão"
        )]
        hottok: String,
    },
    #[command(about = "Kiwify: o token do webhook, chave da assinatura HMAC-SHA1")]
    Kiwify {
        #[arg(
            long,
            value_name = "TOKEN",
            help = "O token mostrado na configuração do webhook no Kiwify; - lê da entrada padrão"
        )]
        token: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    #[command(
        about = "Lê de novo webhooks guardados e reaplica seus eventos",
        long_about = "Lê de novo o corpo guardado de webhooks já recebidos, com o código atual \
            das plataformas, e reaplica seus eventos. Reaplicar é idempotente: o que já foi \
            aplicado não muda. Serve para recuperar webhooks rejeitados por um corpo ilegível \
            depois de uma correção. Informe --id, ou --from e --to.",
        group(ArgGroup::new("selection").required(true).args(["id", "from"]))
    )]
    Replay {
        #[arg(long, value_name = "UUID", conflicts_with_all = ["from", "to"],
            help = "Id do webhook guardado (o delivery_id da resposta ou de GET /api/v1/webhook-events)")]
        id: Option<Uuid>,
        #[arg(long, value_name = "DATA", requires = "to", value_parser = parse_instant,
            help = "Reprocessa os webhooks recebidos a partir deste instante, inclusive; RFC 3339, \
                por exemplo 2026-03-01T00:00:00-03:00")]
        from: Option<OffsetDateTime>,
        #[arg(long, value_name = "DATA", requires = "from", value_parser = parse_instant,
            help = "Reprocessa os webhooks recebidos antes deste instante (exclusive); RFC 3339")]
        to: Option<OffsetDateTime>,
        #[arg(
            long,
            value_name = "SLUG",
            help = "Só os webhooks deste app; sem ele, todos os apps"
        )]
        app: Option<String>,
    },
}

/// Parses an RFC 3339 instant, with a Portuguese message for clap's error.
fn parse_instant(value: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(value, &Rfc3339).map_err(|_| {
        "use o formato RFC 3339 com fuso, por exemplo 2026-03-01T00:00:00-03:00".to_owned()
    })
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    #[command(about = "Cria outra chave de API para um app; a chave sai sozinha na saída padrão")]
    Create {
        #[arg(help = "Slug do app")]
        slug: String,
    },
}
