// The cameras API: GET /api/v1/cameras, GET /api/v1/cameras/:id, the latest frame as JPEG
// (annotated with the last result's boxes and groups on ?annotate=true) and POST
// /api/v1/cameras/:id/reconnect. URLs are shown masked; unknown ids are 404 unknown_camera.
// Reading needs the `read` scope, reconnecting `admin`.
import type { FastifyInstance } from 'fastify';
import type { Camera } from '../../cameras/camera.js';
import type { CameraManager } from '../../cameras/camera-manager.js';
import { invalidRequest, noFrame, unknownCamera } from '../../errors.js';

export interface CameraRouteOptions {
  cameras: CameraManager;
}

interface IdParams {
  id: string;
}

/** `size=full`: the camera's own resolution (long side ≤ 1280, about once a second); `detect` (default): the frame detection saw. */
function fullSize(value: unknown): boolean {
  if (value === undefined || value === 'detect') return false;
  if (value === 'full') return true;
  throw invalidRequest('size must be detect or full');
}

function annotateFlag(value: unknown): boolean {
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1' || value === '') return true;
  throw invalidRequest('annotate must be true or false');
}

export async function cameraRoutes(app: FastifyInstance, { cameras }: CameraRouteOptions): Promise<void> {
  const find = (id: string): Camera => {
    const camera = cameras.get(id);
    if (camera === undefined) throw unknownCamera(id);
    return camera;
  };

  const read = { config: { scope: 'read' } } as const;
  app.get('/api/v1/cameras', read, async () => ({ cameras: cameras.list().map((camera) => cameras.view(camera)) }));

  app.get<{ Params: IdParams }>('/api/v1/cameras/:id', read, async (request) => cameras.view(find(request.params.id)));

  app.get<{ Params: IdParams; Querystring: { annotate?: string; size?: string } }>(
    '/api/v1/cameras/:id/snapshot.jpg',
    read,
    async (request, reply) => {
      const camera = find(request.params.id);
      const jpeg = await cameras.snapshot(camera, annotateFlag(request.query.annotate), fullSize(request.query.size));
      if (jpeg === undefined) throw noFrame(camera.id);
      return reply.type('image/jpeg').header('cache-control', 'no-store').send(jpeg);
    },
  );

  app.post<{ Params: IdParams }>('/api/v1/cameras/:id/reconnect', { config: { scope: 'admin' } }, async (request, reply) => {
    const camera = find(request.params.id);
    camera.reconnect();
    return reply.code(202).send({ id: camera.id, state: camera.state });
  });
}
