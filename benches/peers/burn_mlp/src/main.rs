//! The benchmark workloads in burn (its Flex CPU backend under autodiff, f32),
//! printing the same JSON lines as `throughput` and torch_mlp.py: one step is
//! zero the gradients (burn makes a fresh gradient store per backward),
//! forward, loss (MSE or softmax cross-entropy), backward, SGD update, on one
//! batch generated once.

#[path = "../../rust_common/peer.rs"]
mod peer;

use burn::nn::loss::{CrossEntropyLossConfig, MseLoss, Reduction};
use burn::tensor::activation::{relu, tanh};
use burn::tensor::module::linear;
use burn::tensor::{Device, Int, Tensor, TensorData};
use peer::{Args, Rng, Spec};

/// One layer's parameters (on the inner, gradient-free backend, as burn's own
/// optimizers keep them) and their momentum buffers.
struct Layer {
    w: Tensor<2>,
    b: Tensor<1>,
    vw: Option<Tensor<2>>,
    vb: Option<Tensor<1>>,
}

/// SGD with classic momentum and L2, PyTorch's rule: g = ∇ + λw (weights
/// only), v ← μv + g (v = g on the first step), w ← w − lr·v; with μ = 0,
/// w ← w − lr·g. (burn's Sgd would put the decay on the biases too.)
fn sgd<const D: usize>(
    w: Tensor<D>,
    grad: Tensor<D>,
    velocity: &mut Option<Tensor<D>>,
    spec: &Spec,
    l2: f32,
) -> Tensor<D> {
    let g = if l2 > 0.0 {
        grad + w.clone() * l2
    } else {
        grad
    };
    let step = if spec.momentum > 0.0 {
        let v = match velocity.take() {
            Some(v) => v * spec.momentum + g,
            None => g,
        };
        *velocity = Some(v.clone());
        v
    } else {
        g
    };
    w - step * spec.lr
}

/// The step runner of one workload.
fn build(spec: &Spec, seed: u64) -> impl FnMut(usize) -> f32 + '_ {
    let dev = Device::flex();
    let mut rng = Rng::new(seed);
    // PyTorch's nn.Linear init scale: uniform in ±1/√fan_in; burn's weight
    // layout is [fan_in, fan_out]
    let mut layers: Vec<Layer> = spec
        .sizes
        .windows(2)
        .map(|w| {
            let bound = 1.0 / (w[0] as f32).sqrt();
            Layer {
                w: Tensor::from_data(
                    TensorData::new(rng.uniform(w[0] * w[1], bound), [w[0], w[1]]),
                    &dev,
                ),
                b: Tensor::from_data(TensorData::new(rng.uniform(w[1], bound), [w[1]]), &dev),
                vw: None,
                vb: None,
            }
        })
        .collect();
    let (n_in, n_out) = (spec.sizes[0], *spec.sizes.last().unwrap());
    let x: Tensor<2> = Tensor::from_data(
        TensorData::new(rng.normal(spec.batch * n_in), [spec.batch, n_in]),
        &dev,
    );
    let labels: Vec<i64> = rng
        .labels(spec.batch, n_out)
        .into_iter()
        .map(i64::from)
        .collect();
    let classes: Tensor<1, Int> = Tensor::from_data(TensorData::new(labels, [spec.batch]), &dev);
    let targets: Tensor<2> = Tensor::from_data(
        TensorData::new(rng.normal(spec.batch * n_out), [spec.batch, n_out]),
        &dev,
    );
    let cross_entropy = CrossEntropyLossConfig::new().init(&dev.clone().autodiff());
    let mut step = move || -> f32 {
        let params: Vec<_> = layers
            .iter()
            .map(|l| {
                (
                    l.w.clone().autodiff().require_grad(),
                    l.b.clone().autodiff().require_grad(),
                )
            })
            .collect();
        let mut h = x.clone().autodiff();
        for (i, (w, b)) in params.iter().enumerate() {
            h = linear(h, w.clone(), Some(b.clone()));
            if i + 1 < params.len() {
                h = if spec.tanh { tanh(h) } else { relu(h) };
            }
        }
        let loss = if spec.classify {
            cross_entropy.forward(h, classes.clone().autodiff())
        } else {
            MseLoss::new().forward(h, targets.clone().autodiff(), Reduction::Mean)
        };
        let mut grads = loss.backward();
        for (l, (w, b)) in layers.iter_mut().zip(&params) {
            let (gw, gb) = (
                w.grad_remove(&mut grads).unwrap(),
                b.grad_remove(&mut grads).unwrap(),
            );
            l.w = sgd(l.w.clone(), gw, &mut l.vw, spec, spec.l2);
            l.b = sgd(l.b.clone(), gb, &mut l.vb, spec, 0.0);
        }
        loss.inner().into_scalar::<f32>()
    };
    move |steps| {
        let mut loss = f32::NAN;
        for _ in 0..steps {
            loss = step();
        }
        loss
    }
}

fn main() {
    let args = Args::parse();
    peer::set_threads(args.threads);
    for spec in &args.workloads {
        peer::measure(
            "burn",
            env!("PEER_VERSION"),
            spec,
            args.threads,
            build(spec, args.seed),
        );
    }
}
