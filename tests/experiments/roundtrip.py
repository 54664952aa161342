"""PyTorch side of tests/experiments/analysis.test.ts.

usage: roundtrip.py DIR SHARED_REFERENCE_DIR
DIR holds model.safetensors (our checkpoint), model.py (our exported module) and inputs.safetensors
(x, and eps for a VAE). Prints JSON: the test loss three ways, spec_torch's parameter names, importance
weights computed with torch.distributions, SSIM computed with conv2d, and writes back.safetensors
(weights trained here and saved by spec_torch.save_safetensors) and saved.safetensors (model.py's save_weights).
"""
import importlib.util
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

d, ref = sys.argv[1], sys.argv[2]
sys.path.insert(0, ref)
from spec_torch import SpecModel, save_safetensors  # noqa: E402

torch.set_num_threads(1)


def read_safetensors(path):
    """An independent reader (numpy), not the exported module's."""
    raw = open(path, 'rb').read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop('__metadata__', {})
    out = {}
    for name, e in header.items():
        assert e['dtype'] == 'F32', e
        a, b = e['data_offsets']
        out[name] = torch.from_numpy(np.frombuffer(raw[8 + n + a:8 + n + b], dtype='<f4').reshape(e['shape']).copy())
    return out, meta


tensors, meta = read_safetensors(os.path.join(d, 'model.safetensors'))
spec = json.loads(meta['meta'])['spec']
inputs, _ = read_safetensors(os.path.join(d, 'inputs.safetensors'))
x = inputs['x'].double()
eps = inputs['eps'].double() if 'eps' in inputs else None

# 1. The exported module, its own loader.
loader = importlib.util.spec_from_file_location('exported', os.path.join(d, 'model.py'))
exported = importlib.util.module_from_spec(loader)
loader.loader.exec_module(exported)
m1 = exported.build_model()
exported.load_weights(m1, os.path.join(d, 'model.safetensors'))
m1.eval()
opt = torch.optim.Adam(m1.parameters(), lr=1e-3)
exported.load_optimizer(opt, m1, os.path.join(d, 'model.safetensors'))
optimizer_step = int(next(iter(opt.state.values()))['step'].item())
with torch.no_grad():
    loss_exported = m1.double().loss(x, eps)[0].item()
exported.save_weights(m1.float(), os.path.join(d, 'saved.safetensors'))

# 2. The reference SpecModel, loading our tensors by name (strict).
m2 = SpecModel(spec)
state = {k: v for k, v in tensors.items() if not k.startswith('optimizer.')}
m2.load_state_dict(state, strict=True)
m2.eval()
m2 = m2.double()
with torch.no_grad():
    loss_spec = m2.loss(x, eps)[0].item()
    out, mu, logvar = m2(x, eps)
    log_w = []
    if mu is not None:
        std = torch.exp(0.5 * logvar)
        z = mu + eps * std
        log_px = -F.binary_cross_entropy_with_logits(out, x, reduction='none').flatten(1).sum(1)
        prior = torch.distributions.Normal(torch.zeros_like(z), torch.ones_like(z))
        post = torch.distributions.Normal(mu, std)
        log_w = (log_px + prior.log_prob(z).sum(1) - post.log_prob(z).sum(1)).tolist()
        recon = m2.decoder(mu) if not any(isinstance(m, torch.nn.MaxUnpool2d) for m in m2.decoder) else None
        recon = torch.sigmoid(recon)
    else:
        recon = m2(x)[0]
        recon = recon.clamp(0, 1) if spec.get('likelihood') == 'gaussian' else torch.sigmoid(recon)

# SSIM with a 2-D Gaussian window via conv2d (valid positions), images in [0, 1].
g = torch.exp(-((torch.arange(11, dtype=torch.float64) - 5) ** 2) / (2 * 1.5 ** 2))
g = g / g.sum()
win = (g[:, None] * g[None, :])[None, None]
a, b = recon.float().double(), x
mx, my = F.conv2d(a, win), F.conv2d(b, win)
vx, vy, cxy = F.conv2d(a * a, win) - mx ** 2, F.conv2d(b * b, win) - my ** 2, F.conv2d(a * b, win) - mx * my
c1, c2 = 0.01 ** 2, 0.03 ** 2
ssim = (((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx ** 2 + my ** 2 + c1) * (vx + vy + c2))).mean().item()

# 3. And back: fresh weights, a few Adam steps in training mode (moves batch-norm statistics), saved by spec_torch.
torch.manual_seed(5)
m3 = SpecModel(spec)
o3 = torch.optim.Adam(m3.parameters(), lr=1e-3)
m3.train()
for _ in range(3):
    loss = m3.loss(x.float(), eps.float() if eps is not None else None)[0]
    o3.zero_grad()
    loss.backward()
    o3.step()
m3.eval()
save_safetensors(os.path.join(d, 'back.safetensors'), m3.state_dict())
with torch.no_grad():
    loss_back = m3.double().loss(x, eps)[0].item()

print(json.dumps({
    # num_batches_tracked is PyTorch bookkeeping (not used with a fixed momentum); it is not part of our checkpoints.
    'names': [k for k in SpecModel(spec).state_dict().keys() if not k.endswith('num_batches_tracked')],
    'loss_exported': loss_exported, 'loss_spec_torch': loss_spec, 'loss_back': loss_back,
    'optimizer_step': optimizer_step, 'log_w': log_w, 'ssim': ssim,
    'recon': recon.float().flatten().tolist(),
}))
