// axpby: out[i] = alpha · x[i] + beta · y[i] for i < len.
// Dispatch: 1-D over the elements, 256 threads per workgroup, the grid folded into 2-D (see fill.wgsl).
// WebGPU cannot bind one buffer both read-only and writable in a dispatch, so in-place calls use other
// entry points: `inplace` (io = ca · src + cb · io: out is x or y, the other input is src) and `self`
// (x, y and out all one buffer). x = y with a distinct out binds x twice read-only, which is allowed.

struct Params { len: u32, alpha: f32, beta: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;

@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> io: array<f32>;

@group(0) @binding(1) var<storage, read_write> self_io: array<f32>;

fn index(wg: vec3<u32>, groups: vec3<u32>, t: u32) -> u32 {
  return (wg.y * groups.x + wg.x) * 256u + t;
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let i = index(wg, groups, t);
  if (i < p.len) { dst[i] = p.alpha * x[i] + p.beta * y[i]; }
}

// alpha multiplies src, beta multiplies io (the host swaps them when out is x).
@compute @workgroup_size(256)
fn inplace(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
           @builtin(local_invocation_index) t: u32) {
  let i = index(wg, groups, t);
  if (i < p.len) { io[i] = p.alpha * src[i] + p.beta * io[i]; }
}

@compute @workgroup_size(256)
fn self_(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
         @builtin(local_invocation_index) t: u32) {
  let i = index(wg, groups, t);
  if (i < p.len) {
    let v = self_io[i];
    self_io[i] = p.alpha * v + p.beta * v;
  }
}
