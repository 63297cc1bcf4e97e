//! The command line: `run`, `compare`, `roi`, `bottleneck`, `sweep`, `check`, `fit`, `validate-model`, `serve`, `monitor`, `view`, `bench`. Each command
//! returns its exit code: 0 done, 1 layout violations (`check`) or a model
//! that does not match its log (`validate-model`), 2 bad
//! input, 3 internal error or a failed environment, 130 stopped by Ctrl-C
//! (after writing what finished).

/// `print!` to stdout that ends quietly when the reader has gone (e.g. `| head`)
/// instead of panicking on the broken pipe.
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::write_stdout(&format!($($arg)*)) };
}

/// `println!` with the same care as [`out!`].
macro_rules! outln {
    ($($arg:tt)*) => { $crate::cli::write_stdout(&format!("{}\n", format!($($arg)*))) };
}

mod bench;
mod bottleneck;
mod check;
mod cluster;
mod compare;
mod fit;
mod live;
mod optimize;
mod run;
mod shadow;
mod sweep;
mod validate;
mod view;

use crate::error::{Diagnostic, EXIT_INTERNAL, EXIT_USER_ERROR};
use crate::experiment::{self, Options, RunError};
use clap::{Args, Parser, Subcommand};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Exit code after a Ctrl-C (128 + SIGINT), as shells expect.
pub const EXIT_STOPPED: i32 = 130;

/// A digital twin of a factory floor: simulate a scene, read its KPIs.
#[derive(Parser, Debug)]
#[command(name = "factory-twin", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Language of reports and the terminal summary (default: the locale's,
    /// from LC_ALL, LC_MESSAGES or LANG). Ids and names stay as written.
    #[arg(long, global = true, value_enum)]
    pub lang: Option<crate::lang::Lang>,
}

/// How many replications, on how many threads.
#[derive(Args, Debug, Clone)]
pub struct RepOptions {
    /// Replications (default: the scene's `run.replications`).
    #[arg(long)]
    pub reps: Option<u32>,
    /// Worker threads for replications (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

/// `optimize --search`.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum SearchArg {
    Adaptive,
    Grid,
}

/// How `view --live` watches the plant (the monitor's options).
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "With --live")]
pub struct LiveViewOptions {
    /// The line to watch (default: every line on the broker).
    #[arg(long, requires = "live")]
    pub line: Option<String>,
    /// What the feed's event and state names mean, as for `monitor`.
    #[arg(long, value_name = "FILE.ron", requires = "live")]
    pub map: Option<PathBuf>,
    /// Write the feed as the project's event log CSV.
    #[arg(long, value_name = "FILE.csv", requires = "live")]
    pub record: Option<PathBuf>,
    /// The rolling window of the plant panel's KPIs, in plant time.
    #[arg(long, default_value = "1h")]
    pub window: String,
    /// Shadow mode: forecast the good parts to this time ("Mon 17:00"),
    /// shown as a fan beside the floor.
    #[arg(long, value_name = "TIME", requires = "live")]
    pub until: Option<String>,
    /// Good parts the day should make by --until.
    #[arg(long, requires = "until")]
    pub target: Option<u64>,
    /// Replications of each forecast.
    #[arg(long, default_value_t = 30)]
    pub reps: u32,
    /// Forecast (and print the KPIs) this often, wall clock; a breakdown
    /// or repair brings the next forecast forward.
    #[arg(long, default_value = "10s")]
    pub every: String,
    /// With mqtts://: the CA certificates (PEM) that signed the broker's.
    #[arg(long, value_name = "FILE.pem", requires = "live")]
    pub mqtt_ca: Option<PathBuf>,
    /// With opc.tcp://: certificates, trust and security as for `monitor`.
    #[arg(long, value_name = "DIR", default_value = "pki")]
    pub opcua_pki: PathBuf,
    #[arg(long, requires = "live")]
    pub opcua_trust: bool,
    #[arg(long, requires = "live")]
    pub opcua_secure: bool,
}

/// An OPC UA endpoint and its security, for `serve` and `monitor`.
#[derive(Args, Debug, Clone)]
pub struct OpcuaOptions {
    /// OPC UA: opc.tcp://[user[:password]@]host:port[/path] (serve listens
    /// there; the password may come from FACTORY_TWIN_OPCUA_PASSWORD). With a
    /// user: Basic256Sha256, signed and encrypted.
    #[arg(long, value_name = "URL")]
    pub opcua: Option<String>,
    /// OPC UA certificates: own/, private/, trusted/, rejected/ (made on first use).
    #[arg(long, value_name = "DIR", default_value = "pki")]
    pub opcua_pki: PathBuf,
    /// OPC UA: trust every peer's certificate (a lab); else only those in trusted/.
    #[arg(long)]
    pub opcua_trust: bool,
    /// OPC UA: Basic256Sha256 signed and encrypted even without a user.
    #[arg(long)]
    pub opcua_secure: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Simulate a scene and report its KPIs.
    Run {
        /// Scene or variant file (.ron).
        scene: PathBuf,
        #[command(flatten)]
        reps: RepOptions,
        /// Print the summary as JSON on stdout instead of tables.
        #[arg(long)]
        json: bool,
        /// Override the scene's seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Also write the tables as CSV files into this folder.
        #[arg(long, value_name = "DIR")]
        csv: Option<PathBuf>,
        /// Write the event log (time, object, part, event) as CSV.
        #[arg(long, value_name = "FILE")]
        events: Option<PathBuf>,
        /// Write a chart of the time each station spends in each state (SVG).
        #[arg(long, value_name = "FILE")]
        chart: Option<PathBuf>,
        /// Write a self-contained report: HTML, or PDF when FILE ends in .pdf.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Write an Excel workbook: one sheet per table, numbers as numbers.
        #[arg(long, value_name = "FILE")]
        xlsx: Option<PathBuf>,
        /// Start each CSV file with a UTF-8 byte-order mark (Excel then reads
        /// Korean names correctly).
        #[arg(long)]
        csv_bom: bool,
        /// Also run the bottleneck experiment (each resource relieved in turn,
        /// as `factory-twin bottleneck`) and add what each gains to the
        /// terminal output and the report.
        #[arg(long)]
        relief: bool,
    },
    /// Compare scenarios (a base and its variants) with paired replications;
    /// adds the business case where the scenes hold economics and an investment.
    Compare {
        /// The base scene, then one or more variants or other scenes.
        #[arg(required = true, num_args = 2..)]
        scenes: Vec<PathBuf>,
        #[command(flatten)]
        reps: RepOptions,
        /// Print the comparison as JSON.
        #[arg(long)]
        json: bool,
        /// Write comparison.csv and each scenario's tables into this folder.
        #[arg(long, value_name = "DIR")]
        csv: Option<PathBuf>,
        /// Write a self-contained report: HTML, or PDF when FILE ends in .pdf.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Write an Excel workbook: one sheet per table, numbers as numbers.
        #[arg(long, value_name = "FILE")]
        xlsx: Option<PathBuf>,
        /// Start each CSV file with a UTF-8 byte-order mark (Excel then reads
        /// Korean names correctly).
        #[arg(long)]
        csv_bom: bool,
    },
    /// The business case of a change: payback, NPV and IRR with intervals,
    /// with and without the subsidy.
    Roi {
        /// The base scene, then the variant(s) with an `investment`.
        #[arg(required = true, num_args = 2..)]
        scenes: Vec<PathBuf>,
        #[command(flatten)]
        reps: RepOptions,
        /// Print the comparison and business case as JSON.
        #[arg(long)]
        json: bool,
        /// Write comparison.csv, business_case.csv and each scenario's tables into this folder.
        #[arg(long, value_name = "DIR")]
        csv: Option<PathBuf>,
        /// Write a self-contained report: HTML, or PDF when FILE ends in .pdf.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Write an Excel workbook: one sheet per table, numbers as numbers.
        #[arg(long, value_name = "FILE")]
        xlsx: Option<PathBuf>,
        /// Start each CSV file with a UTF-8 byte-order mark (Excel then reads
        /// Korean names correctly).
        #[arg(long)]
        csv_bom: bool,
    },
    /// Plan an experiment for a cluster: a `run` (no --set) or a `sweep`
    /// split into shards that `shard` runs anywhere and `merge` puts back
    /// together, byte for byte what one machine writes.
    Plan {
        /// Scene or variant file (.ron), as the workers will find it.
        scene: PathBuf,
        /// A sweep's parameter and values, as for `sweep`. Repeat for a grid.
        #[arg(long = "set", value_name = "PATH=VALUES")]
        set: Vec<String>,
        /// The KPI that picks a sweep's best setting.
        #[arg(long, default_value = "good_per_hour")]
        by: String,
        /// A `compare` of the scene against this variant file (repeat for
        /// several), with the business case of each variant that has one.
        #[arg(long, value_name = "VARIANT.ron", conflicts_with_all = ["set", "bottleneck"])]
        compare: Vec<PathBuf>,
        /// With --compare: a `roi` (every variant must have a business case).
        #[arg(long, requires = "compare")]
        roi: bool,
        /// A `bottleneck` experiment: each resource relieved in turn.
        #[arg(long, conflicts_with = "set")]
        bottleneck: bool,
        /// Replications (default: the scene's `run.replications`).
        #[arg(long)]
        reps: Option<u32>,
        /// Where to write the plan.
        #[arg(long, value_name = "FILE.json")]
        out: PathBuf,
    },
    /// Run one shard of a plan: `--shard I/N`, or the index a scheduler
    /// gives (SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT; Kubernetes'
    /// JOB_COMPLETION_INDEX with --shards N).
    Shard {
        /// The plan file.
        plan: PathBuf,
        /// This shard's index and the number of shards, e.g. 3/64.
        #[arg(long, value_name = "I/N")]
        shard: Option<String>,
        /// The number of shards, when the scheduler gives only the index.
        #[arg(long, value_name = "N")]
        shards: Option<u32>,
        /// The folder to write shard-IIII-of-NNNN.json into.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Worker threads (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Merge the shard files of a plan into what the experiment (`run`,
    /// `sweep`, `compare`, `roi`, `bottleneck`) writes on one machine, or add
    /// an optimisation batch's runs to its state file; names any shard
    /// missing, there twice or of another plan.
    Merge {
        /// The shard files (every shard of one plan).
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
        /// Write a self-contained report: HTML, or PDF when FILE ends in .pdf.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Write the CSV files into this folder.
        #[arg(long, value_name = "DIR")]
        csv: Option<PathBuf>,
    },
    /// What limits output: relieve each station, transfer robot and operator
    /// pool in turn (cycle −10 %, moves −10 %, one more operator) and measure
    /// the gain in good parts per hour with common random numbers.
    Bottleneck {
        /// Scene or variant file (.ron).
        scene: PathBuf,
        #[command(flatten)]
        reps: RepOptions,
        /// Print the experiment as JSON.
        #[arg(long)]
        json: bool,
        /// Write a self-contained report: HTML, or PDF when FILE ends in .pdf.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
    },
    /// Run a grid over scene parameters and find the best setting.
    Sweep {
        /// Scene or variant file (.ron).
        scene: PathBuf,
        /// A parameter and its values: `b1.capacity=2,5,10`, `weld.capacity=1..3`,
        /// `weld.cycle.mean=30..60:10` (seconds). Repeat for a grid.
        #[arg(long = "set", value_name = "PATH=VALUES", required = true)]
        set: Vec<String>,
        /// The KPI that picks the best setting.
        #[arg(long, default_value = "good_per_hour")]
        by: String,
        #[command(flatten)]
        reps: RepOptions,
        /// Print the sweep as JSON.
        #[arg(long)]
        json: bool,
        /// Write sweep.csv into this folder.
        #[arg(long, value_name = "DIR")]
        csv: Option<PathBuf>,
        /// Write a chart of the chosen KPI per setting (SVG).
        #[arg(long, value_name = "FILE")]
        chart: Option<PathBuf>,
        /// Write a self-contained report: HTML, or PDF when FILE ends in .pdf.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Write an Excel workbook: one sheet per table, numbers as numbers.
        #[arg(long, value_name = "FILE")]
        xlsx: Option<PathBuf>,
        /// Start each CSV file with a UTF-8 byte-order mark (Excel then reads
        /// Korean names correctly).
        #[arg(long)]
        csv_bom: bool,
    },
    /// Find the best design over scene parameters: a noisy search on a
    /// budget of runs with common random numbers, then a Kim–Nelson
    /// selection that states its confidence. Several objectives give the
    /// Pareto front.
    Optimize {
        /// Scene or variant file (.ron).
        scene: PathBuf,
        /// A decision variable and its values: `b1.capacity=1..20`,
        /// `weld.operator=welders,fitters`. Repeat for each.
        #[arg(long = "vary", value_name = "PATH=VALUES", required = true)]
        vary: Vec<String>,
        /// A choice between the scene and a Variant of it, by a name:
        /// `robot=scenes/bracket_line_robot_weld.ron` (its changes and its
        /// investment when taken). Repeatable.
        #[arg(long, value_name = "NAME=VARIANT.ron")]
        choose: Vec<String>,
        /// What to make best: a KPI (`good_per_hour`), `npv`, `investment`,
        /// `wip`, or `max:`/`min:` a sum such as `min: 21000*welders.count + 900*wip`.
        /// Repeat for a Pareto front.
        #[arg(long, value_name = "EXPR", required = true)]
        objective: Vec<String>,
        /// A limit on the mean of a figure: `good_per_hour >= 15`. Repeatable.
        #[arg(long, value_name = "EXPR")]
        constraint: Vec<String>,
        /// Investment per unit a variable rises above the scene's value:
        /// `b1.capacity=300000`. Repeatable.
        #[arg(long, value_name = "PATH=AMOUNT")]
        cost: Vec<String>,
        /// Simulation runs to spend (one replication of one design each).
        #[arg(long, default_value_t = 400)]
        budget: u32,
        /// Years an investment serves, for `npv` (default: the scene's investment's life).
        #[arg(long, value_name = "YEARS")]
        life: Option<f64>,
        /// The indifference zone δ: a difference smaller than this, in the
        /// objective's unit, does not matter (default: 0.5 % of the leader).
        #[arg(long, value_name = "DELTA")]
        indifference: Option<f64>,
        /// The probability of a correct selection to reach.
        #[arg(long, default_value_t = 0.95)]
        confidence: f64,
        /// Keep every run in this file; a stopped optimisation started again
        /// with the same file goes on where it stopped.
        #[arg(long, value_name = "FILE.json")]
        state: Option<PathBuf>,
        /// On a cluster: write the runs of the next batch the state file
        /// does not hold as a plan for `shard` and `merge` (which adds them
        /// to the state file), instead of running them; when none is left,
        /// the result is printed as on one machine.
        #[arg(long, value_name = "PLAN.json", requires = "state")]
        plan: Option<PathBuf>,
        /// Write the best design as a Variant file of the scene.
        #[arg(long, value_name = "FILE.ron")]
        variant: Option<PathBuf>,
        /// How to spend the budget: `adaptive` (search, OCBA, Kim–Nelson
        /// selection) or `grid` (evenly spaced values, the best mean: a baseline).
        #[arg(long, value_enum, default_value = "adaptive")]
        search: SearchArg,
        /// Worker threads (default: all cores; the result is the same).
        #[arg(long)]
        threads: Option<usize>,
        /// Print every evaluated design as JSON.
        #[arg(long)]
        json: bool,
        /// Write a self-contained report: HTML, or PDF when FILE ends in .pdf.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
    },
    /// Check the layout: overlaps, aisles, robot reach, conveyor ends,
    /// walking paths through robot envelopes. Exit 1 when violations are found.
    Check {
        /// Scene or variant file (.ron).
        scene: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Fit input distributions to a plant's event log (CSV or OCEL 2.0):
    /// cycle, setup, repair, time between failures and interarrival times
    /// per resource, each with Kolmogorov–Smirnov, Anderson–Darling and AIC.
    Fit {
        /// The event log: CSV with a header (time, resource, event or state;
        /// see docs/calibration.md) or OCEL 2.0 JSON.
        log: PathBuf,
        /// The scene the log comes from: durations then count each resource's
        /// working time (its shifts), as the scene's distributions do.
        #[arg(long, value_name = "SCENE")]
        scene: Option<PathBuf>,
        /// Write the calibrated model: a Variant of --scene with the fitted
        /// distributions, or without --scene a scene skeleton built from the
        /// log's routes.
        #[arg(long, value_name = "FILE.ron")]
        out: Option<PathBuf>,
        /// What the log's event and state names mean, beyond the defaults
        /// (a RON map such as { "RUN": "working", "ALM": "failed" }).
        #[arg(long, value_name = "FILE.ron")]
        map: Option<PathBuf>,
        /// Write the fit report (.html, or .pdf): histograms with the fitted
        /// densities, Q–Q plots, every family's goodness of fit.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Print the fits as JSON.
        #[arg(long)]
        json: bool,
        /// The fewest complete durations of one kind a resource needs to be fitted.
        #[arg(long, default_value_t = 20)]
        min: usize,
    },
    /// Forecast the day from the plant's state: the parts where the feed
    /// has them at --at, N replications of the scene from there to --until,
    /// the good parts by then with a 90 % prediction interval and the chance
    /// of reaching --target.
    Shadow {
        /// Scene or variant file (.ron): the model of the plant.
        scene: PathBuf,
        /// The plant's recorded feed as an event log (monitor --record, run
        /// --events, a plant's CSV or OCEL), with --at; or watch it live
        /// with --mqtt or --opcua (a forecast at every --every).
        #[arg(long, value_name = "FILE")]
        feed: Option<PathBuf>,
        /// Live: the broker, as for `monitor`.
        #[arg(long, value_name = "URL")]
        mqtt: Option<String>,
        #[command(flatten)]
        opcua: OpcuaOptions,
        /// Live: stop when the line reports it has finished and every event has come.
        #[arg(long)]
        until_finished: bool,
        /// Live: stop after this long (wall clock, e.g. 8h), as for `monitor`.
        #[arg(long = "for", value_name = "DURATION")]
        for_wall: Option<String>,
        /// Live: forecast this often (wall clock).
        #[arg(long, default_value = "10s")]
        every: String,
        /// Live: write the monitor's report with the forecast history (.html or .pdf).
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Live: write the feed as an event log.
        #[arg(long, value_name = "FILE.csv")]
        record: Option<PathBuf>,
        /// Live: read the stations' state topics, counters and buffer levels,
        /// not the events (a plant that publishes states; see `monitor --states`).
        #[arg(long)]
        states: bool,
        /// What the feed's event names mean, as for `fit`.
        #[arg(long, value_name = "FILE.ron")]
        map: Option<PathBuf>,
        /// With --feed: the moment of the plant's state ("Mon 10:00", 34h).
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// The end of the forecast ("Mon 17:00").
        #[arg(long, value_name = "TIME")]
        until: String,
        /// Good parts the day should make by --until (counted from midnight).
        #[arg(long)]
        target: Option<u64>,
        /// Replications of the forecast.
        #[arg(long, default_value_t = 30)]
        reps: u32,
        /// Which replication of the feed is the plant (a feed of `run --reps N` holds several).
        #[arg(long, default_value_t = 0)]
        replication: u32,
        /// Also forecast this variant of the plant from the same state (a
        /// robot now, another operator, a machine stopped), with common
        /// random numbers; live, at every forecast.
        #[arg(long = "what-if", value_name = "VARIANT.ron")]
        what_if: Vec<PathBuf>,
        /// Print the forecast as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check a model against the plant's log: replay the log's period over
    /// replications and put throughput, WIP, lead times and each station's
    /// state shares beside the model's range. Exit 1 when it does not match.
    ValidateModel {
        /// Scene or variant file (.ron), e.g. the calibrated variant from `fit --out`.
        scene: PathBuf,
        /// The event log (CSV or OCEL 2.0), as for `fit`.
        log: PathBuf,
        /// What the log's names mean, as for `fit`.
        #[arg(long, value_name = "FILE.ron")]
        map: Option<PathBuf>,
        /// Replications of the model.
        #[arg(long, default_value_t = 30)]
        reps: u32,
        /// Write the match report (.html, or .pdf).
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Print the comparison as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Serve the scene as a virtual plant on an MQTT broker and/or as an
    /// OPC UA server: every event, station state (with OPC 40001-1 names),
    /// counter and buffer level on the topic tree plant/<line>/… and in the
    /// address space Objects/Machines/… (docs/live.md), in real time × --speed.
    Serve {
        /// Scene or variant file (.ron).
        scene: PathBuf,
        /// The broker: mqtt://[user[:password]@]host[:port], or mqtts:// for TLS.
        #[arg(long, value_name = "URL")]
        mqtt: Option<String>,
        #[command(flatten)]
        opcua: OpcuaOptions,
        /// With mqtts://: the CA certificates (PEM) that signed the broker's (default: the system's).
        #[arg(long, value_name = "FILE.pem")]
        mqtt_ca: Option<PathBuf>,
        /// Simulated seconds per wall-clock second.
        #[arg(long, default_value_t = 60.0)]
        speed: f64,
        /// Stop at this simulated time (90s, 45m, 33h, 2d); default the run's end.
        #[arg(long, value_name = "TIME")]
        until: Option<String>,
        /// The line's id in the topics (default: from the scene's name).
        #[arg(long)]
        line: Option<String>,
        /// Which replication's random numbers (0 is what `run --reps 1` shows).
        #[arg(long, default_value_t = 0)]
        replication: u32,
        /// At this simulated time (12h, "Mon 12:00") the machines take the
        /// cycles of --switch-to: a plant that changes while it is watched.
        #[arg(long, value_name = "TIME")]
        switch_at: Option<String>,
        /// The variant whose machine cycles the plant switches to.
        #[arg(long, value_name = "VARIANT.ron")]
        switch_to: Option<PathBuf>,
        /// With --opcua: start the plant's clock once a client has subscribed.
        #[arg(long)]
        wait_for_client: bool,
    },
    /// Watch a plant on an MQTT broker or an OPC UA server (one served by
    /// `serve`, or a real one publishing the same feed): the KPIs while it
    /// runs, the feed recorded as an event log, and with --scene a drift
    /// check (CUSUM) of each station's cycles against the model.
    Monitor {
        /// The broker: mqtt://[user[:password]@]host[:port], or mqtts:// for TLS.
        #[arg(long, value_name = "URL")]
        mqtt: Option<String>,
        #[command(flatten)]
        opcua: OpcuaOptions,
        /// With mqtts://: the CA certificates (PEM) that signed the broker's (default: the system's).
        #[arg(long, value_name = "FILE.pem")]
        mqtt_ca: Option<PathBuf>,
        /// The line to watch (default: every line on the broker).
        #[arg(long)]
        line: Option<String>,
        /// The scene the plant runs: shifts, capacities, ideal cycle times (for OEE).
        #[arg(long, value_name = "SCENE")]
        scene: Option<PathBuf>,
        /// What the feed's event names mean, as for `fit`.
        #[arg(long, value_name = "FILE.ron")]
        map: Option<PathBuf>,
        /// Write the feed as the project's event log CSV (fit, validate-model read it).
        #[arg(long, value_name = "FILE.csv")]
        record: Option<PathBuf>,
        /// Stop after this much wall-clock time (90s, 10m, 8h).
        #[arg(long = "for", value_name = "DURATION")]
        for_wall: Option<String>,
        /// Stop when the line reports it has finished and every event has come.
        #[arg(long)]
        until_finished: bool,
        /// The rolling window of the KPIs, in plant time.
        #[arg(long, default_value = "1h")]
        window: String,
        /// Print the KPIs this often (wall clock).
        #[arg(long, default_value = "10s")]
        every: String,
        /// Print what was seen as JSON at the end (and nothing while running).
        #[arg(long)]
        json: bool,
        /// Write the report at the end (.html, or .pdf): KPIs, state shares, the feed's health.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Read the stations' state topics as the log (a plant that publishes
        /// states, not events; OPC 40001-1 and PackML names by default, --map for others).
        #[arg(long)]
        states: bool,
        /// With --scene: write the re-fit of the stations the drift check
        /// flags (their cycles since the change) as a Variant of the scene.
        #[arg(long, value_name = "FILE.ron")]
        propose: Option<PathBuf>,
        /// Keep this much of the feed in memory (plant time): the whole-feed
        /// figures, the drift check and the plant's state cover at most it
        /// (--record still writes everything).
        #[arg(long, value_name = "DURATION", default_value = "7d")]
        keep: String,
    },
    /// Watch the factory run in 3D, or render one frame with --screenshot.
    View {
        /// Scene or variant file (.ron).
        scene: PathBuf,
        /// Simulated seconds per wall-clock second (1 to 10000).
        #[arg(long, default_value_t = 60.0)]
        speed: f64,
        /// Render one frame offscreen into this PNG and exit (no display needed).
        #[arg(long, value_name = "PATH")]
        screenshot: Option<PathBuf>,
        /// Simulated time of the screenshot: 90s, 45m, 30h, 2d or "Tue 10:30"
        /// (default: 10:30 on the first measured day).
        #[arg(long, value_name = "TIME", requires = "screenshot")]
        at: Option<String>,
        /// Size of the screenshot (or of the --offscreen picture).
        #[arg(long, value_name = "WxH", default_value = "1280x720")]
        size: String,
        /// Look straight down (top view) in the screenshot.
        #[arg(long, requires = "screenshot")]
        top: bool,
        /// Start with the physics preview on: the parts on the belts are
        /// rigid bodies (at most 10× speed; P toggles it in the window).
        #[arg(long)]
        physics: bool,
        /// Close the window after this many seconds and print frame statistics
        /// as JSON (for measuring frames per second).
        #[arg(long, value_name = "SECONDS")]
        exit_after: Option<f64>,
        /// With --exit-after: capture the window (panels included) just before closing.
        #[arg(long, value_name = "PATH", requires = "exit_after")]
        window_screenshot: Option<PathBuf>,
        /// With --exit-after: draw the window's picture (3D view and panels,
        /// at --size) into an image instead of a window, as fast as the GPU
        /// allows; frame rates on a machine without a display.
        #[arg(long, requires = "exit_after", conflicts_with = "screenshot")]
        offscreen: bool,
        /// Show a watched plant instead of running the scene: its parts
        /// where the plant has them, its stations in the states it reports
        /// (mqtt://host:port or opc.tcp://host:port, as for `monitor`).
        #[arg(long, value_name = "URL", conflicts_with_all = ["screenshot", "physics"])]
        live: Option<String>,
        #[command(flatten)]
        live_options: LiveViewOptions,
    },
    /// Benchmark the engine on the serial line, side by side with SimPy.
    Bench {
        /// Print the results as JSON.
        #[arg(long)]
        json: bool,
        /// Shorter runs (a tenth of the horizon), for a quick look.
        #[arg(long)]
        quick: bool,
        /// Line lengths to run (default 5,50,500).
        #[arg(long, value_delimiter = ',')]
        stations: Vec<usize>,
        /// Repeats per case; the median wall time is reported.
        #[arg(long, default_value_t = 3)]
        repeats: usize,
        /// Python interpreter with SimPy installed.
        #[arg(long, default_value = "python3")]
        python: String,
        /// The SimPy peer script (relative to the working directory: run from
        /// the repository root, or give its path).
        #[arg(long, default_value = "bench/simpy_line.py")]
        simpy_script: PathBuf,
        /// Skip the SimPy side (the same as leaving simpy out of --peers).
        #[arg(long)]
        no_simpy: bool,
        /// The peer engines to run beside this one, each skipped with a note
        /// when not installed: simpy, cimba, nexosim (bench/README.md).
        #[arg(long, value_delimiter = ',', default_value = "simpy")]
        peers: Vec<String>,
        /// The Cimba peer script.
        #[arg(long, default_value = "bench/cimba_line.py")]
        cimba_script: PathBuf,
        /// The NeXosim peer's binary (default: built from bench/nexosim_line,
        /// under CARGO_TARGET_DIR if set).
        #[arg(long, value_name = "PATH")]
        nexosim: Option<PathBuf>,
        /// Simulated time of every case (default: each case's own; longer
        /// runs steady the figures of fast engines).
        #[arg(long, value_name = "SECONDS")]
        horizon: Option<f64>,
        /// Instead of the serial line: time a 40-replication comparison with
        /// 1, 2, … threads (up to the cores) and report the speedup.
        #[arg(long, conflicts_with = "scale")]
        scaling: bool,
        /// With --scaling: paired replications in the comparison (default 40,
        /// 10 with --quick); more keep many cores busy longer.
        #[arg(long, requires = "scaling", value_parser = clap::value_parser!(u32).range(1..=100_000))]
        reps: Option<u32>,
        /// Instead of the serial line: large factories for a simulated year
        /// (lines of N = 10 … 10 000 stations, a 1 000-machine job shop; a
        /// tenth of a year with --quick) and the load time of a
        /// 10 000-object scene file.
        #[arg(long)]
        scale: bool,
        /// With --scale: also write a chart of the cost per event against the
        /// line length (SVG) to this file.
        #[arg(long, requires = "scale")]
        chart: Option<PathBuf>,
    },
}

/// Runs the parsed command line and returns the process exit code.
pub fn main_with(cli: Cli) -> i32 {
    crate::lang::set(cli.lang.unwrap_or_else(crate::lang::Lang::from_env));
    match cli.command {
        Command::Run {
            scene,
            reps,
            json,
            seed,
            csv,
            events,
            chart,
            report,
            xlsx,
            csv_bom,
            relief,
        } => run::run(
            &scene,
            &reps,
            json,
            seed,
            run::Outputs {
                csv,
                events,
                chart,
                report,
                xlsx,
                csv_bom,
                relief,
            },
        ),
        Command::Compare {
            scenes,
            reps,
            json,
            csv,
            report,
            xlsx,
            csv_bom,
        } => compare::compare(
            &scenes,
            &reps,
            json,
            Files {
                csv: csv.as_deref(),
                report: report.as_deref(),
                xlsx: xlsx.as_deref(),
                csv_bom,
            },
            false,
        ),
        Command::Roi {
            scenes,
            reps,
            json,
            csv,
            report,
            xlsx,
            csv_bom,
        } => compare::compare(
            &scenes,
            &reps,
            json,
            Files {
                csv: csv.as_deref(),
                report: report.as_deref(),
                xlsx: xlsx.as_deref(),
                csv_bom,
            },
            true,
        ),
        Command::Plan {
            scene,
            set,
            by,
            compare,
            roi,
            bottleneck,
            reps,
            out,
        } => {
            let ask = if !compare.is_empty() {
                crate::cluster::Ask::Compare {
                    variants: &compare,
                    roi,
                }
            } else if bottleneck {
                crate::cluster::Ask::Bottleneck
            } else if !set.is_empty() {
                crate::cluster::Ask::Sweep { set: &set, by: &by }
            } else {
                crate::cluster::Ask::Run
            };
            cluster::plan(&scene, ask, reps, &out)
        }
        Command::Shard {
            plan,
            shard,
            shards,
            out,
            threads,
        } => cluster::shard(&plan, shard.as_deref(), shards, &out, threads),
        Command::Merge {
            shards,
            json,
            report,
            csv,
        } => cluster::merge(&shards, json, report.as_deref(), csv.as_deref()),
        Command::Bottleneck {
            scene,
            reps,
            json,
            report,
        } => bottleneck::bottleneck(&scene, &reps, json, report.as_deref()),
        Command::Optimize {
            scene,
            vary,
            choose,
            objective,
            constraint,
            cost,
            budget,
            life,
            indifference,
            confidence,
            state,
            plan,
            variant,
            search,
            threads,
            json,
            report,
        } => optimize::optimize(optimize::Args {
            scene: &scene,
            vary: &vary,
            choose: &choose,
            objectives: &objective,
            constraints: &constraint,
            costs: &cost,
            budget,
            life,
            indifference,
            confidence,
            state,
            plan: plan.as_deref(),
            variant: variant.as_deref(),
            strategy: match search {
                SearchArg::Adaptive => crate::optimize::Strategy::Adaptive,
                SearchArg::Grid => crate::optimize::Strategy::Grid,
            },
            threads,
            json,
            report: report.as_deref(),
        }),
        Command::Sweep {
            scene,
            set,
            by,
            reps,
            json,
            csv,
            chart,
            report,
            xlsx,
            csv_bom,
        } => sweep::sweep(
            &scene,
            &set,
            &by,
            &reps,
            json,
            chart.as_deref(),
            Files {
                csv: csv.as_deref(),
                report: report.as_deref(),
                xlsx: xlsx.as_deref(),
                csv_bom,
            },
        ),
        Command::Check { scene, json } => check::check(&scene, json),
        Command::Fit {
            log,
            scene,
            out,
            map,
            report,
            json,
            min,
        } => fit::fit(&fit::FitArgs {
            log: &log,
            scene: scene.as_deref(),
            out: out.as_deref(),
            map: map.as_deref(),
            report: report.as_deref(),
            json,
            min_n: min.max(2),
        }),
        Command::ValidateModel {
            scene,
            log,
            map,
            reps,
            report,
            json,
        } => validate::validate_model(&validate::ValidateArgs {
            scene: &scene,
            log: &log,
            map: map.as_deref(),
            reps,
            report: report.as_deref(),
            json,
        }),
        Command::Shadow {
            scene,
            feed,
            mqtt,
            opcua,
            until_finished,
            for_wall,
            every,
            report,
            record,
            states,
            map,
            at,
            until,
            target,
            reps,
            replication,
            what_if,
            json,
        } => match (feed, at) {
            (Some(feed), Some(at)) => shadow::shadow_cmd(&shadow::ShadowArgs {
                scene: &scene,
                feed: &feed,
                map: map.as_deref(),
                at: &at,
                until: &until,
                target,
                reps,
                replication,
                what_ifs: &what_if,
                json,
            }),
            (Some(_), None) => fail(&Diagnostic::new(
                "shadow --feed FILE needs --at TIME: the moment of the plant's state",
            )),
            (None, _) => live::monitor_cmd(&live::MonitorArgs {
                mqtt: mqtt.as_deref(),
                opcua: &opcua,
                line: None,
                scene: Some(&scene),
                map: map.as_deref(),
                record: record.as_deref(),
                for_wall: for_wall.as_deref(),
                until_finished,
                window: "1h",
                every: &every,
                json,
                report: report.as_deref(),
                ca: None,
                from_states: states,
                propose: None,
                forecast: Some((&until, target, reps, &what_if)),
                keep: "7d",
            }),
        },
        Command::Serve {
            scene,
            mqtt,
            opcua,
            mqtt_ca,
            speed,
            until,
            line,
            replication,
            switch_at,
            switch_to,
            wait_for_client,
        } => live::serve_cmd(&live::ServeArgs {
            scene: &scene,
            mqtt: mqtt.as_deref(),
            opcua: &opcua,
            speed,
            until: until.as_deref(),
            line: line.as_deref(),
            replication,
            ca: mqtt_ca.as_deref(),
            switch_at: switch_at.as_deref(),
            switch_to: switch_to.as_deref(),
            wait_for_client,
        }),
        Command::Monitor {
            mqtt,
            opcua,
            mqtt_ca,
            line,
            scene,
            map,
            record,
            for_wall,
            until_finished,
            window,
            every,
            json,
            report,
            states,
            propose,
            keep,
        } => live::monitor_cmd(&live::MonitorArgs {
            mqtt: mqtt.as_deref(),
            opcua: &opcua,
            line: line.as_deref(),
            scene: scene.as_deref(),
            map: map.as_deref(),
            record: record.as_deref(),
            for_wall: for_wall.as_deref(),
            until_finished,
            window: &window,
            every: &every,
            json,
            report: report.as_deref(),
            ca: mqtt_ca.as_deref(),
            from_states: states,
            propose: propose.as_deref(),
            forecast: None,
            keep: &keep,
        }),
        Command::View {
            scene,
            speed,
            screenshot,
            at,
            size,
            top,
            physics,
            exit_after,
            window_screenshot,
            offscreen,
            live,
            live_options,
        } => match live {
            Some(url) => view::view_live(
                &scene,
                &url,
                &live_options,
                &size,
                offscreen,
                exit_after,
                window_screenshot.as_deref(),
            ),
            None => view::view(
                &scene,
                speed,
                screenshot.as_deref(),
                at.as_deref(),
                &size,
                (top, physics, offscreen),
                exit_after,
                window_screenshot.as_deref(),
            ),
        },
        Command::Bench { stations, .. } if stations.contains(&0) => fail(&Diagnostic::new(
            "--stations takes line lengths of at least 1",
        )),
        Command::Bench {
            json,
            quick,
            repeats,
            scaling: true,
            reps,
            ..
        } => bench::scaling_cmd(json, quick, repeats, reps),
        Command::Bench {
            json,
            quick,
            stations,
            scale: true,
            chart,
            ..
        } => bench::scale_cmd(json, quick, stations, chart.as_deref()),
        Command::Bench {
            json,
            quick,
            stations,
            repeats,
            python,
            simpy_script,
            no_simpy,
            peers,
            cimba_script,
            nexosim,
            horizon,
            scaling: false,
            scale: false,
            chart: _,
            reps: _,
        } => {
            if horizon.is_some_and(|h| !(h.is_finite() && h > 0.0)) {
                return fail(&Diagnostic::new(
                    "--horizon must be a positive number of seconds",
                ));
            }
            let nexosim = nexosim.unwrap_or_else(|| {
                std::env::var_os("CARGO_TARGET_DIR")
                    .map_or_else(|| PathBuf::from("bench/nexosim_line/target"), PathBuf::from)
                    .join("release/nexosim_line")
            });
            bench::bench_cmd(bench::BenchArgs {
                json,
                quick,
                stations,
                repeats,
                horizon,
                peers: peers
                    .into_iter()
                    .filter(|p| !(p.is_empty() || no_simpy && p == "simpy"))
                    .collect(),
                setup: crate::bench::PeerSetup {
                    python,
                    simpy_script,
                    cimba_script,
                    nexosim,
                },
            })
        }
    }
}

/// Writes to stdout; a closed pipe ends the process quietly (exit 0, as the
/// reader asked for no more), any other write error with exit 3.
pub fn write_stdout(text: &str) {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    if let Err(e) = o.write_all(text.as_bytes()).and_then(|()| o.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("cannot write to standard output: {e}");
        std::process::exit(EXIT_INTERNAL);
    }
}

fn fail(d: &Diagnostic) -> i32 {
    eprint!("{d}");
    EXIT_USER_ERROR
}

/// The exit code for an experiment that did not finish.
fn run_failed(e: RunError, file: Option<&Path>) -> i32 {
    match e {
        RunError::Input(d) => fail(&match file {
            Some(f) if d.file.is_none() => d.in_file(f),
            _ => d,
        }),
        e @ RunError::Internal(_) => {
            eprintln!("{e}");
            EXIT_INTERNAL
        }
        RunError::Stopped => {
            eprintln!("stopped before any replication finished; nothing written");
            EXIT_STOPPED
        }
    }
}

/// Checks `--reps`/`--threads`, installs the Ctrl-C handler and builds the options.
fn options(reps: &RepOptions, min_reps: u32, event_log: bool) -> Result<Options, i32> {
    if let Some(r) = reps.reps
        && r < min_reps
    {
        return Err(fail(&Diagnostic::new(if min_reps == 1 {
            "--reps must be at least 1".to_string()
        } else {
            format!("--reps must be at least {min_reps}: a paired interval needs two replications")
        })));
    }
    if reps.threads == Some(0) {
        return Err(fail(&Diagnostic::new("--threads must be at least 1")));
    }
    experiment::stop_on_ctrl_c();
    Ok(Options {
        replications: reps.reps,
        threads: reps.threads,
        event_log,
        // A progress bar only where a person watches (stderr is a terminal).
        progress: std::io::stderr().is_terminal(),
        held: None,
    })
}

/// The files an experiment writes besides its terminal output.
#[derive(Clone, Copy, Debug)]
pub(super) struct Files<'a> {
    pub csv: Option<&'a Path>,
    pub report: Option<&'a Path>,
    pub xlsx: Option<&'a Path>,
    pub csv_bom: bool,
}

/// Writes a workbook, or says which one could not be written.
fn write_workbook(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<(), rust_xlsxwriter::XlsxError>,
) -> Result<(), i32> {
    write(path).map_err(|e| {
        fail(&Diagnostic::new(format!(
            "cannot write the workbook {}: {e}",
            path.display()
        )))
    })
}

/// Writes an output file, or says which one could not be written.
fn write_file(path: &Path, what: &str, text: &str) -> Result<(), i32> {
    std::fs::write(path, text).map_err(|e| {
        fail(&Diagnostic::new(format!(
            "cannot write the {what} {}: {e}",
            path.display()
        )))
    })
}

/// Writes a report: a PDF laid out from the HTML when the file name ends in
/// `.pdf`, the HTML itself otherwise.
fn write_report(path: &Path, html: &str) -> Result<(), i32> {
    let is_pdf = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    if !is_pdf {
        return write_file(path, "report", html);
    }
    let bytes = crate::report::pdf::from_html(html).map_err(|m| {
        fail(&Diagnostic::new(format!(
            "cannot make the PDF report {}: {m}",
            path.display()
        )))
    })?;
    std::fs::write(path, bytes).map_err(|e| {
        fail(&Diagnostic::new(format!(
            "cannot write the report {}: {e}",
            path.display()
        )))
    })
}

/// After the outputs are written: 130 if a stop cut the work short.
fn done(finished: u32, requested: u32) -> i32 {
    if experiment::stop_requested() || finished < requested {
        eprintln!(
            "stopped: {finished} of {requested} replications finished; the output covers those"
        );
        EXIT_STOPPED
    } else {
        0
    }
}
