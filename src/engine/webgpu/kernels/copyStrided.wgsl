// copyStrided: dst[r·dstStride + dstOffset + c] = src[r·srcStride + srcOffset + c] for r < rows, c < cols.
// Copies 32-bit patterns, so f32 and i32 buffers alike.
// Dispatch: 1-D over the rows·cols copied elements (i = r·cols + c), 256 threads per workgroup, the grid
// folded into 2-D (see fill.wgsl).

struct Params { rows: u32, cols: u32, srcOffset: u32, srcStride: u32, dstOffset: u32, dstStride: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let i = (wg.y * groups.x + wg.x) * 256u + t;
  if (i >= p.rows * p.cols) { return; }
  let r = i / p.cols;
  let c = i - r * p.cols;
  dst[r * p.dstStride + p.dstOffset + c] = src[r * p.srcStride + p.srcOffset + c];
}
