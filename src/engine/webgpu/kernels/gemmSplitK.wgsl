// gemmSplitK: the second half of a split-K gemm. partial [splits, M·N] holds each K range's raw sums;
// C[i] = alpha · Σ_z partial[z·M·N + i] + beta · C[i] (beta 0 overwrites, even a NaN).
// Dispatch: 1-D over the M·N elements of C, 256 threads per workgroup, the grid folded into 2-D
// (see fill.wgsl); each thread sums its element's splits in order.

struct Params { len: u32, splits: u32, alpha: f32, beta: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> partial: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let i = (wg.y * groups.x + wg.x) * 256u + t;
  if (i >= p.len) { return; }
  var s = 0.0;
  for (var z = 0u; z < p.splits; z++) { s += partial[z * p.len + i]; }
  var v = p.alpha * s;
  if (p.beta != 0.0) { v += p.beta * c[i]; }
  c[i] = v;
}
