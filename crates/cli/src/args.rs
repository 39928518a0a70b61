//! Command-line arguments. Help texts are in Portuguese because producers and
//! their operators read them.

use std::net::SocketAddr;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "clientela",
    version,
    about = "Central de clientes: servidor HTTP, migrações do banco, apps e chaves de API."
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
}

#[derive(Debug, Subcommand)]
pub enum AppsCommand {
    #[command(about = "Cria um app e a primeira chave de API; a chave sai sozinha na saída padrão")]
    Create {
        #[arg(help = "Identificador do app na URL: letras minúsculas, dígitos e hífens")]
        slug: String,
        #[arg(long, help = "Nome do app, mostrado aos produtores")]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    #[command(about = "Cria outra chave de API para um app; a chave sai sozinha na saída padrão")]
    Create {
        #[arg(help = "Slug do app")]
        slug: String,
    },
}
