//! The schema registry's client: schemas fetched by id over its Confluent-compatible API
//! (`GET {url}/schemas/ids/{id}`, served alike by Confluent Schema Registry, Apicurio's
//! `/apis/ccompat/v7` and Redpanda), once per id, and kept. Decoding is synchronous and
//! runs on many threads; fetching runs on one thread of its own, so that a slow or absent
//! registry never holds a thread that reads Kafka longer than its patience.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Condvar, Mutex, mpsc},
    time::{Duration, Instant},
};

use serde::{Deserialize, Serialize};
use tracing::{info, warn};

use super::{Lookup, Parsed, Schemas};
use crate::sync::lock;

/// Most schemas kept; past it the one fetched longest ago goes (and is fetched again if
/// a record names it). A topic has a handful; this bounds a producer that mints ids.
const MAX_SCHEMAS: usize = 1_024;
/// Ids waiting to be fetched; more wait for their next lookup.
const FETCH_QUEUE: usize = 64;
/// How long one fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// After the registry did not answer, lookups answer at once, without a fetch, for this
/// long: a partition's records wait, and are read again once it has passed.
const RETRY_AFTER: Duration = Duration::from_secs(1);
/// How long an id the registry lacks stays unknown before it is asked for again (a
/// registry restarted without its storage may be given the schema again).
const ABSENT_FOR: Duration = Duration::from_secs(30);

/// Where the registry is and how to authenticate: the URL from `--schema-registry`, the
/// rest from the environment (never a flag, so no secret shows in `ps`).
#[derive(Debug, Clone, Default)]
pub struct RegistryConfig {
    /// The base of the Confluent-compatible API, e.g. `http://127.0.0.1:8081/apis/ccompat/v7`.
    pub url: String,
    /// Basic authentication: `TRACKSIDE_SCHEMA_REGISTRY_USER` and `_PASSWORD`.
    pub basic: Option<(String, String)>,
    /// A bearer token: `TRACKSIDE_SCHEMA_REGISTRY_TOKEN`.
    pub token: Option<String>,
    /// A CA bundle (PEM) trusted beside the system's roots: `TRACKSIDE_SCHEMA_REGISTRY_CA`.
    pub ca_file: Option<String>,
}

impl RegistryConfig {
    /// The URL, with credentials from the environment.
    pub fn from_env(url: &str) -> RegistryConfig {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        RegistryConfig {
            url: url.trim_end_matches('/').to_owned(),
            basic: var("TRACKSIDE_SCHEMA_REGISTRY_USER")
                .map(|u| (u, var("TRACKSIDE_SCHEMA_REGISTRY_PASSWORD").unwrap_or_default())),
            token: var("TRACKSIDE_SCHEMA_REGISTRY_TOKEN"),
            ca_file: var("TRACKSIDE_SCHEMA_REGISTRY_CA"),
        }
    }

    /// An HTTP client with the CA, if any, and the timeouts.
    pub(crate) fn client(&self) -> Result<reqwest::Client, String> {
        let mut builder = reqwest::Client::builder().timeout(FETCH_TIMEOUT).connect_timeout(FETCH_TIMEOUT);
        if let Some(path) = &self.ca_file {
            let pem = std::fs::read(path).map_err(|e| format!("cannot read the registry's CA `{path}`: {e}"))?;
            let ca = reqwest::Certificate::from_pem(&pem).map_err(|e| format!("the registry's CA `{path}`: {e}"))?;
            builder = builder.add_root_certificate(ca);
        }
        builder.build().map_err(|e| e.to_string())
    }

    /// A request with this registry's credentials.
    pub(crate) fn authorize(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match (&self.token, &self.basic) {
            (Some(token), _) => request.bearer_auth(token),
            (None, Some((user, password))) => request.basic_auth(user, Some(password)),
            (None, None) => request,
        }
    }
}

/// Whether the registry answered its last fetch, for the Kafka panel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegistryHealth {
    pub url: String,
    /// None until a first fetch.
    pub reachable: Option<bool>,
    pub error: Option<String>,
    /// Schemas kept.
    pub schemas: usize,
}

enum Entry {
    Ready(Arc<Parsed>),
    Failed { reason: String, until: Option<Instant> },
    Fetching,
    Unavailable { reason: String, until: Instant },
}

struct Cache {
    entries: HashMap<u32, Entry>,
    /// Ids in the order they were first asked for, to evict the oldest.
    order: VecDeque<u32>,
    health: RegistryHealth,
}

struct Shared {
    cache: Mutex<Cache>,
    settled: Condvar,
}

/// The registry's schemas by id. Cheap to clone.
#[derive(Clone)]
pub struct SchemaRegistry {
    shared: Arc<Shared>,
    fetch: mpsc::SyncSender<u32>,
}

impl std::fmt::Debug for SchemaRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SchemaRegistry").field("url", &lock(&self.shared.cache).health.url).finish()
    }
}

impl SchemaRegistry {
    /// Starts the fetching thread. Fails on a configuration that cannot work (a CA file
    /// that cannot be read); an unreachable registry is waited for.
    pub fn start(config: RegistryConfig) -> Result<SchemaRegistry, String> {
        let client = config.client()?;
        let health = RegistryHealth { url: config.url.clone(), reachable: None, error: None, schemas: 0 };
        let shared = Arc::new(Shared {
            cache: Mutex::new(Cache { entries: HashMap::new(), order: VecDeque::new(), health }),
            settled: Condvar::new(),
        });
        let (fetch, ids) = mpsc::sync_channel(FETCH_QUEUE);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
        let fetcher = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("schema-registry".into())
            .spawn(move || runtime.block_on(fetch_loop(config, client, ids, fetcher)))
            .map_err(|e| e.to_string())?;
        Ok(SchemaRegistry { shared, fetch })
    }

    pub fn health(&self) -> RegistryHealth {
        lock(&self.shared.cache).health.clone()
    }
}

impl Schemas for SchemaRegistry {
    fn lookup(&self, id: u32, patience: Duration) -> Lookup {
        let deadline = Instant::now() + patience;
        let mut cache = lock(&self.shared.cache);
        loop {
            let now = Instant::now();
            match cache.entries.get(&id) {
                Some(Entry::Ready(s)) => return Lookup::Ready(Arc::clone(s)),
                Some(Entry::Failed { reason, until }) if until.is_none_or(|u| now < u) => {
                    return Lookup::Failed(reason.clone());
                }
                Some(Entry::Unavailable { reason, until }) if now < *until => {
                    return Lookup::Unavailable(reason.clone());
                }
                Some(Entry::Fetching) => {}
                _ => {
                    if self.fetch.try_send(id).is_err() {
                        return Lookup::Unavailable("waiting to be fetched from the registry".into());
                    }
                    cache.insert(id, Entry::Fetching);
                }
            }
            let left = deadline.saturating_duration_since(now);
            if left.is_zero() {
                return Lookup::Unavailable("being fetched from the registry".into());
            }
            cache = match self.shared.settled.wait_timeout(cache, left) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }
}

impl Cache {
    fn insert(&mut self, id: u32, entry: Entry) {
        if self.entries.insert(id, entry).is_none() {
            self.order.push_back(id);
            while self.order.len() > MAX_SCHEMAS {
                if let Some(old) = self.order.pop_front() {
                    self.entries.remove(&old);
                }
            }
        }
        self.health.schemas = self.entries.values().filter(|e| matches!(e, Entry::Ready(_))).count();
    }
}

/// What the registry answers for one id.
#[derive(Deserialize)]
struct Answer {
    schema: String,
    #[serde(rename = "schemaType")]
    schema_type: Option<String>,
}

async fn fetch_loop(config: RegistryConfig, client: reqwest::Client, ids: mpsc::Receiver<u32>, shared: Arc<Shared>) {
    // Ends when every SchemaRegistry clone is gone: the channel closes.
    while let Ok(id) = ids.recv() {
        let entry = fetch(&config, &client, id).await;
        let mut cache = lock(&shared.cache);
        let reachable = !matches!(entry, Entry::Unavailable { .. });
        if cache.health.reachable != Some(reachable) {
            match &entry {
                Entry::Unavailable { reason, .. } => {
                    warn!(url = %config.url, %reason, "the schema registry does not answer")
                }
                _ => info!(url = %config.url, "the schema registry answers"),
            }
        }
        cache.health.reachable = Some(reachable);
        cache.health.error = match &entry {
            Entry::Unavailable { reason, .. } => Some(reason.clone()),
            _ => None,
        };
        cache.insert(id, entry);
        shared.settled.notify_all();
    }
}

async fn fetch(config: &RegistryConfig, client: &reqwest::Client, id: u32) -> Entry {
    let unavailable = |reason: String| Entry::Unavailable { reason, until: Instant::now() + RETRY_AFTER };
    let url = format!("{}/schemas/ids/{id}", config.url);
    let response = match config.authorize(client.get(&url)).send().await {
        Ok(r) => r,
        Err(e) => return unavailable(format!("the registry does not answer ({})", without_url(&e))),
    };
    let status = response.status();
    if status == reqwest::StatusCode::NOT_FOUND {
        return Entry::Failed { reason: "not found in the registry".into(), until: Some(Instant::now() + ABSENT_FOR) };
    }
    if !status.is_success() {
        // 401/403 and 5xx may all pass (a token renewed, a registry restarting).
        return unavailable(format!("the registry answered {status}"));
    }
    match response.json::<Answer>().await {
        Ok(answer) => match Parsed::parse(answer.schema_type.as_deref(), &answer.schema) {
            Ok(parsed) => Entry::Ready(Arc::new(parsed)),
            Err(reason) => Entry::Failed { reason, until: None },
        },
        Err(e) => unavailable(format!("the registry's answer is not a schema ({})", without_url(&e))),
    }
}

/// reqwest's error text, without the URL it repeats (the health names it once), and with
/// the cause it wraps ("error sending request" says nothing; "Connection refused" does).
fn without_url(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    if let Some(at) = text.find(" for url (") {
        text.truncate(at);
    }
    let mut source = std::error::Error::source(e);
    // The innermost cause is the one a person can act on.
    while let Some(cause) = source {
        if cause.source().is_none() {
            text = format!("{text}: {cause}");
        }
        source = cause.source();
    }
    text
}
