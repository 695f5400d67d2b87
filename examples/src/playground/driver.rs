//! The training thread: it owns the [`Session`] (tensors are not `Send`),
//! takes commands from the server's threads over a channel, trains while
//! playing, and publishes a snapshot to the [`Hub`] after every frame.

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::backprop::BackpropView;
use super::config::{Config, TaskKind};
use super::data::{PlaneData, Upload, parse_upload};
use super::session::Session;

/// Time between two frames while playing: 40 updates per second at most.
pub const FRAME: Duration = Duration::from_millis(25);

/// The latest snapshot, numbered, for any number of readers.
#[derive(Default)]
pub struct Hub {
    latest: Mutex<(u64, Arc<String>)>,
    changed: Condvar,
}

impl Hub {
    /// Replaces the snapshot and wakes every waiting reader.
    pub fn publish(&self, json: String) {
        let mut latest = self.latest.lock().unwrap_or_else(|e| e.into_inner());
        *latest = (latest.0 + 1, Arc::new(json));
        self.changed.notify_all();
    }

    /// The latest snapshot and its number.
    pub fn latest(&self) -> (u64, Arc<String>) {
        self.latest
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Waits until a snapshot newer than `seen` is published, at most
    /// `timeout`; returns it, or `None` on timeout.
    pub fn wait_newer(&self, seen: u64, timeout: Duration) -> Option<(u64, Arc<String>)> {
        let guard = self.latest.lock().unwrap_or_else(|e| e.into_inner());
        let (guard, _) = self
            .changed
            .wait_timeout_while(guard, timeout, |latest| latest.0 <= seen)
            .unwrap_or_else(|e| e.into_inner());
        (guard.0 > seen).then(|| guard.clone())
    }
}

/// What the page asks of the training thread.
pub enum Command {
    /// Start a new run with this configuration.
    Configure(Config, Sender<Result<(), String>>),
    /// Use this file as the upload task's data (and start a run on it).
    Upload(Upload, Sender<Result<(), String>>),
    /// Play, pause, step or reset; answered once the page's next snapshot
    /// shows the result.
    Control(Control, Sender<()>),
    /// Pause and take one step slowly: its trace and update split, in JSON.
    Backprop(Sender<Result<String, String>>),
    /// The model file of the network, in JSON.
    Export(Sender<Result<Vec<u8>, String>>),
    /// The data points `[x0, x1, target]` of both sets, in JSON.
    Points(Sender<String>),
}

/// What the transport buttons ask.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Control {
    /// Train continuously.
    Play,
    /// Stop training.
    Pause,
    /// Take one step (and pause).
    Step,
    /// Start the current configuration afresh.
    Reset,
}

/// The handle the server keeps: the command channel and the hub.
#[derive(Clone)]
pub struct Driver {
    commands: Sender<Command>,
    hub: Arc<Hub>,
}

impl Driver {
    /// Starts the training thread on the default configuration.
    pub fn start() -> Self {
        let (commands, inbox) = channel();
        let hub = Arc::new(Hub::default());
        let publisher = Arc::clone(&hub);
        thread::Builder::new()
            .name("playground-training".into())
            .spawn(move || run(inbox, &publisher))
            .expect("the training thread starts");
        // The first snapshot is there before anyone can ask for it.
        hub.wait_newer(0, Duration::from_secs(60))
            .expect("the training thread publishes its first snapshot");
        Self { commands, hub }
    }

    /// The snapshots.
    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    /// Sends `command`; false when the training thread is gone.
    pub fn send(&self, command: Command) -> bool {
        self.commands.send(command).is_ok()
    }
}

/// The state of the training thread.
struct Trainer {
    session: Session,
    upload: Option<PlaneData>,
    playing: bool,
    /// Counts the sessions started.
    run: u64,
}

impl Trainer {
    fn publish(&self, hub: &Hub) {
        let snapshot = self.session.snapshot(self.run, self.playing);
        hub.publish(serde_json::to_string(&snapshot).expect("a snapshot serializes"));
    }

    /// Starts a run of `config`, keeping the current one on an error.
    fn configure(&mut self, config: Config) -> Result<(), String> {
        config.validate().map_err(|e| e.to_string())?;
        self.session = Session::new(config, self.upload.as_ref()).map_err(|e| e.to_string())?;
        self.run += 1;
        Ok(())
    }

    /// Handles one command. A command that changes what the page shows
    /// publishes a snapshot before it answers, so that whoever asked sees
    /// the change in the next snapshot it reads.
    fn handle(&mut self, command: Command, hub: &Hub) {
        match command {
            Command::Configure(config, reply) => {
                let result = self.configure(config);
                self.publish(hub);
                let _ = reply.send(result);
            }
            Command::Upload(upload, reply) => {
                let result = parse_upload(&upload)
                    .map_err(|e| e.to_string())
                    .and_then(|plane| {
                        let previous = self.upload.replace(plane);
                        let config = Config {
                            task: TaskKind::Upload,
                            ..self.session.config().clone()
                        };
                        self.configure(config)
                            .inspect_err(|_| self.upload = previous)
                    });
                self.publish(hub);
                let _ = reply.send(result);
            }
            Command::Control(control, reply) => {
                match control {
                    Control::Play => self.playing = true,
                    Control::Pause => self.playing = false,
                    Control::Step => {
                        self.playing = false;
                        self.session.train(1);
                    }
                    Control::Reset => {
                        let config = self.session.config().clone();
                        // The configuration was valid when it was set.
                        if let Ok(session) = Session::new(config, self.upload.as_ref()) {
                            self.session = session;
                            self.run += 1;
                        }
                    }
                }
                self.publish(hub);
                let _ = reply.send(());
            }
            Command::Backprop(reply) => {
                self.playing = false;
                let view = self.session.backprop_step().map(|v: BackpropView| {
                    serde_json::to_string(&v).expect("a backprop view serializes")
                });
                self.publish(hub);
                let _ = reply.send(view.map_err(|e| e.to_string()));
            }
            Command::Export(reply) => {
                let _ = reply.send(self.session.export().map_err(|e| e.to_string()));
            }
            Command::Points(reply) => {
                let _ = reply.send(points_json(&self.session));
            }
        }
    }
}

/// The training thread's loop: while playing, one frame of training per
/// [`FRAME`] with the commands handled between frames; while paused, it
/// sleeps until a command comes.
fn run(inbox: Receiver<Command>, hub: &Hub) {
    let mut trainer = Trainer {
        session: Session::new(Config::default(), None).expect("the default configuration is valid"),
        upload: None,
        playing: false,
        run: 0,
    };
    trainer.publish(hub);
    let mut next_frame = Instant::now();
    loop {
        // Frames first, so that a stream of commands cannot starve training.
        if trainer.playing && Instant::now() >= next_frame {
            let steps = trainer.session.config().steps_per_frame;
            trainer.session.train(steps);
            trainer.publish(hub);
            // A fixed cadence: the time a frame takes comes out of the
            // wait, and a late frame does not make the next one early.
            next_frame = (next_frame + FRAME).max(Instant::now());
        }
        let wait = if trainer.playing {
            next_frame.saturating_duration_since(Instant::now())
        } else {
            Duration::from_secs(3600)
        };
        match inbox.recv_timeout(wait) {
            Ok(command) => trainer.handle(command, hub),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// The points of both sets as `{"train": [[x0, x1, y], …], "test": …}`
/// (the two plane coordinates and the target).
fn points_json(session: &Session) -> String {
    use sparsegrad::nn::data::{Dataset, Targets};
    let rows = |set: &Dataset<f64>| -> Vec<[f64; 3]> {
        let x = set.features();
        (0..set.len())
            .map(|i| {
                let y = match set.targets() {
                    Targets::Classification(labels) => labels[i] as f64,
                    Targets::Regression(values) => values[[i, 0]],
                };
                [x[[i, 0]], x[[i, 1]], y]
            })
            .collect()
    };
    let data = session.data();
    serde_json::json!({ "train": rows(&data.train), "test": rows(&data.test) }).to_string()
}
