// Text exports of a run: its per-epoch metrics as CSV, and a self-contained PyTorch script that rebuilds
// the architecture with the same parameter names, so the run's checkpoint.safetensors loads into it.
import type { EpochMetricsRow, RunRecord } from '../runs/store.ts';

export function exportCsv(epochs: EpochMetricsRow[]): string {
  const head = ['epoch', 'step', 'train_loss', 'train_rec', 'train_kl', 'test_loss', 'test_rec', 'test_kl', 'images_per_second', 'seconds'];
  const rows = epochs.map((e) => [e.epoch, e.step, e.trainLoss, e.trainRec, e.trainKl, e.testLoss, e.testRec, e.testKl, e.trainImagesPerSecond, e.seconds].map((v) => String(v)).join(','));
  return `${[head.join(','), ...rows].join('\n')}\n`;
}

export function exportPytorch(run: RunRecord): string {
  const spec = JSON.stringify(run.spec, null, 2);
  return `"""${run.name} (Latent Lab run ${run.id}, data set ${run.dataset}).

Rebuilds the architecture in PyTorch with Latent Lab's parameter names; load the run's weights with
    model = SpecModel(SPEC); load_checkpoint(model, 'checkpoint.safetensors')
"""
import json, struct
import torch, torch.nn as nn

SPEC = json.loads(r'''${spec}''')


def _pair(v):
    return list(v) if isinstance(v, (list, tuple)) else [v, v]


def build_seq(layers, shape, pools):
    mods = []
    for L in layers:
        t = L['type']
        if t == 'conv2d':
            k, s, p, d = _pair(L['kernel']), _pair(L.get('stride', 1)), _pair(L.get('padding', 0)), _pair(L.get('dilation', 1))
            m = nn.Conv2d(shape[0], L['out'], k, s, p, d, bias=L.get('bias', True))
            shape = [L['out'], (shape[1] + 2 * p[0] - d[0] * (k[0] - 1) - 1) // s[0] + 1, (shape[2] + 2 * p[1] - d[1] * (k[1] - 1) - 1) // s[1] + 1]
        elif t == 'conv_transpose2d':
            k, s, p, d, op = _pair(L['kernel']), _pair(L.get('stride', 1)), _pair(L.get('padding', 0)), _pair(L.get('dilation', 1)), _pair(L.get('output_padding', 0))
            m = nn.ConvTranspose2d(shape[0], L['out'], k, s, p, op, 1, L.get('bias', True), d)
            shape = [L['out'], (shape[1] - 1) * s[0] - 2 * p[0] + d[0] * (k[0] - 1) + op[0] + 1, (shape[2] - 1) * s[1] - 2 * p[1] + d[1] * (k[1] - 1) + op[1] + 1]
        elif t == 'linear':
            m = nn.Linear(shape[0], L['out'], bias=L.get('bias', True)); shape = [L['out']]
        elif t == 'batchnorm':
            m = (nn.BatchNorm2d if len(shape) == 3 else nn.BatchNorm1d)(shape[0], eps=L.get('eps', 1e-5), momentum=L.get('momentum', 0.1))
        elif t == 'maxpool2d':
            k, s, p = _pair(L['kernel']), _pair(L.get('stride', L['kernel'])), _pair(L.get('padding', 0))
            m = nn.MaxPool2d(k, s, p, return_indices=True); pools.append(list(shape))
            shape = [shape[0], (shape[1] + 2 * p[0] - k[0]) // s[0] + 1, (shape[2] + 2 * p[1] - k[1]) // s[1] + 1]
        elif t == 'maxunpool2d':
            k, s, p = _pair(L['kernel']), _pair(L.get('stride', L['kernel'])), _pair(L.get('padding', 0))
            m = nn.MaxUnpool2d(k, s, p); shape = [shape[0]] + pools.pop()[1:]
        elif t == 'flatten':
            m = nn.Flatten(); n = 1
            for v in shape: n *= v
            shape = [n]
        elif t == 'reshape':
            m = nn.Unflatten(1, tuple(L['shape'])); shape = list(L['shape'])
        else:
            m = {'relu': lambda: nn.ReLU(), 'leaky_relu': lambda: nn.LeakyReLU(L.get('negative_slope', 0.01)), 'sigmoid': lambda: nn.Sigmoid(),
                 'tanh': lambda: nn.Tanh(), 'elu': lambda: nn.ELU(), 'gelu': lambda: nn.GELU(), 'softplus': lambda: nn.Softplus(),
                 'dropout': lambda: nn.Dropout(L.get('p', 0.5))}[t]()
        mods.append(m)
    return nn.Sequential(*mods), shape


class SpecModel(nn.Module):
    def __init__(self, spec=SPEC):
        super().__init__()
        self.spec, self.kind, pools = spec, spec['kind'], []
        self.encoder, enc = build_seq(spec['encoder'], list(spec['input']), pools)
        if self.kind == 'vae':
            self.head = nn.Linear(enc[0], 2 * spec['latent'])
            enc = [spec['latent']]
        self.decoder, _ = build_seq(spec['decoder'], enc, pools)

    def _run(self, seq, x, stack):
        for m in seq:
            if isinstance(m, nn.MaxPool2d):
                size = x.shape[-2:]; x, idx = m(x); stack.append((idx, size))
            elif isinstance(m, nn.MaxUnpool2d):
                idx, size = stack.pop(); x = m(x, idx, output_size=size)
            else:
                x = m(x)
        return x

    def forward(self, x):
        """Returns the decoder output (logits for a bernoulli likelihood), mu and logvar (None for an AE)."""
        stack = []
        h = self._run(self.encoder, x, stack)
        mu = logvar = None
        if self.kind == 'vae':
            mu, logvar = self.head(h).chunk(2, dim=1)
            h = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar) if self.training else mu
        return self._run(self.decoder, h, stack), mu, logvar


def load_checkpoint(model, path):
    """Loads a Latent Lab checkpoint (safetensors; optimizer state is skipped)."""
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n)); data = f.read()
    state = {}
    for name, h in header.items():
        if name == '__metadata__' or name.startswith('optimizer.'):
            continue
        a, b = h['data_offsets']
        state[name] = torch.frombuffer(bytearray(data[a:b]), dtype=torch.float32).reshape(h['shape'])
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith('num_batches_tracked')]
    if missing or unexpected:
        raise ValueError(f'{path}: missing {missing}, unexpected {unexpected}')
    return model


if __name__ == '__main__':
    model = SpecModel().eval()
    print(model)
    print(sum(p.numel() for p in model.parameters()), 'parameters')
`;
}
