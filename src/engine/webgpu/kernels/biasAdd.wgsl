// biasAdd: y[n, c, s] = x[n, c, s] + bias[c] over x [N, C, S]; entry `inplace` when y is x.
// Dispatch: 1-D over the N·C·S elements (channel = (i / S) mod C), 256 threads per workgroup, the grid
// folded into 2-D (see fill.wgsl).

struct Params { len: u32, c: u32, s: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> bias: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> io: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let i = (wg.y * groups.x + wg.x) * 256u + t;
  if (i < p.len) { y[i] = x[i] + bias[(i / p.s) % p.c]; }
}

@compute @workgroup_size(256)
fn inplace(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
           @builtin(local_invocation_index) t: u32) {
  let i = (wg.y * groups.x + wg.x) * 256u + t;
  if (i < p.len) { io[i] = io[i] + bias[(i / p.s) % p.c]; }
}
