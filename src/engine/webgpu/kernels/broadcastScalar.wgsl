// broadcastScalar: out[i] = alpha · s[0] for i < len (the backward of a sum, without a readback).
// Dispatch: 1-D over out, 256 threads per workgroup, the grid folded into 2-D (see fill.wgsl).

struct Params { len: u32, alpha: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> s: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let i = (wg.y * groups.x + wg.x) * 256u + t;
  if (i < p.len) { dst[i] = p.alpha * s[0]; }
}
