// unaryBackward: dx[i] = f'(x[i]) · dy[i], with y = f(x) given for kinds whose derivative is cheapest from it
// (numbering in unary.ts).
// Dispatch: 1-D over the elements, 256 threads per workgroup, the grid folded into 2-D (see fill.wgsl).

struct Params { len: u32, kind: u32, param: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;

// As in unary.wgsl.
fn erf_(x: f32) -> f32 {
  let ax = abs(x);
  if (ax < 0.5) {
    let t = x * x;
    let num = (((0.1857777061846032 * t + 3.161123743870566) * t + 113.864154151050156) * t + 377.485237685302021) * t + 3209.37758913846947;
    let den = (((t + 23.6012909523441209) * t + 244.024637934444173) * t + 1282.61652607737228) * t + 2844.23683343917062;
    return x * num / den;
  }
  var r: f32;
  if (ax < 4.0) {
    let num = (((((((5.64188496988670089e-1 * ax + 8.88314979438837594) * ax + 66.1191906371416295) * ax + 298.635138197400131) * ax + 881.95222124176909) * ax + 1712.04761263407058) * ax + 2051.07837782607147) * ax + 1230.33935479799725);
    let den = (((((((ax + 15.7449261107098347) * ax + 117.693950891312499) * ax + 537.181101862009858) * ax + 1621.38957456669019) * ax + 3290.79923573345963) * ax + 4362.61909014324716) * ax + 3439.36767414372164) * ax + 1230.33935480374942;
    r = 1.0 - exp(-ax * ax) * (num / den);
  } else {
    let z = 1.0 / (ax * ax);
    let num = ((((1.63153871373020978e-2 * z + 3.05326634961232344e-1) * z + 3.60344899949804439e-1) * z + 1.25781726111229246e-1) * z + 1.60837851487422766e-2) * z + 6.58749161529837803e-4;
    let den = ((((z + 2.56852019228982242) * z + 1.87295284992346725) * z + 5.27905102951428412e-1) * z + 6.05183413124413191e-2) * z + 2.33520497626869185e-3;
    r = 1.0 - (exp(-ax * ax) / ax) * (0.5641895835477563 - z * num / den);
  }
  return select(r, -r, x < 0.0);
}

fn derivative(kind: u32, param: f32, v: f32, out: f32) -> f32 {
  switch kind {
    case 0u: { return select(0.0, 1.0, v > 0.0); }           // relu
    case 1u: { return select(param, 1.0, v > 0.0); }         // leaky_relu
    case 2u: { return out * (1.0 - out); }                   // sigmoid
    case 3u: { return 1.0 - out * out; }                     // tanh
    case 4u: { return select(out + param, 1.0, v > 0.0); }   // elu
    case 5u: {                                               // gelu
      return 0.5 * (1.0 + erf_(v * 0.7071067811865476)) + v * 0.3989422804014327 * exp(-0.5 * v * v);
    }
    case 6u: { return select(1.0 / (1.0 + exp(-v)), 1.0, v > 20.0); } // softplus
    case 7u: { return out; }                                 // exp
    default: { return -1.0; }                                // neg
  }
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let i = (wg.y * groups.x + wg.x) * 256u + t;
  if (i < p.len) { dx[i] = derivative(p.kind, p.param, x[i], y[i]) * dy[i]; }
}
