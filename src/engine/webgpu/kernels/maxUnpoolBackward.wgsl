// maxUnpoolBackward: dx[plane, i] = dy[plane, indices[plane, i]] (a gather; 0 for an index outside the plane).
// Dispatch: 1-D over dx's elements g = plane·inSize + i, 256 threads per workgroup, the grid folded into
// 2-D (see fill.wgsl).

struct Params { planes: u32, inSize: u32, outSize: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> indices: array<i32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let g = (wg.y * groups.x + wg.x) * 256u + t;
  if (g >= p.planes * p.inSize) { return; }
  let plane = g / p.inSize;
  let at = indices[g];
  var v = 0.0;
  if (at >= 0 && u32(at) < p.outSize) { v = dy[plane * p.outSize + u32(at)]; }
  dx[g] = v;
}
