import type { Tensor } from '../tensor.ts';

/** z = mu + eps · exp(logvar / 2); eps (given, same shape) takes no gradient. */
export function reparameterize(mu: Tensor, logvar: Tensor, eps: Tensor): Tensor {
  const e = mu.engine;
  const half = e.empty(logvar.shape);
  e.k.axpby(0.5, logvar.buffer, 0, logvar.buffer, half.buffer);
  const std = e.empty(logvar.shape);
  e.k.unary('exp', 0, half.buffer, std.buffer);
  half.release();
  const noise = e.empty(mu.shape); // eps · std
  e.k.binary('mul', eps.buffer, std.buffer, noise.buffer);
  const z = e.empty(mu.shape);
  e.k.axpby(1, mu.buffer, 1, noise.buffer, z.buffer);
  noise.release();
  e.record(z, 'reparameterize', [mu, logvar], (g) => {
    const dmu = e.empty(mu.shape);
    e.k.axpby(1, g.buffer, 0, g.buffer, dmu.buffer);
    const gEps = e.empty(logvar.shape);
    e.k.binary('mul', g.buffer, eps.buffer, gEps.buffer);
    const dlv = e.empty(logvar.shape); // g · eps · std / 2
    e.k.binary('mul', gEps.buffer, std.buffer, dlv.buffer);
    gEps.release();
    e.k.axpby(0.5, dlv.buffer, 0, dlv.buffer, dlv.buffer);
    return [dmu, dlv];
  });
  if (!z.node) std.release();
  return z;
}
