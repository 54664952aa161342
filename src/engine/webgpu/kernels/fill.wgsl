// fill: out[i] = value for i < len. The value comes as its 32-bit pattern, so f32 and i32 buffers share it.
// Dispatch: 1-D over the elements, 256 threads per workgroup, the grid folded into 2-D when it exceeds
// 65535 workgroups: i = (group.y · groups.x + group.x) · 256 + thread.

struct Params { len: u32, bits: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let i = (wg.y * groups.x + wg.x) * 256u + t;
  if (i < p.len) { dst[i] = p.bits; }
}
