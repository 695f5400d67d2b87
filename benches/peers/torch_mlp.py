#!/usr/bin/env python3
"""The benchmark workloads in PyTorch (eager), printing the same JSON lines as
`cargo run --release --bin throughput`, for a side-by-side comparison.

    python3 -m venv /tmp/torch-venv && /tmp/torch-venv/bin/pip install torch
    /tmp/torch-venv/bin/python benches/peers/torch_mlp.py --workloads W1,W2,W3,W4 --threads 1

Keep the virtual environment outside the repository. One step is: zero the
gradients, forward, loss, backward, optimizer update, on one batch generated
once (inputs and MSE targets from a standard normal, class labels uniform in
0..10); weight decay applies to weights only, as in sparsegrad's workloads.
"""

import torch
import torch.nn.functional as F
from common import parse_args, run_all

WORKLOADS = {
    #     sizes                 activation  batch  classify  lr    momentum  l2
    "W1": ([2, 16, 16, 1], torch.tanh, 32, False, 0.01, 0.0, 0.0),
    "W2": ([100, 64, 64, 1], torch.relu, 64, False, 0.01, 0.0, 1e-4),
    "W3": ([784, 256, 128, 10], torch.relu, 128, True, 0.01, 0.9, 5e-4),
    "W4": ([1024, 1024, 1024, 10], torch.relu, 256, True, 0.01, 0.9, 0.0),
}


def build(name, seed):
    sizes, act, batch, classify, lr, momentum, l2 = WORKLOADS[name]
    torch.manual_seed(seed)
    layers = [torch.nn.Linear(a, b) for a, b in zip(sizes, sizes[1:])]
    model = torch.nn.ModuleList(layers)
    x = torch.randn(batch, sizes[0])
    y = torch.randint(0, sizes[-1], (batch,)) if classify else torch.randn(batch, sizes[-1])
    weights = [l.weight for l in layers]
    biases = [l.bias for l in layers]
    opt = torch.optim.SGD(
        [{"params": weights, "weight_decay": l2}, {"params": biases, "weight_decay": 0.0}],
        lr=lr,
        momentum=momentum,
    )

    def run(steps):
        loss = None
        for _ in range(steps):
            opt.zero_grad()
            h = x
            for i, layer in enumerate(layers):
                h = layer(h)
                if i < len(layers) - 1:
                    h = act(h)
            loss = F.cross_entropy(h, y) if classify else F.mse_loss(h, y)
            loss.backward()
            opt.step()
        return loss.item()

    flops = 6 * batch * sum(a * b for a, b in zip(sizes, sizes[1:]))
    return run, flops


def main():
    args = parse_args(__doc__)
    torch.set_num_threads(args.threads)
    run_all("pytorch", torch.__version__, build, args)


if __name__ == "__main__":
    main()
