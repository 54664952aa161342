// maxPoolBackward: dx[plane, indices[o]] += dy[plane, o], dx zeroed first.
// Gather, not scatter (WGSL has no float atomics): one thread per input element sums dy over the outputs
// whose window covers it and whose index points at it, in ascending output order as the reference does.
// This assumes indices come from maxPool with the same geometry (each points inside its own window).
// Dispatch: 1-D over dx's elements i = (plane·H + iy)·W + ix, 256 threads per workgroup, the grid folded
// into 2-D (see fill.wgsl).

struct Params {
  planes: u32, h: u32, w: u32, kh: u32, kw: u32,
  strideH: i32, strideW: i32, padH: i32, padW: i32, oh: u32, ow: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> indices: array<i32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

// First output position (along one axis) whose window [o·stride - pad, o·stride - pad + k) covers `at`.
fn firstCovering(at: i32, k: i32, stride: i32, pad: i32) -> i32 {
  let lo = at + pad - k + 1;
  if (lo <= 0) { return 0; }
  return (lo + stride - 1) / stride;
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let i = (wg.y * groups.x + wg.x) * 256u + t;
  if (i >= p.planes * p.h * p.w) { return; }
  let ix = i32(i % p.w);
  let iy = i32((i / p.w) % p.h);
  let plane = i / (p.w * p.h);
  let flat = iy * i32(p.w) + ix;
  let oyEnd = min(i32(p.oh) - 1, (iy + p.padH) / p.strideH);
  let oxEnd = min(i32(p.ow) - 1, (ix + p.padW) / p.strideW);
  let outBase = plane * p.oh * p.ow;
  var s = 0.0;
  for (var oy = firstCovering(iy, i32(p.kh), p.strideH, p.padH); oy <= oyEnd; oy++) {
    for (var ox = firstCovering(ix, i32(p.kw), p.strideW, p.padW); ox <= oxEnd; ox++) {
      let o = outBase + u32(oy) * p.ow + u32(ox);
      if (indices[o] == flat) { s += dy[o]; }
    }
  }
  dx[i] = s;
}
