// sgdStep: one torch.optim.SGD step in place:
//   g = grad + wd·param; with momentum: buf = first ? g : μ·buf + (1-dampening)·g, g = nesterov ? g + μ·buf : buf;
//   param -= lr · g.
// Dispatch: 1-D over the parameters, 256 threads per workgroup, the grid folded into 2-D (see fill.wgsl).

struct Params {
  len: u32, lr: f32, momentum: f32, oneMinusDampening: f32, weightDecay: f32, nesterov: u32, firstStep: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> param: array<f32>;
@group(0) @binding(3) var<storage, read_write> buf: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let i = (wg.y * groups.x + wg.x) * 256u + t;
  if (i >= p.len) { return; }
  let w = param[i];
  var g = grad[i];
  if (p.weightDecay != 0.0) { g += p.weightDecay * w; }
  if (p.momentum != 0.0) {
    var b: f32;
    if (p.firstStep != 0u) { b = g; } else { b = p.momentum * buf[i] + p.oneMinusDampening * g; }
    buf[i] = b;
    if (p.nesterov != 0u) { g = g + p.momentum * b; } else { g = b; }
  }
  param[i] = w - p.lr * g;
}
