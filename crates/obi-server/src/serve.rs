//! Running the service: connect, migrate, bind, serve until SIGTERM or Ctrl-C, finishing
//! in-flight requests.

use std::sync::Arc;

use crate::app::{AppLimits, AppState, app, new_token, token_hash};
use crate::config::{Config, KekSource};
use crate::seal::KeySealer;
use crate::store::{Store, StoreError, StoreOptions};

/// Why the service could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The key encryption key could not be read, created or parsed.
    #[error("key encryption key {what}: {message}")]
    Kek {
        /// Which source.
        what: String,
        /// What went wrong.
        message: String,
    },
    /// Binding or serving failed.
    #[error("cannot serve on {addr}: {source}")]
    Io {
        /// The address.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
}

/// The key sealer named by the configuration; a missing key file is created (mode 0600)
/// with a fresh random key.
pub fn load_sealer(kek: &KekSource) -> Result<KeySealer, ServeError> {
    match kek {
        KekSource::Inline(k) => KeySealer::from_base64(k).map_err(|e| ServeError::Kek {
            what: "key_encryption_key".into(),
            message: e.to_string(),
        }),
        KekSource::File(path) => {
            let err = |message: String| ServeError::Kek {
                what: format!("file {}", path.display()),
                message,
            };
            if !path.exists() {
                let key = KeySealer::generate_base64();
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt as _;
                    options.mode(0o600);
                }
                use std::io::Write as _;
                let mut f = options.open(path).map_err(|e| err(e.to_string()))?;
                f.write_all(key.as_bytes())
                    .map_err(|e| err(e.to_string()))?;
                tracing::info!(path = %path.display(), "created a new key encryption key file");
            }
            let meta = std::fs::metadata(path).map_err(|e| err(e.to_string()))?;
            if meta.len() > 1024 {
                return Err(err("larger than 1 KiB: not a key file".into()));
            }
            let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
            KeySealer::from_base64(&text).map_err(|e| err(e.to_string()))
        }
    }
}

/// Connects the store (running migrations), registers `admin_token` and builds the state.
pub async fn state_from_config(config: &Config) -> Result<AppState, ServeError> {
    let sealer = load_sealer(&config.kek)?;
    let store = Store::connect(
        &config.database,
        &StoreOptions {
            max_connections: config.pool_size,
            pg_schema: None,
        },
    )
    .await?;
    if let Some(token) = &config.admin_token {
        store.ensure_admin_token(&token_hash(token)).await?;
    }
    let fetcher = obi_fetch::HttpFetcher::new(obi_fetch::FetchPolicy::new());
    let verify = obi_verify::Options::new().with_fetcher(Arc::new(fetcher));
    Ok(AppState::new(store, sealer, &config.public_url, verify)
        .with_job_lease(config.job_lease)
        .with_instance_id(&config.instance_id))
}

/// Creates a new admin token, stores its hash and returns the token (shown once).
pub async fn create_admin_token(config: &Config) -> Result<String, ServeError> {
    let store = Store::connect(
        &config.database,
        &StoreOptions {
            max_connections: 1,
            pg_schema: None,
        },
    )
    .await?;
    let token = new_token();
    store
        .create_token("cli", &token_hash(&token), None, "obi serve --create-token")
        .await?;
    Ok(token)
}

/// Serves until SIGTERM or Ctrl-C; in-flight requests are completed before returning.
/// `on_bound` receives the bound address (useful with port 0).
pub async fn serve(
    config: &Config,
    on_bound: impl FnOnce(std::net::SocketAddr),
) -> Result<(), ServeError> {
    let state = state_from_config(config).await?;
    let router = app(
        state,
        AppLimits {
            body_limit: config.body_limit,
            request_timeout: config.request_timeout,
        },
    );
    let io = |source| ServeError::Io {
        addr: config.bind.to_string(),
        source,
    };
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(io)?;
    let addr = listener.local_addr().map_err(io)?;
    tracing::info!(%addr, database = config.database.split("://").next().unwrap_or(""), "obi serve listening");
    on_bound(addr);
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(io)?;
    tracing::info!("obi serve stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}

fn runtime() -> Result<tokio::runtime::Runtime, ServeError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| ServeError::Io {
            addr: "tokio runtime".into(),
            source,
        })
}

/// [`serve`] on a new multi-threaded tokio runtime (for the synchronous CLI).
pub fn serve_blocking(
    config: &Config,
    on_bound: impl FnOnce(std::net::SocketAddr),
) -> Result<(), ServeError> {
    runtime()?.block_on(serve(config, on_bound))
}

/// [`create_admin_token`] on a new tokio runtime (for the synchronous CLI).
pub fn create_admin_token_blocking(config: &Config) -> Result<String, ServeError> {
    runtime()?.block_on(create_admin_token(config))
}
