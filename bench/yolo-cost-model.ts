// A YOLOv8-shaped graph with random weights and about YOLOv8n's cost (~8.7 GFLOPs at
// 640×640): a strided 3×3 conv backbone with SiLU, three detection heads (80², 40², 20²
// cells = 8400 anchors), output [1, 84, 8400]. Trained weights cannot be downloaded here;
// for speed only the graph's cost matters. Class scores are pushed low (sigmoid(x - 6)) so
// post-processing sees a realistic handful of candidates, not thousands.
import { encodeModel, type NodeSpec, type TensorSpec } from '../test/helpers/onnx-writer.js';

const CLASSES = 80;

export interface CostModel {
  bytes: Uint8Array;
  macs: number;
}

export function buildCostModel(size = 640, seed = 42): CostModel {
  let state = seed >>> 0;
  const random = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const nodes: NodeSpec[] = [];
  const initializers: TensorSpec[] = [];
  let macs = 0;
  let counter = 0;

  function conv(
    input: string,
    cin: number,
    cout: number,
    kernel: number,
    stride: number,
    spatial: number,
    activate = true,
  ): { name: string; spatial: number } {
    const id = counter++;
    const bound = Math.sqrt(6 / (cin * kernel * kernel));
    const weights = Float32Array.from({ length: cout * cin * kernel * kernel }, () => (random() * 2 - 1) * bound);
    initializers.push(
      { name: `w${id}`, dims: [cout, cin, kernel, kernel], data: weights },
      { name: `b${id}`, dims: [cout], data: new Float32Array(cout) },
    );
    const pad = Math.floor(kernel / 2);
    nodes.push({
      op: 'Conv',
      inputs: [input, `w${id}`, `b${id}`],
      outputs: [`c${id}`],
      attributes: { kernel_shape: [kernel, kernel], strides: [stride, stride], pads: [pad, pad, pad, pad] },
    });
    const out = spatial / stride;
    macs += out * out * cout * cin * kernel * kernel;
    if (!activate) return { name: `c${id}`, spatial: out };
    nodes.push(
      { op: 'Sigmoid', inputs: [`c${id}`], outputs: [`s${id}`] },
      { op: 'Mul', inputs: [`c${id}`, `s${id}`], outputs: [`a${id}`] },
    );
    return { name: `a${id}`, spatial: out };
  }

  let x = conv('images', 3, 16, 3, 2, size);
  x = conv(x.name, 16, 32, 3, 2, x.spatial);
  for (let i = 0; i < 3; i++) x = conv(x.name, 32, 32, 3, 1, x.spatial);
  const stages: Array<{ name: string; channels: number; spatial: number }> = [];
  let channels = 32;
  for (const [out, repeats] of [
    [64, 4],
    [128, 4],
    [256, 2],
  ] as const) {
    x = conv(x.name, channels, out, 3, 2, x.spatial);
    for (let i = 0; i < repeats; i++) x = conv(x.name, out, out, 3, 1, x.spatial);
    channels = out;
    stages.push({ name: x.name, channels, spatial: x.spatial });
  }
  const heads = stages.map((stage, index) => {
    let h = conv(stage.name, stage.channels, 64, 3, 1, stage.spatial);
    h = conv(h.name, 64, 64, 3, 1, h.spatial);
    h = conv(h.name, 64, 4 + CLASSES, 1, 1, h.spatial, false);
    initializers.push({ name: `shape${index}`, dims: [3], data: { int64: [1, 4 + CLASSES, h.spatial * h.spatial] } });
    nodes.push({ op: 'Reshape', inputs: [h.name, `shape${index}`], outputs: [`flat${index}`] });
    return `flat${index}`;
  });
  nodes.push({ op: 'Concat', inputs: heads, outputs: ['raw'], attributes: { axis: 2 } });
  initializers.push(
    { name: 'split', dims: [2], data: { int64: [4, CLASSES] } },
    { name: 'box_scale', dims: [1], data: Float32Array.of(size / 4) },
    { name: 'score_shift', dims: [1], data: Float32Array.of(6) },
  );
  nodes.push(
    { op: 'Split', inputs: ['raw', 'split'], outputs: ['box_raw', 'cls_raw'], attributes: { axis: 1 } },
    { op: 'Abs', inputs: ['box_raw'], outputs: ['box_abs'] },
    { op: 'Mul', inputs: ['box_abs', 'box_scale'], outputs: ['boxes'] },
    { op: 'Sub', inputs: ['cls_raw', 'score_shift'], outputs: ['cls_shifted'] },
    { op: 'Sigmoid', inputs: ['cls_shifted'], outputs: ['scores'] },
    { op: 'Concat', inputs: ['boxes', 'scores'], outputs: ['output0'], attributes: { axis: 1 } },
  );
  const bytes = encodeModel({
    inputs: [{ name: 'images', dims: [1, 3, size, size] }],
    outputs: [{ name: 'output0', dims: [1, 4 + CLASSES, 8400 * (size / 640) ** 2] }],
    nodes,
    initializers,
    metadata: { description: 'algo benchmark graph with YOLOv8n cost (random weights)', imgsz: `[${size}, ${size}]`, task: 'detect' },
  });
  return { bytes, macs };
}
