// maxPool: x [planes, H, W] -> y [planes, OH, OW] and indices (i32, flat position in the input plane, as
// PyTorch). Padding counts as -inf; ties keep the first maximum in scan order; a NaN wins.
// Dispatch: 1-D over y's elements i = (plane·OH + oy)·OW + ox, 256 threads per workgroup, the grid folded
// into 2-D (see fill.wgsl).

struct Params {
  planes: u32, h: u32, w: u32, kh: u32, kw: u32,
  strideH: i32, strideW: i32, padH: i32, padW: i32, oh: u32, ow: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> indices: array<i32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let i = (wg.y * groups.x + wg.x) * 256u + t;
  if (i >= p.planes * p.oh * p.ow) { return; }
  let ox = i32(i % p.ow);
  let oy = i32((i / p.ow) % p.oh);
  let plane = i / (p.ow * p.oh);
  let base = plane * p.h * p.w;
  var best = 0.0;
  var bestIdx = -1;
  for (var ki = 0; ki < i32(p.kh); ki++) {
    let iy = oy * p.strideH - p.padH + ki;
    if (iy < 0 || iy >= i32(p.h)) { continue; }
    var isNan = false;
    for (var kj = 0; kj < i32(p.kw); kj++) {
      let ix = ox * p.strideW - p.padW + kj;
      if (ix < 0 || ix >= i32(p.w)) { continue; }
      let at = iy * i32(p.w) + ix;
      let v = x[base + u32(at)];
      isNan = v != v;
      if (bestIdx < 0 || v > best || isNan) {
        best = v;
        bestIdx = at;
        if (isNan) { break; }
      }
    }
  }
  y[i] = best;
  indices[i] = bestIdx;
}
