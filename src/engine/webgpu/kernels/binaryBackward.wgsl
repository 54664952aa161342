// binaryBackward: da[i] = ∂f/∂a · g, db[i] = ∂f/∂b · g with g = dy[i], or dy[0] when dyIsScalar (a fused
// loss sum). An absent gradient is bound to a scratch buffer and its flag is 0.
// Dispatch: 1-D over the elements, 256 threads per workgroup, the grid folded into 2-D (see fill.wgsl).

struct Params { len: u32, kind: u32, dyIsScalar: u32, wantA: u32, wantB: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read_write> da: array<f32>;
@group(0) @binding(5) var<storage, read_write> db: array<f32>;

// #include "_math.wgsl"

fn partials(kind: u32, x: f32, t: f32) -> vec2<f32> {
  switch kind {
    case 0u: { return vec2<f32>(1.0, 1.0); }
    case 1u: { return vec2<f32>(1.0, -1.0); }
    case 2u: { return vec2<f32>(t, x); }
    case 3u: {                                                   // bce_logits
      var s: f32;
      if (x >= 0.0) { s = 1.0 / (1.0 + exp(-x)); } else { let e = exp(x); s = e / (1.0 + e); }
      return vec2<f32>(s - t, -x);
    }
    case 4u: {                                                   // bce, as PyTorch
      return vec2<f32>((x - t) / max((1.0 - x) * x, 1e-12), clampedLog(1.0 - x) - clampedLog(x));
    }
    case 5u: { return vec2<f32>(2.0 * (x - t), -2.0 * (x - t)); }           // sq_diff
    default: { return vec2<f32>(x, 0.5 * (exp(t) - 1.0)); }                 // kl_normal
  }
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let i = (wg.y * groups.x + wg.x) * 256u + t;
  if (i >= p.len) { return; }
  var g: f32;
  if (p.dyIsScalar != 0u) { g = dy[0]; } else { g = dy[i]; }
  let d = partials(p.kind, a[i], b[i]);
  if (p.wantA != 0u) { da[i] = d.x * g; }
  if (p.wantB != 0u) { db[i] = d.y * g; }
}
