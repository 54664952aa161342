import { shapeSize, type Tensor } from '../tensor.ts';

/** The same values under a new shape (a copy: buffers are never shared, so scopes free them safely). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const e = x.engine;
  if (shapeSize(shape) !== x.size) throw new Error(`reshape: [${x.shape}] (${x.size} values) cannot become [${shape}] (${shapeSize(shape)})`);
  const y = e.empty(shape);
  e.k.copyStrided(x.buffer, 0, 0, y.buffer, 0, 0, 1, x.size);
  return e.record(y, 'reshape', [x], (g) => {
    const dx = e.empty(x.shape);
    e.k.copyStrided(g.buffer, 0, 0, dx.buffer, 0, 0, 1, x.size);
    return [dx];
  });
}

/** [N, ...] -> [N, prod(...)] */
export function flatten(x: Tensor): Tensor {
  return reshape(x, [x.shape[0], x.size / x.shape[0]]);
}

/** Columns [start, start + count) of x [R, C]. */
export function sliceColumns(x: Tensor, start: number, count: number): Tensor {
  const e = x.engine;
  const [rows, cols] = x.shape;
  if (x.shape.length !== 2 || start < 0 || start + count > cols) throw new Error(`sliceColumns: [${start}, ${start + count}) of [${x.shape}]`);
  const y = e.empty([rows, count]);
  e.k.copyStrided(x.buffer, start, cols, y.buffer, 0, count, rows, count);
  return e.record(y, 'slice', [x], (g) => {
    const dx = e.zeros(x.shape);
    e.k.copyStrided(g.buffer, 0, count, dx.buffer, start, cols, rows, count);
    return [dx];
  });
}
