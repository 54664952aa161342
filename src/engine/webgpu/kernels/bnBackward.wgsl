// bnBackward over x [N, C, S]: three dispatches, one per entry point, in this order:
//  `partials`: workgroup (chunk, c) sums dy and dy·x̂ (x̂ = (x - mean[c]) / sqrt(var[c] + eps)) over its chunk of
//     j = n·S + s (256 threads striding, then a tree reduction) -> part[(c·chunks + chunk)·2 + {0, 1}].
//  `finalize`: workgroup c sums its chunks -> sums[c·2 + {0, 1}] = (Σdy, Σdy·x̂);
//     dbeta[c] += Σdy, dgamma[c] += Σdy·x̂ where wanted (an absent one is a scratch buffer, flag 0).
//  `dx`: 1-D over the N·C·S elements, 256 threads per workgroup, the grid folded into 2-D (see fill.wgsl):
//     training: dx = gamma·invStd · (dy - Σdy/count - x̂ · Σdy·x̂/count); eval: dx = gamma·invStd · dy.

struct Params {
  n: u32, c: u32, s: u32, chunkLen: u32, chunks: u32,
  wantGamma: u32, wantBeta: u32, training: u32, eps: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
// partials and dx
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read> mean: array<f32>;
@group(0) @binding(4) var<storage, read> variance: array<f32>;
@group(0) @binding(5) var<storage, read_write> part: array<f32>;
@group(0) @binding(5) var<storage, read> gamma: array<f32>;
@group(0) @binding(6) var<storage, read> sumsIn: array<f32>;
@group(0) @binding(7) var<storage, read_write> dx: array<f32>;
// finalize
@group(0) @binding(1) var<storage, read> partIn: array<f32>;
@group(0) @binding(2) var<storage, read_write> sums: array<f32>;
@group(0) @binding(3) var<storage, read_write> dgamma: array<f32>;
@group(0) @binding(4) var<storage, read_write> dbeta: array<f32>;

var<workgroup> red: array<vec2<f32>, 256>;

fn reduceWorkgroup(t: u32, v: vec2<f32>) -> vec2<f32> {
  red[t] = v;
  workgroupBarrier();
  for (var half = 128u; half > 0u; half >>= 1u) {
    if (t < half) { red[t] += red[t + half]; }
    workgroupBarrier();
  }
  return red[0];
}

@compute @workgroup_size(256)
fn partials(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let chunk = wg.x;
  let ch = wg.y;
  let count = p.n * p.s;
  let begin = chunk * p.chunkLen;
  let end = min(count, begin + p.chunkLen);
  let mu = mean[ch];
  let invStd = 1.0 / sqrt(variance[ch] + p.eps);
  var acc = vec2<f32>(0.0);
  for (var j = begin + t; j < end; j += 256u) {
    let ni = j / p.s;
    let i = (ni * p.c + ch) * p.s + (j - ni * p.s);
    let g = dy[i];
    acc += vec2<f32>(g, g * (x[i] - mu) * invStd);
  }
  let r = reduceWorkgroup(t, acc);
  if (t == 0u) {
    let o = (ch * p.chunks + chunk) * 2u;
    part[o] = r.x;
    part[o + 1u] = r.y;
  }
}

@compute @workgroup_size(256)
fn finalize(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let ch = wg.x;
  var acc = vec2<f32>(0.0);
  for (var k = t; k < p.chunks; k += 256u) {
    let o = (ch * p.chunks + k) * 2u;
    acc += vec2<f32>(partIn[o], partIn[o + 1u]);
  }
  let r = reduceWorkgroup(t, acc);
  if (t == 0u) {
    sums[ch * 2u] = r.x;
    sums[ch * 2u + 1u] = r.y;
    if (p.wantBeta != 0u) { dbeta[ch] += r.x; }
    if (p.wantGamma != 0u) { dgamma[ch] += r.y; }
  }
}

@compute @workgroup_size(256)
fn main_dx(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
           @builtin(local_invocation_index) t: u32) {
  let i = (wg.y * groups.x + wg.x) * 256u + t;
  if (i >= p.n * p.c * p.s) { return; }
  let ch = (i / p.s) % p.c;
  let invStd = 1.0 / sqrt(variance[ch] + p.eps);
  let k = gamma[ch] * invStd;
  if (p.training != 0u) {
    let count = f32(p.n * p.s);
    let meanDy = sumsIn[ch * 2u] / count;
    let meanDyXhat = sumsIn[ch * 2u + 1u] / count;
    dx[i] = k * (dy[i] - meanDy - (x[i] - mean[ch]) * invStd * meanDyXhat);
  } else {
    dx[i] = k * dy[i];
  }
}
