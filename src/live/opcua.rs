//! The plant over OPC UA (async-opcua): `serve`'s server and `monitor`'s
//! client.
//!
//! The server's address space follows the layout of OPC 40001-1 Machinery
//! (without importing its type definitions): `Objects/Machines/<station>`
//! holds `MachineryItemState/CurrentState` (Executing, NotExecuting,
//! OutOfService, NotAvailable), `MachineryOperationMode/CurrentState`
//! (Processing, Setup, Maintenance, None), the engine's `State`,
//! `GoodCount`, `ScrapCount` and `CurrentProduct`; `Objects/Plant/<object>`
//! holds the buffers' and belts' `Level` and `Capacity`. Beside these typed
//! variables every object has the MQTT tree's JSON payloads as String
//! variables whose node id is the topic (`ns=<urn:factory-twin:plant>;
//! s=plant/<line>/<object>/event`), so `monitor` reads the same feed, event
//! by event, over either protocol.
//!
//! Security: without a user the server offers one endpoint, no security and
//! anonymous; with a user (`opc.tcp://user@host:port`, the password in the
//! address or in `FACTORY_TWIN_OPCUA_PASSWORD`) or `--opcua-secure` it
//! offers only Basic256Sha256 with signing and encryption, and with a user
//! no anonymous login. Certificates live in the PKI folder
//! (`own/`, `private/`, `trusted/`, `rejected/`); a peer's certificate is
//! trusted when it is in `trusted/`, or always with `--opcua-trust`.

use super::broker::{News, redact, split_login};
use super::topics::{Birth, CountersMsg, EventMsg, LevelMsg, StateMsg, StatusMsg};
use opcua::client::{
    ClientBuilder, IdentityToken, MonitoredItem, MonitoredItemMap, OnSubscriptionNotificationCore,
    Session,
};
use opcua::crypto::SecurityPolicy;
use opcua::server::address_space::{ObjectBuilder, VariableBuilder};
use opcua::server::diagnostics::NamespaceMetadata;
use opcua::server::node_manager::memory::{
    InMemoryNodeManager, SimpleNodeManager, SimpleNodeManagerImpl, simple_node_manager,
};
use opcua::server::{ServerBuilder, ServerEndpoint, ServerHandle, ServerUserToken};
use opcua::types::{
    DataChangeNotification, DataTypeId, DataValue, LocalizedText, MessageSecurityMode,
    MonitoredItemCreateRequest, MonitoringMode, MonitoringParameters, NodeId, NotificationMessage,
    ObjectId, QualifiedName, ReadValueId, TimestampsToReturn, UserTokenPolicy, Variant,
};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::Duration;

/// The namespace of every node the server adds.
pub const NAMESPACE: &str = "urn:factory-twin:plant";

/// The node holding the birth message, whatever the line.
pub const BIRTH_NODE: &str = "plant/birth";

/// The largest message either side takes (bytes).
const MAX_MESSAGE: usize = 16 << 20;

/// Changes in one publish response: with about 200 bytes each, well under
/// the default message size of a client or server that keeps it.
const PER_PUBLISH: u32 = 1_000;

/// Monitored items created per request (servers cap arrays, often at 1,000).
const ITEMS_PER_CALL: usize = 500;

/// Notifications a monitored item keeps between two publishes before the
/// oldest is dropped (a gap in `seq` then says so).
const ITEM_QUEUE: u32 = 10_000;

/// A server's address, as given: `opc.tcp://[user[:password]@]host:port[/path]`.
#[derive(Clone, PartialEq)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    pub path: String,
    pub user: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Display for Endpoint {
    // Never the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.user {
            Some(u) => write!(f, "opc.tcp://{u}@{}:{}{}", self.host, self.port, self.path),
            None => write!(f, "opc.tcp://{}:{}{}", self.host, self.port, self.path),
        }
    }
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl Endpoint {
    /// Reads `opc.tcp://[user[:password]@]host[:port][/path]` (port 4840 by
    /// default); the error says what is wrong.
    pub fn parse(s: &str) -> Result<Endpoint, String> {
        let Some(rest) = s.strip_prefix("opc.tcp://") else {
            return Err(format!(
                "\"{}\" is not an OPC UA address: write opc.tcp://host:port (e.g. opc.tcp://localhost:4840)",
                redact(s)
            ));
        };
        let (rest, path) = match rest.find('/') {
            Some(i) => (&rest[..i], rest[i..].trim_end_matches('/').to_string()),
            None => (rest, String::new()),
        };
        let (user, password, hostport) = split_login(rest);
        let password = password.or_else(|| std::env::var("FACTORY_TWIN_OPCUA_PASSWORD").ok());
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (
                h,
                p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
                    format!(
                        "{}: the port \"{p}\" is not a number from 1 to 65535",
                        redact(s)
                    )
                })?,
            ),
            None => (hostport, 4840),
        };
        if host.is_empty() {
            return Err(format!("{}: no host", redact(s)));
        }
        Ok(Endpoint {
            host: host.to_string(),
            port,
            path,
            user,
            password,
        })
    }

    /// The address without the login, as OPC UA names endpoints.
    fn url(&self) -> String {
        format!("opc.tcp://{}:{}{}", self.host, self.port, self.path)
    }
}

/// Certificates and the security asked for.
#[derive(Clone, Debug)]
pub struct Security {
    /// The PKI folder: own certificate and key (made on first use), the
    /// trusted and the rejected peers.
    pub pki: PathBuf,
    /// Trust every peer's certificate (a lab; a plant puts them in `trusted/`).
    pub trust_peers: bool,
    /// Basic256Sha256 with signing and encryption even without a user.
    pub secure: bool,
}

impl Security {
    /// Whether the channel is signed and encrypted.
    fn encrypted(&self, ep: &Endpoint) -> bool {
        self.secure || ep.user.is_some()
    }
}

/// One engine object's role on the server.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Role {
    /// A machine, robot cell or manual station: the Machinery variables.
    Station,
    /// A buffer or a belt: `Level` and `Capacity`.
    Store,
    /// A source or a sink: its events only.
    Other,
}

/// The node ids of one object.
struct ObjectNodes {
    event: NodeId,
    state_json: NodeId,
    counters_json: NodeId,
    level_json: NodeId,
    item_state: NodeId,
    operation_mode: NodeId,
    state: NodeId,
    good: NodeId,
    scrap: NodeId,
    product: NodeId,
    level: NodeId,
    capacity: NodeId,
}

/// The running server.
pub struct Server {
    runtime: tokio::runtime::Runtime,
    handle: ServerHandle,
    nodes: Arc<SimpleNodeManager>,
    objects: Vec<ObjectNodes>,
    status: NodeId,
    birth: NodeId,
}

impl Server {
    /// Starts a server on `ep`'s host and port with one object per entry of
    /// `objects` (id, topic level, role), in the order of the engine's nodes.
    pub fn start(
        ep: &Endpoint,
        sec: &Security,
        line: &str,
        objects: &[(String, String, Role)],
    ) -> Result<Server, String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the OPC UA server's threads: {e}"))?;
        // The server starts tasks as it is built: inside the runtime.
        let inside = runtime.enter();
        let builder = server_builder(ep, sec)?;
        let (server, handle) = builder
            .build()
            .map_err(|e| format!("the OPC UA server for {ep} cannot be set up: {e}"))?;
        let nodes = handle
            .node_managers()
            .get_of_type::<SimpleNodeManager>()
            .ok_or("the OPC UA server has no node manager")?;
        let ns = handle
            .get_namespace_index(NAMESPACE)
            .ok_or("the OPC UA server has no namespace for the plant")?;
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind((ep.host.as_str(), ep.port)))
            .map_err(|e| format!("cannot listen on {}:{}: {e}", ep.host, ep.port))?;
        let (objects, status, birth) = add_nodes(&nodes, ns, line, objects);
        runtime.spawn(async move {
            if let Err(e) = server.run_with(listener).await {
                eprintln!("serve: the OPC UA server stopped: {e}");
            }
        });
        drop(inside);
        Ok(Server {
            runtime,
            handle,
            nodes,
            objects,
            status,
            birth,
        })
    }

    fn set(&self, id: &NodeId, value: impl Into<Variant>) {
        let _inside = self.runtime.enter();
        // An error is a node that does not exist: a bug, not the plant's.
        let _ = self.nodes.set_value(
            self.handle.subscriptions(),
            id,
            None,
            DataValue::new_now(value.into()),
        );
    }

    fn set_json<T: serde::Serialize>(&self, id: &NodeId, msg: &T) {
        self.set(id, serde_json::to_string(msg).expect("serialises"));
    }

    pub fn birth(&self, b: &Birth) {
        self.set_json(&self.birth, b);
    }

    pub fn status(&self, s: &StatusMsg) {
        self.set_json(&self.status, s);
    }

    pub fn event(&self, object: usize, e: &EventMsg) {
        let n = &self.objects[object];
        self.set_json(&n.event, e);
        if let Some(p) = &e.product
            && e.event == "start"
        {
            self.set(&n.product, p.clone());
        }
    }

    pub fn state(&self, object: usize, s: &StateMsg) {
        let n = &self.objects[object];
        self.set_json(&n.state_json, s);
        self.set(&n.state, s.state.clone());
        self.set(
            &n.item_state,
            LocalizedText::new("en", &s.machinery_item_state),
        );
        self.set(
            &n.operation_mode,
            LocalizedText::new("en", &s.operation_mode),
        );
    }

    pub fn counters(&self, object: usize, c: &CountersMsg) {
        let n = &self.objects[object];
        self.set_json(&n.counters_json, c);
        self.set(&n.good, c.good);
        self.set(&n.scrap, c.scrap);
    }

    pub fn level(&self, object: usize, l: &LevelMsg) {
        let n = &self.objects[object];
        self.set_json(&n.level_json, l);
        self.set(&n.level, l.level);
        self.set(&n.capacity, l.capacity);
    }

    /// Sessions open now.
    pub fn sessions(&self) -> u32 {
        self.summary(opcua::types::VariableId::Server_ServerDiagnostics_ServerDiagnosticsSummary_CurrentSessionCount)
    }

    /// Waits until a client has subscribed (and a second more, for its
    /// monitored items), or a stop is asked.
    pub fn wait_for_client(&self) {
        let subscriptions = opcua::types::VariableId::Server_ServerDiagnostics_ServerDiagnosticsSummary_CurrentSubscriptionCount;
        while self.summary(subscriptions) == 0 && !crate::experiment::stop_requested() {
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_secs(1));
    }

    /// A count of the server's diagnostics summary.
    fn summary(&self, id: opcua::types::VariableId) -> u32 {
        self.handle
            .info()
            .diagnostics
            .get(id)
            .and_then(|v| match v.value {
                Some(Variant::UInt32(n)) => Some(n),
                _ => None,
            })
            .unwrap_or(0)
    }

    /// Stops listening and closes the sessions.
    pub fn stop(self) {
        self.handle.cancel();
        self.runtime.shutdown_timeout(Duration::from_secs(2));
    }
}

/// The server's configuration: where it listens, its endpoints and users,
/// its certificates, and limits that let a client see every change.
fn server_builder(ep: &Endpoint, sec: &Security) -> Result<ServerBuilder, String> {
    let mut b = ServerBuilder::new()
        .application_name("factory-twin serve")
        .application_uri("urn:factory-twin:serve")
        .product_uri("urn:factory-twin")
        .create_sample_keypair(true)
        .pki_dir(sec.pki.clone())
        .trust_client_certs(sec.trust_peers)
        .host(ep.host.clone())
        .port(ep.port)
        .discovery_urls(vec![ep.url()])
        .diagnostics_enabled(true)
        // Changes are pushed as they happen (a sampling interval of 0) and
        // held per item until the next publish.
        .subscription_poll_interval_ms(20)
        .with_node_manager(simple_node_manager(
            NamespaceMetadata {
                namespace_uri: NAMESPACE.to_string(),
                ..Default::default()
            },
            "factory-twin",
        ));
    {
        let limits = &mut b.limits_mut().subscriptions;
        limits.min_sampling_interval_ms = 0.0;
        limits.min_publishing_interval_ms = 20.0;
        limits.max_monitored_item_queue_size = ITEM_QUEUE as usize;
        limits.max_queued_notifications = 1_000_000;
        limits.max_monitored_items_per_sub = 100_000;
    }
    b.limits_mut().operational.max_monitored_items_per_call = 100_000;
    // A birth message names every object (about 50 bytes each), and one
    // publish may carry thousands of changes: room for a 1,000-station plant.
    let limits = b.limits_mut();
    limits.max_string_length = MAX_MESSAGE;
    limits.max_array_length = 100_000;
    limits.max_message_size = MAX_MESSAGE;
    limits.max_chunk_count = MAX_MESSAGE / 8192;
    let path = if ep.path.is_empty() { "/" } else { &ep.path };
    let endpoint = if sec.encrypted(ep) {
        let users = match &ep.user {
            Some(u) => {
                let Some(p) = &ep.password else {
                    return Err(format!(
                        "{ep}: no password for {u}: give it in the address or in FACTORY_TWIN_OPCUA_PASSWORD"
                    ));
                };
                b = b.add_user_token("user", ServerUserToken::user_pass(u.as_str(), p.as_str()));
                vec!["user".to_string()]
            }
            None => vec![opcua::server::ANONYMOUS_USER_TOKEN_ID.to_string()],
        };
        ServerEndpoint::new_basic256sha256_sign_encrypt(path, &users)
    } else {
        ServerEndpoint::new_none(path, &[opcua::server::ANONYMOUS_USER_TOKEN_ID.to_string()])
    };
    Ok(b.add_endpoint("plant", endpoint).default_endpoint("plant"))
}

/// Adds the folders, objects and variables; returns each object's node
/// ids, the status node and the birth node.
fn add_nodes(
    nodes: &InMemoryNodeManager<SimpleNodeManagerImpl>,
    ns: u16,
    line: &str,
    objects: &[(String, String, Role)],
) -> (Vec<ObjectNodes>, NodeId, NodeId) {
    let node_id = |s: &str| NodeId::new(ns, s.to_string());
    let mut space = nodes.address_space().write();
    let machines = node_id("Machines");
    let plant = node_id("plant");
    let objects_folder: NodeId = ObjectId::ObjectsFolder.into();
    // Browse names in the plant's namespace, but `CurrentState`, which
    // OPC UA's StateMachineType defines (namespace 0).
    let name = |s: &str| QualifiedName::new(ns, s);
    space.add_folder(&machines, name("Machines"), "Machines", &objects_folder);
    space.add_folder(&plant, name("Plant"), "Plant", &objects_folder);
    let string = |space: &mut opcua::server::address_space::AddressSpace,
                  node: &NodeId,
                  name: &str,
                  parent: &NodeId| {
        VariableBuilder::new(node, QualifiedName::new(ns, name), name)
            .data_type(DataTypeId::String)
            .value(String::new())
            .component_of(parent.clone())
            .insert(&mut *space);
    };
    let birth = node_id(BIRTH_NODE);
    string(&mut space, &birth, "Birth", &plant);
    let status = node_id(&format!("plant/{line}/status"));
    string(&mut space, &status, "Status", &plant);
    let mut out = Vec::new();
    for (id, topic, role) in objects {
        let base = format!("plant/{line}/{topic}");
        let n = ObjectNodes {
            event: node_id(&format!("{base}/event")),
            state_json: node_id(&format!("{base}/state")),
            counters_json: node_id(&format!("{base}/counters")),
            level_json: node_id(&format!("{base}/level")),
            item_state: node_id(&format!("{base}/MachineryItemState/CurrentState")),
            operation_mode: node_id(&format!("{base}/MachineryOperationMode/CurrentState")),
            state: node_id(&format!("{base}/State")),
            good: node_id(&format!("{base}/GoodCount")),
            scrap: node_id(&format!("{base}/ScrapCount")),
            product: node_id(&format!("{base}/CurrentProduct")),
            level: node_id(&format!("{base}/Level")),
            capacity: node_id(&format!("{base}/Capacity")),
        };
        let object = node_id(&base);
        let parent = if *role == Role::Station {
            &machines
        } else {
            &plant
        };
        ObjectBuilder::new(&object, QualifiedName::new(ns, id), id.as_str())
            .has_type_definition(ObjectTypeIdBase)
            .organized_by(parent.clone())
            .insert(&mut *space);
        string(&mut space, &n.event, "EventJson", &object);
        match role {
            Role::Station => {
                string(&mut space, &n.state_json, "StateJson", &object);
                string(&mut space, &n.counters_json, "CountersJson", &object);
                for (node, machine_state, initial) in [
                    (&n.item_state, "MachineryItemState", "NotAvailable"),
                    (&n.operation_mode, "MachineryOperationMode", "None"),
                ] {
                    let holder = node_id(&format!("{base}/{machine_state}"));
                    ObjectBuilder::new(&holder, name(machine_state), machine_state)
                        .has_type_definition(ObjectTypeIdBase)
                        .component_of(object.clone())
                        .insert(&mut *space);
                    VariableBuilder::new(node, "CurrentState", "CurrentState")
                        .data_type(DataTypeId::LocalizedText)
                        .value(LocalizedText::new("en", initial))
                        .component_of(holder)
                        .insert(&mut *space);
                }
                string(&mut space, &n.state, "State", &object);
                string(&mut space, &n.product, "CurrentProduct", &object);
                for (node, var) in [(&n.good, "GoodCount"), (&n.scrap, "ScrapCount")] {
                    VariableBuilder::new(node, name(var), var)
                        .data_type(DataTypeId::UInt64)
                        .value(0u64)
                        .component_of(object.clone())
                        .insert(&mut *space);
                }
            }
            Role::Store => {
                string(&mut space, &n.level_json, "LevelJson", &object);
                for (node, var) in [(&n.level, "Level"), (&n.capacity, "Capacity")] {
                    VariableBuilder::new(node, name(var), var)
                        .data_type(DataTypeId::UInt32)
                        .value(0u32)
                        .component_of(object.clone())
                        .insert(&mut *space);
                }
            }
            Role::Other => {}
        }
        out.push(n);
    }
    (out, status, birth)
}

/// BaseObjectType, the type of the plain objects the server adds.
#[allow(non_upper_case_globals)]
const ObjectTypeIdBase: opcua::types::ObjectTypeId = opcua::types::ObjectTypeId::BaseObjectType;

/// A client whose session runs on its own thread and reports as the MQTT
/// link does: connected, lost, and one message per changed value, with the
/// node id as the topic.
pub struct Watch {
    pub news: Receiver<News>,
    closing: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Watch {
    /// Connects (and keeps trying until `close`) and subscribes to the
    /// line's feed, or, with `tags` (a plant's own node ids, as the mapping
    /// file names them), to those nodes: each change comes as a message on
    /// the tag's name, `{"value": …, "ts": ms}` (the source's time).
    pub fn open(ep: &Endpoint, sec: &Security, tags: Vec<String>) -> Result<Watch, String> {
        if ep.user.is_some() && ep.password.is_none() {
            return Err(format!(
                "{ep}: no password for {}: give it in the address or in FACTORY_TWIN_OPCUA_PASSWORD",
                ep.user.as_deref().unwrap_or_default()
            ));
        }
        let (tx, news) = sync_channel(super::broker::INCOMING);
        let closing = Arc::new(AtomicBool::new(false));
        let thread = {
            let (ep, sec, closing) = (ep.clone(), sec.clone(), closing.clone());
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a tokio runtime");
                rt.block_on(watch(ep, sec, tags, tx, closing));
            })
        };
        Ok(Watch {
            news,
            closing,
            thread: Some(thread),
        })
    }

    /// Closes the session and waits for the thread.
    pub fn close(mut self) {
        self.closing.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The client's loop: connect, read the birth, subscribe, and pass the
/// changes on; on a lost connection say so, back off and start again.
async fn watch(
    ep: Endpoint,
    sec: Security,
    tags: Vec<String>,
    tx: SyncSender<News>,
    closing: Arc<AtomicBool>,
) {
    let mut backoff = Duration::from_millis(500);
    let mut ever = false;
    let mut said_down = false;
    // Items whose first value has come: a later first value (after a
    // reconnection) is the current value again, as a retained message is.
    let seen = Arc::new(std::sync::Mutex::new(std::collections::HashSet::new()));
    let reorder = Arc::new(std::sync::Mutex::new(Reorder::default()));
    while !closing.load(Ordering::SeqCst) {
        let relay = Relay {
            tx: tx.clone(),
            seen: seen.clone(),
            reorder: reorder.clone(),
            tags: std::collections::HashMap::new(),
        };
        match session(&ep, &sec, &tags, relay, &closing).await {
            Ok(Some((session, handle))) => {
                if said_down {
                    eprintln!("monitor: connected to {ep} again");
                }
                let _ = tx.send(News::Connected { first: !ever });
                ever = true;
                backoff = Duration::from_millis(500);
                while !closing.load(Ordering::SeqCst) && !handle.is_finished() {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    // Events held for missing predecessors go when they
                    // have waited long enough, publishes or not.
                    reorder.lock().expect("not poisoned").release(&tx);
                }
                if closing.load(Ordering::SeqCst) {
                    let _ =
                        tokio::time::timeout(Duration::from_secs(2), session.disconnect()).await;
                    return;
                }
                // This outage is said; the next failure to connect is not
                // said again.
                eprintln!("monitor: the OPC UA server {ep} went away; retrying");
                said_down = true;
                let _ = tx.send(News::Lost);
            }
            Ok(None) => return,
            Err(e) => {
                if !said_down {
                    eprintln!(
                        "monitor: the OPC UA server {ep} is not reachable ({e}); retrying every {:.1} s up to 8 s",
                        backoff.as_secs_f64()
                    );
                    said_down = true;
                    let _ = tx.send(News::Lost);
                }
            }
        }
        let until = std::time::Instant::now() + backoff;
        while std::time::Instant::now() < until && !closing.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        backoff = (backoff * 2).min(Duration::from_secs(8));
    }
}

type Running = (
    Arc<Session>,
    tokio::task::JoinHandle<opcua::types::StatusCode>,
);

/// One session: connected, the birth read, the feed subscribed. `None`
/// when told to close while waiting for the birth.
async fn session(
    ep: &Endpoint,
    sec: &Security,
    tags: &[String],
    mut relay: Relay,
    closing: &Arc<AtomicBool>,
) -> Result<Option<Running>, String> {
    let mut client = ClientBuilder::new()
        .application_name("factory-twin monitor")
        .application_uri("urn:factory-twin:monitor")
        .product_uri("urn:factory-twin")
        .create_sample_keypair(true)
        .pki_dir(sec.pki.clone())
        .trust_server_certs(sec.trust_peers)
        // This loop reconnects (and says so); the library's own retries
        // would hide a gap.
        .session_retry_limit(0)
        .session_timeout(60_000)
        .max_message_size(MAX_MESSAGE)
        .max_chunk_count(MAX_MESSAGE / 8192)
        .max_string_length(MAX_MESSAGE)
        .max_array_length(100_000)
        .client()
        .map_err(|e| e.join("; "))?;
    let (policy, mode, token, identity) = if sec.encrypted(ep) {
        let (token, identity) = match (&ep.user, &ep.password) {
            (Some(u), Some(p)) => (
                UserTokenPolicy {
                    token_type: opcua::types::UserTokenType::UserName,
                    ..Default::default()
                },
                IdentityToken::new_user_name(u.as_str(), p.as_str()),
            ),
            _ => (UserTokenPolicy::anonymous(), IdentityToken::Anonymous),
        };
        (
            SecurityPolicy::Basic256Sha256,
            MessageSecurityMode::SignAndEncrypt,
            token,
            identity,
        )
    } else {
        (
            SecurityPolicy::None,
            MessageSecurityMode::None,
            UserTokenPolicy::anonymous(),
            IdentityToken::Anonymous,
        )
    };
    let wanted: opcua::types::EndpointDescription =
        (ep.url().as_str(), policy.to_str(), mode, token).into();
    let (session, event_loop) = client
        .connect_to_matching_endpoint(wanted, identity)
        .await
        .map_err(|e| e.to_string())?;
    let handle = event_loop.spawn();
    let connected = tokio::time::timeout(Duration::from_secs(10), session.wait_for_connection())
        .await
        .unwrap_or(false);
    if !connected || handle.is_finished() {
        handle.abort();
        return Err("the session was not accepted (the login, or the certificates: see the PKI folder's rejected/)".into());
    }
    if !tags.is_empty() {
        // A plant's own server: its nodes, named by the mapping.
        for t in tags {
            let id: NodeId = t.parse().map_err(|_| {
                format!("tag \"{t}\" is not an OPC UA node id such as ns=2;s=Press1.Status")
            })?;
            relay.tags.insert(id, t.clone());
        }
        let ids: Vec<NodeId> = relay.tags.keys().cloned().collect();
        subscribe(&session, relay, ids).await?;
        return Ok(Some((session, handle)));
    }
    let tx = relay.tx.clone();
    let ns = session.get_namespace_index(NAMESPACE).await.map_err(|e| {
        format!("it has no {NAMESPACE} namespace ({e}): is it a factory-twin serve?")
    })?;
    // The birth names the line and its objects.
    let birth = loop {
        if closing.load(Ordering::SeqCst) {
            let _ = session.disconnect().await;
            return Ok(None);
        }
        let read = session
            .read(
                &[ReadValueId::from(NodeId::new(ns, BIRTH_NODE))],
                TimestampsToReturn::Neither,
                0.0,
            )
            .await
            .map_err(|e| e.to_string())?;
        if let Some(Variant::String(s)) = read.first().and_then(|v| v.value.clone())
            && let Ok(b) = serde_json::from_str::<Birth>(s.as_ref())
        {
            break b;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let _ = tx.send(News::Message {
        topic: format!("plant/{}/birth", birth.line),
        payload: serde_json::to_vec(&birth).expect("serialises"),
        retained: true,
    });
    let mut topics = vec![format!("plant/{}/status", birth.line)];
    for o in &birth.objects {
        let base = format!("plant/{}/{}", birth.line, o.topic);
        topics.push(format!("{base}/event"));
        topics.push(format!("{base}/state"));
        topics.push(format!("{base}/counters"));
        topics.push(format!("{base}/level"));
    }
    let ids = topics.iter().map(|t| NodeId::new(ns, t.clone())).collect();
    subscribe(&session, relay, ids).await?;
    Ok(Some((session, handle)))
}

/// One subscription for `ids`, its changes passed on by `relay`. Nodes a
/// server does not have answer BadNodeIdUnknown and are left out (objects
/// without a state or counters node, such as buffers and sources).
async fn subscribe(session: &Arc<Session>, relay: Relay, ids: Vec<NodeId>) -> Result<(), String> {
    let sub = session
        .create_subscription(
            Duration::from_millis(50),
            600,
            20,
            PER_PUBLISH,
            0,
            true,
            relay,
        )
        .await
        .map_err(|e| e.to_string())?;
    let requests: Vec<MonitoredItemCreateRequest> = ids
        .into_iter()
        .map(|id| {
            MonitoredItemCreateRequest::new(
                ReadValueId::from(id),
                MonitoringMode::Reporting,
                MonitoringParameters {
                    sampling_interval: 0.0,
                    queue_size: ITEM_QUEUE,
                    discard_oldest: true,
                    ..Default::default()
                },
            )
        })
        .collect();
    for chunk in requests.chunks(ITEMS_PER_CALL) {
        session
            .create_monitored_items(sub, TimestampsToReturn::Both, chunk.to_vec())
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Passes each publish's changed values on as messages on their node ids'
/// topics, the events in the order they happened: one publish holds every
/// item's queued changes, item by item, and `seq` puts them back in order
/// (a later publish only holds later changes).
struct Relay {
    tx: SyncSender<News>,
    /// Items whose first value has come: a later first value (after a
    /// reconnection) is the current value again, as a retained message is.
    seen: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
    reorder: Arc<std::sync::Mutex<Reorder>>,
    /// A plant's own nodes and the mapping's names for them (empty: the
    /// layout `serve` makes).
    tags: std::collections::HashMap<NodeId, String>,
}

impl OnSubscriptionNotificationCore for Relay {
    fn on_subscription_notification(
        &mut self,
        notification: NotificationMessage,
        items: MonitoredItemMap<'_>,
    ) {
        let mut reorder = self.reorder.lock().expect("not poisoned");
        for data in notification.notification_data.into_iter().flatten() {
            let Some(changes) = data.into_inner_as::<DataChangeNotification>() else {
                continue;
            };
            for change in changes.monitored_items.into_iter().flatten() {
                let Some(item) = items.get(change.client_handle) else {
                    continue;
                };
                let Some(msg) = self.message(change.value, item) else {
                    continue;
                };
                match &msg {
                    News::Message { topic, payload, .. } if topic.ends_with("/event") => {
                        match serde_json::from_slice::<Seq>(payload) {
                            Ok(s) => reorder.hold(s.seq, msg),
                            // Malformed: passed on, for the monitor to count.
                            Err(_) => {
                                let _ = self.tx.send(msg);
                            }
                        }
                    }
                    _ => {
                        let _ = self.tx.send(msg);
                    }
                }
            }
        }
        reorder.release(&self.tx);
    }
}

/// How long an event waits for the ones before it (by `seq`) before it is
/// passed on anyway (and the missing ones counted lost).
const HOLD: Duration = Duration::from_secs(1);

/// Puts events back in `seq` order: a server sends each item's queued
/// changes together, item after item, and splits a long list over several
/// publishes, so events of different objects arrive out of order.
#[derive(Default)]
struct Reorder {
    waiting: std::collections::BTreeMap<u64, (std::time::Instant, News)>,
    /// The next event to pass on.
    next: u64,
}

impl Reorder {
    fn hold(&mut self, seq: u64, msg: News) {
        self.waiting.insert(seq, (std::time::Instant::now(), msg));
    }

    /// Passes on, in order, every event whose predecessors have come or
    /// that has waited [`HOLD`].
    fn release(&mut self, tx: &SyncSender<News>) {
        while let Some((&seq, (since, _))) = self.waiting.first_key_value() {
            if seq > self.next.max(1) && since.elapsed() < HOLD {
                break;
            }
            let (_, (_, msg)) = self.waiting.pop_first().expect("not empty");
            self.next = self.next.max(seq + 1);
            let _ = tx.send(msg);
        }
    }
}

/// An event's number, read before the rest of it.
#[derive(serde::Deserialize)]
struct Seq {
    seq: u64,
}

impl Relay {
    /// A changed value as a message; an empty value (a node not written
    /// yet) is none.
    fn message(&self, dv: DataValue, item: &MonitoredItem) -> Option<News> {
        let node = &item.item_to_monitor().node_id;
        let (topic, payload) = if let Some(tag) = self.tags.get(node) {
            (tag.clone(), tag_payload(&dv)?)
        } else {
            let topic = match &node.identifier {
                opcua::types::Identifier::String(s) => s.as_ref().to_string(),
                other => other.to_string(),
            };
            let payload = match dv.value {
                Some(Variant::String(s)) if !s.is_empty() => s.as_ref().as_bytes().to_vec(),
                Some(Variant::String(_)) | Some(Variant::Empty) | None => return None,
                Some(other) => format!("{other:?}").into_bytes(),
            };
            (topic, payload)
        };
        let retained = self
            .seen
            .lock()
            .expect("not poisoned")
            .insert(topic.clone());
        Some(News::Message {
            topic,
            payload,
            retained,
        })
    }
}

/// A plant's node value as the monitor reads a tag: `{"value": …, "ts":
/// milliseconds since 1970 (UTC)}`, the time the source's (else the
/// server's); a value of another type (a structure, an array) as its
/// text, for the monitor to count as malformed if it means nothing.
fn tag_payload(dv: &DataValue) -> Option<Vec<u8>> {
    use serde_json::Value as J;
    let value = match dv.value.as_ref()? {
        Variant::Empty => return None,
        Variant::Boolean(b) => J::from(*b),
        Variant::SByte(x) => J::from(*x),
        Variant::Byte(x) => J::from(*x),
        Variant::Int16(x) => J::from(*x),
        Variant::UInt16(x) => J::from(*x),
        Variant::Int32(x) => J::from(*x),
        Variant::UInt32(x) => J::from(*x),
        Variant::Int64(x) => J::from(*x),
        Variant::UInt64(x) => J::from(*x),
        Variant::Float(x) => J::from(f64::from(*x)),
        Variant::Double(x) => J::from(*x),
        Variant::String(s) => J::from(s.as_ref()),
        Variant::LocalizedText(t) => J::from(t.text.as_ref()),
        other => J::from(format!("{other:?}")),
    };
    // 100 ns ticks from 1601-01-01 to milliseconds from 1970-01-01.
    let ts = dv
        .source_timestamp
        .as_ref()
        .or(dv.server_timestamp.as_ref())
        .map(|t| (t.ticks() - 116_444_736_000_000_000) / 10_000);
    let mut msg = serde_json::json!({ "value": value });
    if let Some(ms) = ts {
        msg["ts"] = J::from(ms);
    }
    Some(serde_json::to_vec(&msg).expect("serialises"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_read_and_passwords_never_shown() {
        let e = Endpoint::parse("opc.tcp://ops:s3cret@plant.local:4841/line1").unwrap();
        assert_eq!(
            (e.host.as_str(), e.port, e.path.as_str()),
            ("plant.local", 4841, "/line1")
        );
        assert_eq!(e.password.as_deref(), Some("s3cret"));
        assert!(!format!("{e} {e:?}").contains("s3cret"));
        assert_eq!(e.url(), "opc.tcp://plant.local:4841/line1");
        assert_eq!(Endpoint::parse("opc.tcp://localhost").unwrap().port, 4840);
        let bad = Endpoint::parse("opc.tcp://ops:s3cret@host:x").unwrap_err();
        assert!(bad.contains("port") && !bad.contains("s3cret"), "{bad}");
        assert!(
            Endpoint::parse("mqtt://x")
                .unwrap_err()
                .contains("opc.tcp://host:port")
        );
    }
}
