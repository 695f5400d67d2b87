//! One run of the playground: the data, the network, its optimizer and
//! what has happened so far. It lives on the training thread (tensors are
//! not `Send`); the server sees only what [`snapshot`](Session::snapshot),
//! [`backprop_step`](Session::backprop_step) and
//! [`export`](Session::export) return.

use rand::SeedableRng;
use rand::rngs::StdRng;
use sparsegrad::autograd::{Graph, Tensor};
use sparsegrad::io::model_file::{FromMlpError, ModelFile};
use sparsegrad::nn::activation::Activation;
use sparsegrad::nn::clip::Clip;
use sparsegrad::nn::data::{Batch, MiniBatches, Targets};
use sparsegrad::nn::mlp::Mlp;
use sparsegrad::nn::module::Module;
use sparsegrad::nn::optim::OptimError;
use sparsegrad::nn::train::{data_loss, evaluate_loss, train_step};

use super::backprop::{BackpropView, backprop_view};
use super::config::{ActivationKind, Config};
use super::data::{PlaneData, RunData, UploadError, run_data};
use super::optimizer::{RunOptimizer, build, step_with_split};
use super::snapshot::{LossHistory, Snapshot, snapshot};

/// Why a run cannot start.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The data cannot be made.
    #[error("data: {0}")]
    Data(#[from] UploadError),
    /// The optimizer refused its settings.
    #[error("optimizer: {0}")]
    Optimizer(#[from] OptimError),
}

/// The state of one run.
pub struct Session {
    config: Config,
    data: RunData,
    model: Mlp<f64>,
    optimizer: RunOptimizer,
    /// Shuffles the mini-batches, seeded from the config.
    rng: StdRng,
    /// The batches of the current epoch still to take, last first.
    pending: Vec<Vec<usize>>,
    batches: MiniBatches,
    batch: Batch<f64>,
    steps: u64,
    losses: LossHistory,
}

impl Session {
    /// A fresh run of `config` on generated data, or on `upload` when the
    /// task is `upload`.
    ///
    /// # Errors
    /// No upload for an upload task; an optimizer setting refused.
    pub fn new(config: Config, upload: Option<&PlaneData>) -> Result<Self, SessionError> {
        let data = run_data(&config, upload)?;
        // The weights and the batches have their own streams of the seed,
        // so that changing the data does not change the initial weights.
        let mut init = StdRng::seed_from_u64(config.seed.wrapping_add(1));
        let mut sizes = vec![data.train.n_features()];
        sizes.extend(&config.hidden);
        sizes.push(match data.train.targets() {
            Targets::Classification(_) => 2,
            Targets::Regression(_) => 1,
        });
        let activation = match config.activation {
            ActivationKind::Tanh => Activation::Tanh,
            ActivationKind::Relu => Activation::Relu,
            ActivationKind::Sigmoid => Activation::Sigmoid,
        };
        let model = Mlp::new(&sizes, activation, &mut init);
        let optimizer = build(&config, &model)?;
        let batches = MiniBatches::new(data.train.len(), config.batch_size.min(data.train.len()));
        let mut session = Self {
            rng: StdRng::seed_from_u64(config.seed.wrapping_add(2)),
            config,
            data,
            model,
            optimizer,
            pending: Vec::new(),
            batches,
            batch: Batch::default(),
            steps: 0,
            losses: LossHistory::default(),
        };
        session.record_losses();
        Ok(session)
    }

    /// The configuration of the run.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The run's data.
    pub fn data(&self) -> &RunData {
        &self.data
    }

    /// The network.
    pub fn model(&self) -> &Mlp<f64> {
        &self.model
    }

    /// Optimizer steps taken.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The next mini-batch as an input tensor and its targets.
    fn next_batch(&mut self) -> (Tensor<f64>, Targets<f64>) {
        if self.pending.is_empty() {
            self.pending = self
                .batches
                .shuffled(&mut self.rng)
                .map(<[usize]>::to_vec)
                .collect();
            self.pending.reverse();
        }
        let indices = self.pending.pop().expect("an epoch has a batch");
        self.data.train.batch_into(&indices, &mut self.batch);
        (
            Tensor::new(self.batch.features.clone()),
            self.batch.targets.clone(),
        )
    }

    /// Takes `n` optimizer steps, then records the losses.
    pub fn train(&mut self, n: usize) {
        for _ in 0..n {
            let (x, targets) = self.next_batch();
            train_step(
                &self.model,
                self.optimizer.get_mut(),
                &x,
                &targets,
                Clip::None,
            );
            self.steps += 1;
        }
        self.record_losses();
    }

    /// Appends the current train and test losses to the history.
    fn record_losses(&mut self) {
        let train = evaluate_loss(&self.model, &self.data.train);
        let test = evaluate_loss(&self.model, &self.data.test);
        self.losses.push(self.steps, train, test);
    }

    /// One step taken slowly: its graph, the trace of its backward pass
    /// and every parameter's update split into its parts.
    ///
    /// # Errors
    /// When the update cannot be split (see [`step_with_split`]).
    pub fn backprop_step(&mut self) -> Result<BackpropView, OptimError> {
        let (x, targets) = self.next_batch();
        self.optimizer.get_mut().zero_grad();
        let loss = data_loss(&self.model.forward(&x), &targets);
        let graph = Graph::of(&loss);
        for node in graph.nodes.iter().filter(|t| !t.is_leaf()) {
            node.retain_grad(); // to match each trace step to its node
        }
        let value = loss.item();
        let mut names = vec![
            ("x".to_string(), x.clone()),
            ("loss".to_string(), loss.clone()),
        ];
        names.extend(self.model.named_parameters());
        let trace = loss.backward_traced();
        let updates = step_with_split(&mut self.optimizer, &self.config, &self.model)?;
        self.steps += 1;
        self.record_losses();
        Ok(backprop_view(&graph, &names, &trace, updates, value))
    }

    /// The state the page draws, for run number `run`.
    pub fn snapshot(&self, run: u64, playing: bool) -> Snapshot {
        snapshot(run, self, &self.losses, playing, self.optimizer.get())
    }

    /// The network as a model file (the format `fit` writes), in JSON.
    ///
    /// # Errors
    /// Only if the network had a layer the format cannot hold.
    pub fn export(&self) -> Result<Vec<u8>, FromMlpError> {
        let file = ModelFile::from_mlp(
            &self.model,
            self.data.train.task(),
            self.data.train.feature_names().to_vec(),
            self.data.train.target_name().to_string(),
            None,
        )?;
        Ok(file.to_json_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playground::config::{ActivationKind, OptimizerKind, TaskKind};

    /// The regression that stopped the training thread: once a network
    /// had diverged, its NaN gradients never equalled themselves and the
    /// slow step could not tie its trace to the graph.
    #[test]
    fn a_slow_step_of_a_diverged_network_is_drawn_not_a_panic() {
        let config = Config {
            task: TaskKind::Line,
            hidden: vec![16, 16, 16, 16],
            activation: ActivationKind::Relu,
            optimizer: OptimizerKind::Sgd,
            lr: 10.0,
            momentum: 0.99,
            ..Config::default()
        };
        let mut session = Session::new(config, None).unwrap();
        let mut diverged = false;
        for _ in 0..100 {
            session.train(5);
            let loss = session.backprop_step().unwrap().loss;
            diverged |= !loss.is_finite();
            if diverged {
                break;
            }
        }
        assert!(diverged, "lr 10 with momentum 0.99 should diverge");
        for _ in 0..2 {
            let view = session.backprop_step().unwrap();
            assert!(!view.loss.is_finite());
            assert_eq!(view.steps.len(), distinct_nodes(&view));
        }
    }

    /// How many distinct graph nodes the trace's steps are tied to.
    fn distinct_nodes(view: &BackpropView) -> usize {
        let mut nodes: Vec<usize> = view.steps.iter().map(|s| s.node).collect();
        nodes.sort_unstable();
        nodes.dedup();
        nodes.len()
    }
}
