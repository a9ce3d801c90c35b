#!/usr/bin/python3
"""PyTorch reference of simclr-ts's bench model: a measuring stick for bench/train.ts, not
part of the product.

The same network as bench/benchModel.ts (src/models/resnet.ts + projectionHead.ts): ResNet-18,
CIFAR stem (3x3 s1, no max-pool), width 0.25 (16/32/64/128 channels), BN eps 1e-5 and
moving-average decay 0.9 (PyTorch momentum 0.1), last BN of each residual branch at gamma 0;
head 128 -> dense (no bias) -> BN -> ReLU -> dense (bias) -> 64. NT-Xent (tau 0.5) over the
2B views, LARS as src/optim/lars.ts, channels-last. Inputs are synthetic random views: no
augmentation is done or timed here (simclr-ts's figures include its augmentation worker).

Prints one JSON line. Exit 3 (with a JSON error) when torch is not importable.
Run with Debian's python3-torch: /usr/bin/python3 bench/pytorch/simclr_bench.py --batch-size 256
"""
import argparse
import json
import os
import re
import resource
import statistics
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as err:
    print(json.dumps({"error": f"torch is not importable by {sys.executable}: {err}"}))
    sys.exit(3)

WIDTH = 0.25
IMAGE_SIZE = 32
PROJ_DIM = 64
TEMPERATURE = 0.5
LR = 0.1  # bench/train.ts passes lr 0.1 to every step
INFERENCE_CHUNK = 512


def channels(base):
    return max(1, round(base * WIDTH))


def bn2d(c, zero_gamma=False):
    # tfjs momentum 0.9 = decay of the moving average; PyTorch's momentum is 1 - decay.
    bn = nn.BatchNorm2d(c, eps=1e-5, momentum=0.1)
    if zero_gamma:
        nn.init.zeros_(bn.weight)
    return bn


def conv(ci, co, k, stride):
    c = nn.Conv2d(ci, co, k, stride, padding=k // 2, bias=False)
    nn.init.kaiming_normal_(c.weight, nonlinearity="relu")  # tfjs heNormal
    return c


class BasicBlock(nn.Module):
    def __init__(self, ci, co, stride):
        super().__init__()
        self.conv1, self.bn1 = conv(ci, co, 3, stride), bn2d(co)
        self.conv2, self.bn2 = conv(co, co, 3, 1), bn2d(co, zero_gamma=True)
        self.shortcut = (
            nn.Sequential(conv(ci, co, 1, stride), bn2d(co)) if stride != 1 or ci != co else nn.Identity()
        )

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + self.shortcut(x))


class Encoder(nn.Module):
    """ResNet-18 to h after global average pooling (128 features at width 0.25)."""

    def __init__(self):
        super().__init__()
        stem = channels(64)
        layers = [conv(3, stem, 3, 1), bn2d(stem), nn.ReLU()]
        ci = stem
        for stage, base in enumerate([64, 128, 256, 512]):
            co = channels(base)
            for b in range(2):
                layers.append(BasicBlock(ci, co, 2 if b == 0 and stage > 0 else 1))
                ci = co
        self.body = nn.Sequential(*layers)
        self.feature_dim = ci

    def forward(self, x):
        return self.body(x).mean(dim=(2, 3))


def projection_head(dim):
    first, last = nn.Linear(dim, dim, bias=False), nn.Linear(dim, PROJ_DIM)
    for layer in (first, last):
        nn.init.xavier_uniform_(layer.weight)  # tfjs glorotUniform
    nn.init.zeros_(last.bias)
    return nn.Sequential(first, nn.BatchNorm1d(dim, eps=1e-5, momentum=0.1), nn.ReLU(), last)


def nt_xent(z, temperature):
    """Mean over 2N anchors of -log softmax of the positive, self excluded (as src/losses/ntXent.ts)."""
    n2 = z.shape[0]
    z = F.normalize(z, dim=1)
    logits = (z @ z.t()) / temperature
    self_mask = torch.eye(n2, dtype=torch.bool)
    logits = logits.masked_fill(self_mask, -1e9)
    positive = (torch.arange(n2) + n2 // 2) % n2
    return F.cross_entropy(logits, positive), logits, positive


class Lars:
    """src/optim/lars.ts: g += wd*w; ratio = eta*|w|/|g| (1 if either is 0); v = m*v + lr*ratio*g;
    w -= v. BN parameters and biases (the 1-D tensors here) get plain momentum SGD, no decay."""

    def __init__(self, params, momentum=0.9, weight_decay=1e-6, eta=0.001):
        self.params = list(params)
        self.velocity = [torch.zeros_like(p) for p in self.params]
        self.momentum, self.weight_decay, self.eta = momentum, weight_decay, eta

    @torch.no_grad()
    def step(self, lr):
        for p, v in zip(self.params, self.velocity):
            g = p.grad
            if p.ndim > 1:
                g = g.add(p, alpha=self.weight_decay)
                w_norm, g_norm = torch.linalg.vector_norm(p), torch.linalg.vector_norm(g)
                ratio = torch.where((w_norm > 0) & (g_norm > 0), self.eta * w_norm / g_norm, torch.ones_like(w_norm))
                v.mul_(self.momentum).add_(g * (ratio * lr))
            else:
                v.mul_(self.momentum).add_(g, alpha=lr)
            p.sub_(v)

    def zero_grad(self):
        for p in self.params:
            p.grad = None


def forward_flops(encoder, head):
    """2 x multiply-adds of every conv and dense layer for one view, as bench/benchModel.ts counts."""
    flops = 0

    def count(module, _inputs, output):
        nonlocal flops
        per_output = module.weight[0].numel()  # ci*kh*kw (conv) or in_features (dense)
        flops += 2 * (output.numel() // output.shape[0]) * per_output

    hooks = [m.register_forward_hook(count) for m in [*encoder.modules(), *head.modules()] if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        encoder.eval(), head.eval()
        head(encoder(torch.zeros(1, 3, IMAGE_SIZE, IMAGE_SIZE)))
    for h in hooks:
        h.remove()
    return flops


def parameter_counts(module):
    trainable = sum(p.numel() for p in module.parameters())
    running = sum(b.numel() for name, b in module.named_buffers() if name.endswith(("running_mean", "running_var")))
    return {"trainable": trainable, "total": trainable + running}


def random_views(n):
    return torch.rand(n, 3, IMAGE_SIZE, IMAGE_SIZE).contiguous(memory_format=torch.channels_last)


def train_rate(encoder, head, batch_size, steps, warmup):
    optimizer = Lars([*encoder.parameters(), *head.parameters()])
    encoder.train(), head.train()
    x = random_views(2 * batch_size)
    seconds = []
    for t in range(warmup + steps):
        t0 = time.perf_counter()
        optimizer.zero_grad()
        loss, logits, positive = nt_xent(head(encoder(x)), TEMPERATURE)
        loss.backward()
        optimizer.step(LR)
        # simclr-ts reads the loss and its top-1 statistic every step: so does this.
        top1 = (logits.detach().argmax(1) == positive).float().mean()
        if not torch.isfinite(loss).item():
            raise RuntimeError(f"step {t}: non-finite loss")
        top1.item()
        if t >= warmup:
            seconds.append(time.perf_counter() - t0)
    return seconds


@torch.no_grad()
def inference_rate(encoder, views):
    """Encoder forward in eval mode, as bench/train.ts: one warm-up pass, median of three."""
    encoder.eval()
    chunk = min(views, INFERENCE_CHUNK)
    x = random_views(chunk)

    def once():
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(0, views, chunk):
            encoder(x)
        return time.perf_counter() - t0, time.process_time() - c0

    once()
    runs = [once(), once(), once()]
    # Wall time, and this process's CPU time (on a loaded machine the wait for a core inflates
    # the first; with one thread the second measures the code).
    return views / statistics.median(r[0] for r in runs), views / statistics.median(r[1] for r in runs)


def onednn_version():
    match = re.search(r"MKL-DNN v([\w.]+)", torch.__config__.show())
    return match.group(1) if match else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch-size", type=int, default=256, help="images per step (2B views)")
    parser.add_argument("--steps", type=int, default=5, help="timed steps")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)), help="default: every core")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    encoder = Encoder().to(memory_format=torch.channels_last)
    head = projection_head(encoder.feature_dim)
    flops_per_view = forward_flops(encoder, head)
    seconds = train_rate(encoder, head, args.batch_size, args.steps, args.warmup)
    step = statistics.median(seconds)
    inference, inference_cpu = inference_rate(encoder, min(2 * args.batch_size, 2048))
    enc, hd = parameter_counts(encoder), parameter_counts(head)
    print(json.dumps({
        "framework": "pytorch",
        "torch": torch.__version__,
        "onednn": onednn_version(),
        "mkldnn_enabled": torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled,
        "threads": torch.get_num_threads(),
        "batch_size": args.batch_size,
        "steps": args.steps,
        "warmup": args.warmup,
        "step_seconds": [round(s, 4) for s in seconds],
        "median_step_seconds": step,
        "images_per_second": args.batch_size / step,
        "forward_mflop_per_view": flops_per_view / 1e6,
        "gflops": 3 * flops_per_view * 2 * args.batch_size / step / 1e9,
        "inference_images_per_second": inference,
        "inference_images_per_cpu_second": inference_cpu,
        "parameters": {
            "encoder": enc["trainable"],
            "head": hd["trainable"],
            "with_bn_statistics": enc["total"] + hd["total"],
        },
        "peak_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2,  # ru_maxrss is in KiB
        "inputs": "synthetic random views, channels-last; no augmentation",
    }))


if __name__ == "__main__":
    main()
