//! The benchmark workloads in candle (CPU, f32), printing the same JSON lines
//! as `throughput` and torch_mlp.py: one step is zero the gradients (candle
//! makes a fresh gradient store per backward), forward, loss (MSE or softmax
//! cross-entropy), backward, SGD update, on one batch generated once.

#[path = "../../rust_common/peer.rs"]
mod peer;

use candle_core::{DType, Device, Module, Result, Tensor, Var};
use candle_nn::Linear;
use peer::{Args, Rng, Spec};

/// One layer's parameters and their momentum buffers.
struct Layer {
    w: Var,
    b: Var,
    vw: Option<Tensor>,
    vb: Option<Tensor>,
}

/// SGD with classic momentum and L2, PyTorch's rule: g = ∇ + λw (weights
/// only), v ← μv + g (v = g on the first step), w ← w − lr·v; with μ = 0,
/// w ← w − lr·g.
fn sgd(
    param: &Var,
    grad: &Tensor,
    velocity: &mut Option<Tensor>,
    spec: &Spec,
    l2: f32,
) -> Result<()> {
    let w = param.as_tensor().detach();
    let g = if l2 > 0.0 {
        (grad + (&w * l2 as f64)?)?
    } else {
        grad.clone()
    };
    let step = if spec.momentum > 0.0 {
        let v = match velocity.take() {
            Some(v) => ((v * spec.momentum as f64)? + g)?,
            None => g,
        };
        *velocity = Some(v.clone());
        v
    } else {
        g
    };
    param.set(&(w - (step * spec.lr as f64)?)?)
}

/// The step runner of one workload.
fn build(spec: &Spec, seed: u64) -> Result<impl FnMut(usize) -> f32 + '_> {
    let dev = Device::Cpu;
    let mut rng = Rng::new(seed);
    // PyTorch's nn.Linear init scale: uniform in ±1/√fan_in
    let mut layers = spec
        .sizes
        .windows(2)
        .map(|w| {
            let bound = 1.0 / (w[0] as f32).sqrt();
            Ok(Layer {
                w: Var::from_vec(rng.uniform(w[0] * w[1], bound), (w[1], w[0]), &dev)?,
                b: Var::from_vec(rng.uniform(w[1], bound), w[1], &dev)?,
                vw: None,
                vb: None,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let (n_in, n_out) = (spec.sizes[0], *spec.sizes.last().unwrap());
    let x = Tensor::from_vec(rng.normal(spec.batch * n_in), (spec.batch, n_in), &dev)?;
    let y = if spec.classify {
        Tensor::from_vec(rng.labels(spec.batch, n_out), spec.batch, &dev)?
    } else {
        Tensor::from_vec(rng.normal(spec.batch * n_out), (spec.batch, n_out), &dev)?
    };
    let mut step = move || -> Result<f32> {
        let mut h = x.clone();
        for (i, l) in layers.iter().enumerate() {
            h = Linear::new(l.w.as_tensor().clone(), Some(l.b.as_tensor().clone())).forward(&h)?;
            if i + 1 < layers.len() {
                h = if spec.tanh { h.tanh()? } else { h.relu()? };
            }
        }
        let loss = if spec.classify {
            candle_nn::loss::cross_entropy(&h, &y)?
        } else {
            candle_nn::loss::mse(&h, &y)?
        };
        let grads = loss.backward()?;
        for l in &mut layers {
            sgd(&l.w, grads.get(&l.w).unwrap(), &mut l.vw, spec, spec.l2)?;
            sgd(&l.b, grads.get(&l.b).unwrap(), &mut l.vb, spec, 0.0)?;
        }
        loss.to_dtype(DType::F32)?.to_scalar::<f32>()
    };
    Ok(move |steps| {
        let mut loss = f32::NAN;
        for _ in 0..steps {
            loss = step().expect("a candle step");
        }
        loss
    })
}

fn main() -> Result<()> {
    let args = Args::parse();
    peer::set_threads(args.threads);
    for spec in &args.workloads {
        let run = build(spec, args.seed)?;
        peer::measure("candle", env!("PEER_VERSION"), spec, args.threads, run);
    }
    Ok(())
}
