// transpose021: x [a, b, c] -> out [b, a, c] (NCHW <-> CNHW with c = H·W); 32-bit patterns.
// Dispatch: 1-D over out's elements o = (j·a + i)·c + k, 256 threads per workgroup, the grid folded into
// 2-D (see fill.wgsl). Writes are contiguous; reads are contiguous along k.

struct Params { a: u32, b: u32, c: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let o = (wg.y * groups.x + wg.x) * 256u + t;
  if (o >= p.a * p.b * p.c) { return; }
  let k = o % p.c;
  let ji = o / p.c;
  let i = ji % p.a;
  let j = ji / p.a;
  dst[o] = x[(i * p.b + j) * p.c + k];
}
