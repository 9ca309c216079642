// Reads a multipart form carrying one image file and a few short text fields, with the same
// limits as a raw image body: the whole request (every part, field and boundary) is bounded by
// `maxBytes`, a second file or an oversized field is refused rather than ignored or truncated,
// and a malformed form is the client's error (400 invalid_request), never a 500.
import type { MultipartFile, MultipartValue } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { invalidRequest, isAlgoError, messageOf, tooLarge } from '../../errors.js';

export interface ImageFormLimits {
  /** Largest request, in bytes, all parts included (ALGO_MAX_BODY_BYTES). */
  maxBytes: number;
  /** Name of the field that carries the image. */
  fileField: string;
  /** Text fields allowed besides the file. */
  maxFields: number;
  /** Largest text field value, in bytes. */
  maxFieldBytes: number;
}

export interface ImageForm {
  image: Buffer;
  /** Text fields by name (the last value when a name repeats). */
  fields: Record<string, string>;
  /** Names of the text fields given more than once (for callers that must refuse an ambiguous field). */
  repeated: ReadonlySet<string>;
}

/** Multipart plugin errors (they carry a code) and busboy's plain errors, as algo errors. */
function formError(error: unknown, limits: ImageFormLimits): unknown {
  if (isAlgoError(error)) return error;
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  if (code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT') return tooLarge(`The form has more than ${limits.maxFields} fields`);
  if (code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge(`The image is over ${limits.maxBytes} bytes (ALGO_MAX_BODY_BYTES)`);
  if (typeof code === 'string') return error;
  return invalidRequest(`Malformed multipart body: ${messageOf(error)}`);
}

async function readParts(request: FastifyRequest, limits: ImageFormLimits): Promise<ImageForm> {
  let image: Buffer | undefined;
  const fields: Record<string, string> = {};
  const repeated = new Set<string>();
  const parts = request.parts({
    limits: { fileSize: limits.maxBytes, files: 2, fields: limits.maxFields, parts: limits.maxFields + 2, fieldSize: limits.maxFieldBytes },
  });
  for await (const part of parts as AsyncIterableIterator<MultipartFile | MultipartValue>) {
    if (part.type === 'file') {
      if (image !== undefined) throw invalidRequest('The form has more than one file; send one image per request');
      if (part.fieldname !== limits.fileField)
        throw invalidRequest(`multipart file field is "${part.fieldname}"; expected "${limits.fileField}"`);
      image = await part.toBuffer();
    } else {
      if (part.valueTruncated) throw tooLarge(`Form field "${part.fieldname}" is over ${limits.maxFieldBytes} bytes`);
      if (Object.hasOwn(fields, part.fieldname)) repeated.add(part.fieldname);
      fields[part.fieldname] = String(part.value);
    }
  }
  if (image === undefined) throw invalidRequest(`multipart form has no file; send the image in a field named "${limits.fileField}"`);
  return { image, fields, repeated };
}

/** Reads the whole form; throws AlgoErrors (invalid_request, too_large) for what the client sent wrong. */
export async function readImageForm(request: FastifyRequest, limits: ImageFormLimits): Promise<ImageForm> {
  const declared = Number(request.headers['content-length']);
  if (declared > limits.maxBytes) throw tooLarge(`The request is ${declared} bytes; the limit is ${limits.maxBytes} (ALGO_MAX_BODY_BYTES)`);
  // Counts every byte of the form (a chunked body declares no length). Attached in the same
  // tick as the parser's pipe, so no chunk goes uncounted.
  let received = 0;
  const count = (chunk: Buffer): void => {
    received += chunk.length;
    if (received > limits.maxBytes) {
      request.raw.removeListener('data', count);
      // The multipart parser fails with this error and stops reading.
      request.raw.emit('error', tooLarge(`The request is over ${limits.maxBytes} bytes (ALGO_MAX_BODY_BYTES)`));
    }
  };
  request.raw.on('data', count);
  try {
    return await readParts(request, limits);
  } catch (error) {
    throw formError(error, limits);
  } finally {
    request.raw.removeListener('data', count);
  }
}
