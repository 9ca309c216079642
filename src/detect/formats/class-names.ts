// Class names for a YOLO model: Ultralytics stores them in the ONNX metadata as a Python
// dict literal, e.g. "{0: 'person', 1: 'bicycle'}"; without it, COCO's 80 classes.

export const COCO80 = [
  'person',
  'bicycle',
  'car',
  'motorcycle',
  'airplane',
  'bus',
  'train',
  'truck',
  'boat',
  'traffic light',
  'fire hydrant',
  'stop sign',
  'parking meter',
  'bench',
  'bird',
  'cat',
  'dog',
  'horse',
  'sheep',
  'cow',
  'elephant',
  'bear',
  'zebra',
  'giraffe',
  'backpack',
  'umbrella',
  'handbag',
  'tie',
  'suitcase',
  'frisbee',
  'skis',
  'snowboard',
  'sports ball',
  'kite',
  'baseball bat',
  'baseball glove',
  'skateboard',
  'surfboard',
  'tennis racket',
  'bottle',
  'wine glass',
  'cup',
  'fork',
  'knife',
  'spoon',
  'bowl',
  'banana',
  'apple',
  'sandwich',
  'orange',
  'broccoli',
  'carrot',
  'hot dog',
  'pizza',
  'donut',
  'cake',
  'chair',
  'couch',
  'potted plant',
  'bed',
  'dining table',
  'toilet',
  'tv',
  'laptop',
  'mouse',
  'remote',
  'keyboard',
  'cell phone',
  'microwave',
  'oven',
  'toaster',
  'sink',
  'refrigerator',
  'book',
  'clock',
  'vase',
  'scissors',
  'teddy bear',
  'hair drier',
  'toothbrush',
] as const;

const ENTRY = /(\d+)\s*:\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")/g;

/** Parses Ultralytics' `names` metadata; undefined when absent or unreadable. */
export function parseUltralyticsNames(value: string | undefined): Map<number, string> | undefined {
  if (value === undefined) return undefined;
  const names = new Map<number, string>();
  for (const match of value.matchAll(ENTRY)) {
    const text = (match[2] ?? match[3] ?? '').replace(/\\(.)/g, '$1');
    names.set(Number(match[1]), text);
  }
  return names.size > 0 ? names : undefined;
}

/** One name per class id: from the metadata where given, else COCO-80, else class_<id>. */
export function classNamesFor(numClasses: number, metadataNames: Map<number, string> | undefined): string[] {
  return Array.from(
    { length: numClasses },
    (_, id) => metadataNames?.get(id) ?? (metadataNames === undefined ? COCO80[id] : undefined) ?? `class_${id}`,
  );
}

const MODEL_TYPE = /(yolo(?:v\d+|\d+)[a-z]?(?:-[a-z]+)?|rt-?detr-[a-z0-9]+)/i;

/** model_type label: from the metadata description, else the file name (e.g. yolov8n). */
export function modelTypeFor(description: string | undefined, fileName: string): string {
  const fromDescription = description?.match(MODEL_TYPE)?.[1];
  if (fromDescription !== undefined) return fromDescription.toLowerCase();
  const stem = fileName.replace(/^.*[\\/]/, '').replace(/\.onnx$/i, '');
  const fromFile = stem.match(MODEL_TYPE)?.[1];
  return (
    (fromFile ?? stem)
      .toLowerCase()
      .replace(/[^a-z0-9._-]/g, '_')
      .slice(0, 40) || 'onnx'
  );
}
