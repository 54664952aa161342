// bnApply: y = (x - mean[c]) · gamma[c] / sqrt(var[c] + eps) + beta[c] over x [N, C, S].
// Dispatch: 1-D over the N·C·S elements (channel = (i / S) mod C), 256 threads per workgroup, the grid
// folded into 2-D (see fill.wgsl).

struct Params { len: u32, c: u32, s: u32, eps: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> mean: array<f32>;
@group(0) @binding(3) var<storage, read> variance: array<f32>;
@group(0) @binding(4) var<storage, read> gamma: array<f32>;
@group(0) @binding(5) var<storage, read> beta: array<f32>;
@group(0) @binding(6) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let i = (wg.y * groups.x + wg.x) * 256u + t;
  if (i >= p.len) { return; }
  let ch = (i / p.s) % p.c;
  let scale = gamma[ch] / sqrt(variance[ch] + p.eps);
  y[i] = (x[i] - mean[ch]) * scale + beta[ch];
}
