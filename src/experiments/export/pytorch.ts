// A self-contained PyTorch module for an architecture spec: the spec embedded as JSON, a builder with the
// semantics and parameter names of ../shared/reference/spec_torch.py (nn.Sequential numbering, `head` for a
// VAE's mu/logvar layer), and a small safetensors reader and writer, so a Latent Lab checkpoint loads with
// nothing but torch installed — and weights trained in PyTorch come back.
import type { ArchitectureSpec } from '../spec.ts';

const PYTHON_BODY = String.raw`
import json
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


def _pair(v):
    return list(v) if isinstance(v, (list, tuple)) else [v, v]


def build_seq(layers, shape, pools):
    """layers of the spec -> (nn.Sequential, output shape); shape is [C, H, W] or [F]."""
    mods = []
    for L in layers:
        t = L['type']
        if t == 'conv2d':
            k, s, p, d = _pair(L['kernel']), _pair(L.get('stride', 1)), _pair(L.get('padding', 0)), _pair(L.get('dilation', 1))
            m = nn.Conv2d(shape[0], L['out'], k, s, p, d, bias=L.get('bias', True))
            shape = [L['out']] + [(shape[1 + i] + 2 * p[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(2)]
        elif t == 'conv_transpose2d':
            k, s, p, d, op = _pair(L['kernel']), _pair(L.get('stride', 1)), _pair(L.get('padding', 0)), _pair(L.get('dilation', 1)), _pair(L.get('output_padding', 0))
            m = nn.ConvTranspose2d(shape[0], L['out'], k, s, p, op, 1, L.get('bias', True), d)
            shape = [L['out']] + [(shape[1 + i] - 1) * s[i] - 2 * p[i] + d[i] * (k[i] - 1) + op[i] + 1 for i in range(2)]
        elif t == 'linear':
            m = nn.Linear(shape[0], L['out'], bias=L.get('bias', True))
            shape = [L['out']]
        elif t == 'batchnorm':
            m = (nn.BatchNorm2d if len(shape) == 3 else nn.BatchNorm1d)(shape[0], eps=L.get('eps', 1e-5), momentum=L.get('momentum', 0.1))
        elif t == 'maxpool2d':
            k, s, p = _pair(L['kernel']), _pair(L.get('stride', L['kernel'])), _pair(L.get('padding', 0))
            m = nn.MaxPool2d(k, s, p, return_indices=True)
            pools.append(list(shape))
            shape = [shape[0]] + [(shape[1 + i] + 2 * p[i] - k[i]) // s[i] + 1 for i in range(2)]
        elif t == 'maxunpool2d':
            k, s, p = _pair(L['kernel']), _pair(L.get('stride', L['kernel'])), _pair(L.get('padding', 0))
            m = nn.MaxUnpool2d(k, s, p)
            shape = [shape[0]] + pools.pop()[1:]  # the paired (last unpaired) max pool's input size
        elif t == 'flatten':
            m = nn.Flatten()
            n = 1
            for v in shape:
                n *= v
            shape = [n]
        elif t == 'reshape':
            m = nn.Unflatten(1, tuple(L['shape']))
            shape = list(L['shape'])
        elif t == 'relu':
            m = nn.ReLU()
        elif t == 'leaky_relu':
            m = nn.LeakyReLU(L.get('negative_slope', 0.01))
        elif t == 'sigmoid':
            m = nn.Sigmoid()
        elif t == 'tanh':
            m = nn.Tanh()
        elif t == 'elu':
            m = nn.ELU()
        elif t == 'gelu':
            m = nn.GELU()
        elif t == 'softplus':
            m = nn.Softplus()
        elif t == 'dropout':
            m = nn.Dropout(L.get('p', 0.5))
        else:
            raise ValueError('unknown layer type ' + t)
        mods.append(m)
    return nn.Sequential(*mods), shape


class LatentLabModel(nn.Module):
    """encoder -> (VAE: head = linear to [mu, logvar], z = mu + eps * exp(logvar / 2)) -> decoder."""

    def __init__(self, spec=None):
        super().__init__()
        self.spec = spec if spec is not None else SPEC
        pools = []
        self.encoder, enc_shape = build_seq(self.spec['encoder'], list(self.spec['input']), pools)
        self.kind = self.spec['kind']
        if self.kind == 'vae':
            self.head = nn.Linear(enc_shape[0], 2 * self.spec['latent'])
            dec_in = [self.spec['latent']]
        else:
            dec_in = enc_shape
        self.decoder, out_shape = build_seq(self.spec['decoder'], dec_in, pools)
        if out_shape != list(self.spec['input']):
            raise ValueError('decoder output %s differs from the input %s' % (out_shape, self.spec['input']))

    def _run(self, seq, x, stack):
        for m in seq:
            if isinstance(m, nn.MaxPool2d):
                size = x.shape[-2:]
                x, idx = m(x)
                stack.append((idx, size))
            elif isinstance(m, nn.MaxUnpool2d):
                idx, size = stack.pop()
                x = m(x, idx, output_size=size)
            else:
                x = m(x)
        return x

    def encode(self, x):
        """(mu, logvar) for a VAE; (code, None) for an AE."""
        h = self._run(self.encoder, x, [])
        if self.kind == 'vae':
            return self.head(h).chunk(2, dim=1)
        return h, None

    def forward(self, x, eps=None):
        """Decoder output (logits for a bernoulli likelihood), mu, logvar."""
        stack = []
        h = self._run(self.encoder, x, stack)
        if self.kind == 'vae':
            mu, logvar = self.head(h).chunk(2, dim=1)
            if eps is None:
                eps = torch.randn_like(mu)
            z = mu + eps * torch.exp(0.5 * logvar)
        else:
            mu = logvar = None
            z = h
        return self._run(self.decoder, z, stack), mu, logvar

    def to_image(self, out):
        """Decoder output as an image in [0, 1]."""
        return torch.sigmoid(out) if self.spec.get('likelihood', 'bernoulli') == 'bernoulli' else out.clamp(0, 1)

    def decode(self, z):
        return self.to_image(self._run(self.decoder, z, []))

    def loss(self, x, eps=None):
        """(loss, rec, kl) in nats per image: rec + beta * kl, each summed and divided by the batch size."""
        out, mu, logvar = self(x, eps)
        B = x.shape[0]
        if self.spec.get('likelihood', 'bernoulli') == 'bernoulli':
            rec = F.binary_cross_entropy_with_logits(out, x, reduction='sum') / B
        else:
            rec = F.mse_loss(out, x, reduction='sum') / B
        kl = (-0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / B) if mu is not None else torch.zeros((), dtype=x.dtype)
        return rec + self.spec.get('beta', 1.0) * kl, rec, kl


_DTYPES = {'F32': torch.float32, 'F64': torch.float64, 'F16': torch.float16, 'I32': torch.int32, 'I64': torch.int64}


def read_safetensors(path):
    """{name: tensor}, metadata of a safetensors file (little-endian data, as the format requires)."""
    if sys.byteorder != 'little':
        raise RuntimeError('this reader needs a little-endian machine')
    with open(path, 'rb') as f:
        raw = f.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop('__metadata__', {})
    base, out = 8 + n, {}
    for name, e in header.items():
        begin, end = e['data_offsets']
        dtype = _DTYPES[e['dtype']]
        t = torch.frombuffer(bytearray(raw[base + begin:base + end]), dtype=dtype) if end > begin else torch.zeros(0, dtype=dtype)
        out[name] = t.reshape(e['shape']).clone()
    return out, meta


def write_safetensors(path, tensors, metadata=None):
    header, blobs, off = {}, [], 0
    for name, t in tensors.items():
        b = t.detach().to(torch.float32).contiguous().cpu().numpy().tobytes() if _has_numpy() else _tensor_bytes(t)
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    if metadata:
        header['__metadata__'] = {k: str(v) for k, v in metadata.items()}
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def _has_numpy():
    try:
        import numpy  # noqa: F401
        return True
    except ImportError:
        return False


def _tensor_bytes(t):
    flat = t.detach().to(torch.float32).contiguous().reshape(-1).tolist()
    return struct.pack('<%df' % len(flat), *flat)


def load_weights(model, path, strict=True):
    """Loads a Latent Lab checkpoint (or any safetensors state_dict with these names); returns its metadata."""
    tensors, meta = read_safetensors(path)
    state = {k: v for k, v in tensors.items() if not k.startswith('optimizer.')}
    model.load_state_dict(state, strict=strict)
    return meta


def save_weights(model, path):
    """The model's state_dict as safetensors: it loads into Latent Lab (import) with the same spec."""
    write_safetensors(path, model.state_dict(), {'format': 'pytorch-state-dict', 'spec': json.dumps(model.spec)})


def load_optimizer(optimizer, model, path):
    """Restores Adam's moments (optimizer.<param>.exp_avg / exp_avg_sq) and step count from a checkpoint."""
    tensors, meta = read_safetensors(path)
    info = json.loads(meta.get('meta', '{}')).get('optimizer') or {}
    step = info.get('step', 0)
    for name, p in model.named_parameters():
        m, v = tensors.get('optimizer.%s.exp_avg' % name), tensors.get('optimizer.%s.exp_avg_sq' % name)
        if m is None or v is None:
            raise KeyError('%s holds no Adam state for %s' % (path, name))
        optimizer.state[p] = {'step': torch.tensor(float(step)), 'exp_avg': m.clone(), 'exp_avg_sq': v.clone()}


def build_model():
    return LatentLabModel(SPEC)


if __name__ == '__main__':
    model = build_model()
    if len(sys.argv) > 1:
        meta = load_weights(model, sys.argv[1])
        print('loaded', sys.argv[1])
    model.eval()
    n = sum(p.numel() for p in model.parameters())
    print('%s: %d parameters, input %s' % (SPEC['kind'], n, SPEC['input']))
`;

/** Python source of the module for a spec. */
export function generatePytorchModule(spec: ArchitectureSpec, about: { name?: string; runId?: string } = {}): string {
  const json = JSON.stringify(spec, null, 1);
  if (json.includes("'''")) throw new Error('the spec cannot be embedded in Python (it contains \'\'\')');
  const title = [about.name, about.runId ? `run ${about.runId}` : null].filter(Boolean).join(', ');
  const doc = `"""${title ? `${title.replace(/"""/g, "'''")}: a` : 'A'} Latent Lab model as a PyTorch nn.Module (generated; needs only torch).

    python3 THIS_FILE.py checkpoint.safetensors     # builds the module, loads the weights, prints a summary

In code:
    model = build_model(); load_weights(model, 'checkpoint.safetensors'); model.eval()
    loss, rec, kl = model.loss(x)                   # x: [N, ${spec.input.join(', ')}] in [0, 1]
Parameter names match Latent Lab's checkpoints and ../shared/reference/spec_torch.py (state_dict order).
"""`;
  return `${doc}\n${PYTHON_BODY.trimEnd().replace('\nimport json', 'import json')}\n`.replace(
    'import torch.nn.functional as F\n',
    `import torch.nn.functional as F\n\nSPEC = json.loads(r'''${json}''')\n`,
  );
}
