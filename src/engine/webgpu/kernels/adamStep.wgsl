// adamStep: one torch.optim.Adam step in place (amsgrad off, L2 weight decay added to the gradient):
//   g = grad + wd·param; m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²;
//   param -= stepSize · m / (sqrt(v) / sqrtBc2 + eps), stepSize = lr / (1 - β1^t), sqrtBc2 = sqrt(1 - β2^t)
// (the bias corrections come from the host in float64).
// Dispatch: 1-D over the parameters, 256 threads per workgroup, the grid folded into 2-D (see fill.wgsl).

struct Params {
  len: u32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  eps: f32, weightDecay: f32, stepSize: f32, sqrtBc2: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> param: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let i = (wg.y * groups.x + wg.x) * 256u + t;
  if (i >= p.len) { return; }
  var g = grad[i];
  let w = param[i];
  if (p.weightDecay != 0.0) { g += p.weightDecay * w; }
  let mi = p.beta1 * m[i] + p.oneMinusBeta1 * g;
  let vi = p.beta2 * v[i] + p.oneMinusBeta2 * g * g;
  m[i] = mi;
  v[i] = vi;
  param[i] = w - p.stepSize * mi / (sqrt(vi) / p.sqrtBc2 + p.eps);
}
