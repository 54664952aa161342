// maxUnpool: y zeroed, then y[plane, indices[i]] = x[plane, i]; y planes hold outSize values.
// Duplicate indices keep the last x in order, as the reference does, deterministically in two passes over y
// (already zero-filled by the host), one dispatch per entry point:
//  `claim`: 1-D over x's elements; atomicMax of (i + 1) into y's slot, viewed as i32 (0 = unclaimed).
//  `place`: 1-D over y's elements; a claimed slot becomes x[plane, winner - 1], an unclaimed one 0.0.
// Both: 256 threads per workgroup, the grid folded into 2-D (see fill.wgsl). Indices outside the plane are
// dropped.

struct Params { planes: u32, inSize: u32, outSize: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> indices: array<i32>;
@group(0) @binding(2) var<storage, read_write> claims: array<atomic<i32>>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<u32>;

@compute @workgroup_size(256)
fn claim(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
         @builtin(local_invocation_index) t: u32) {
  let g = (wg.y * groups.x + wg.x) * 256u + t;
  if (g >= p.planes * p.inSize) { return; }
  let plane = g / p.inSize;
  let at = indices[g];
  if (at < 0 || u32(at) >= p.outSize) { return; }
  atomicMax(&claims[plane * p.outSize + u32(at)], i32(g - plane * p.inSize) + 1);
}

@compute @workgroup_size(256)
fn place(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
         @builtin(local_invocation_index) t: u32) {
  let o = (wg.y * groups.x + wg.x) * 256u + t;
  if (o >= p.planes * p.outSize) { return; }
  let winner = bitcast<i32>(y[o]);
  if (winner > 0) {
    let plane = o / p.outSize;
    y[o] = bitcast<u32>(x[plane * p.inSize + u32(winner - 1)]);
  } else {
    y[o] = 0u;
  }
}
