// The chat messages asking for a scene summary, built from the detections: counts by class,
// person groups, and each object's place in a 3×3 grid. The user message comes from a
// template (ALGO_LLM_PROMPT_FILE overrides the default) whose {{placeholders}} are filled
// here; with vision on, the frame goes along as a downscaled JPEG image part.
import sharp from 'sharp';
import type { DetectionResponse, Box } from '../detect/types.js';
import type { ChatMessage, ContentPart } from './chat-completions.js';
import { countByLabel, templateSummary } from './template-summary.js';

export const SYSTEM_PROMPT =
  'You summarise what a security camera sees for an operator. Answer in one or two short plain sentences. State only what the detections (and the image, when given) support; do not speculate.';

export const DEFAULT_PROMPT_TEMPLATE = `Camera {{camera_id}}, frame {{width}}x{{height}} px.
Detected: {{counts}}.
Groups of people: {{groups}}.
Objects (label, confidence, position):
{{objects}}
Summarise the scene.`;

export const PROMPT_PLACEHOLDERS = ['camera_id', 'width', 'height', 'counts', 'groups', 'objects', 'template_summary'] as const;
type Placeholder = (typeof PROMPT_PLACEHOLDERS)[number];

const MAX_LISTED_OBJECTS = 40;
const ROWS = ['top', 'middle', 'bottom'] as const;
const COLUMNS = ['left', 'center', 'right'] as const;

function position(box: Box, width: number, height: number): string {
  const column = COLUMNS[Math.min(2, Math.max(0, Math.floor(((box.x + box.width / 2) / width) * 3)))]!;
  const row = ROWS[Math.min(2, Math.max(0, Math.floor(((box.y + box.height / 2) / height) * 3)))]!;
  return row === 'middle' && column === 'center' ? 'center' : `${row}-${column}`;
}

function values(detection: DetectionResponse): Record<Placeholder, string> {
  const { width, height } = detection.image;
  const counts = countByLabel(detection.objects)
    .map(([label, n]) => `${n} ${label}`)
    .join(', ');
  const groups = detection.groups.map((group) => `${group.size} people at ${position(group.box, width, height)}`).join('; ');
  const listed = detection.objects
    .slice(0, MAX_LISTED_OBJECTS)
    .map((o) => `- ${o.label} ${o.score.toFixed(2)} ${position(o.box, width, height)}`);
  if (detection.objects.length > MAX_LISTED_OBJECTS) listed.push(`- … ${detection.objects.length - MAX_LISTED_OBJECTS} more`);
  return {
    camera_id: detection.camera_id,
    width: String(width),
    height: String(height),
    counts: counts === '' ? 'nothing' : counts,
    groups: groups === '' ? 'none' : groups,
    objects: listed.length === 0 ? '- none' : listed.join('\n'),
    template_summary: templateSummary(detection.objects, detection.groups),
  };
}

export function renderPrompt(template: string, detection: DetectionResponse): string {
  const filled = values(detection);
  return template.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (match, name: string) => (name in filled ? filled[name as Placeholder] : match));
}

export interface PromptOptions {
  template: string;
  /** Longest side of the image part; undefined = no image. */
  visionMaxSide: number | undefined;
}

/** The frame as a data: URL JPEG no larger than maxSide, EXIF orientation applied. */
export async function imagePart(image: Buffer, maxSide: number): Promise<ContentPart> {
  const jpeg = await sharp(image)
    .rotate()
    .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 80 })
    .toBuffer();
  return { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${jpeg.toString('base64')}`, detail: 'low' } };
}

export async function buildMessages(
  detection: DetectionResponse,
  image: Buffer | undefined,
  options: PromptOptions,
): Promise<ChatMessage[]> {
  const text = renderPrompt(options.template, detection);
  const content: string | ContentPart[] =
    options.visionMaxSide === undefined || image === undefined
      ? text
      : [{ type: 'text', text }, await imagePart(image, options.visionMaxSide)];
  return [
    { role: 'system', content: SYSTEM_PROMPT },
    { role: 'user', content },
  ];
}
