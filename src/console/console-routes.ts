// The web console, one Fastify plugin: the pages (/, /cameras/:id, /events, /system) and their
// modules need `read` (a bearer token, a loopback client in loopback mode, or a console
// session); the login form and the stylesheet are public. A page refused for want of
// credentials redirects to /login; every answer carries the security headers. Two small read
// endpoints feed the pages: GET /api/v1/scenes (zones, lines and their counts now), GET
// /api/v1/scenes/:id/snapshot.jpg (a push camera's last frame, annotated) and GET
// /api/v1/cameras/:id/history (health samples). Frames come from the cameras' snapshots,
// encoded once per frame whoever asks (cameras/camera-manager.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessControl } from '../auth/access-control.js';
import type { SessionStore } from '../auth/sessions.js';
import type { CameraManager } from '../cameras/camera-manager.js';
import { isAlgoError, noFrame, unknownCamera } from '../errors.js';
import type { Scenes } from '../scene/scenes.js';
import { loadAssets, STYLESHEET } from './assets.js';
import type { HealthHistory } from './health-history.js';
import { loginRoutes } from './login-routes.js';
import { PushSnapshots } from './push-snapshots.js';
import { cameraPage, eventsPage, gridPage, helperLabels, notFoundPage, systemPage, type GridCamera } from './pages.js';
import { addSecurityHeaders } from './security-headers.js';
import { systemInfo, type SystemSources } from './system-info.js';

export interface ConsoleDeps {
  access: Pick<AccessControl, 'authenticate' | 'mode'>;
  sessions: SessionStore;
  secure: boolean;
  cameras: CameraManager | undefined;
  scenes: Scenes | undefined;
  history: HealthHistory | undefined;
  /** The model's labels (the zone helper's picker when a camera lists no `track: {labels}`). */
  labels: readonly string[];
  /** A camera's `track: {labels}` (the zone helper offers only those); not given: every model label. */
  trackedLabels?: (cameraId: string) => readonly string[] | null | undefined;
  system: SystemSources;
}

const HTML = 'text/html; charset=utf-8';
const READ = { config: { scope: 'read' } } as const;
const PAGES: ReadonlySet<string> = new Set(['/', '/cameras/:id', '/events', '/system']);
/** Refusals a login cures: the page sends the browser to the form instead. */
const LOGIN_CURES: ReadonlySet<string> = new Set(['auth_required', 'invalid_token']);

interface IdParams {
  id: string;
}

export async function consoleRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const { sessions, cameras, scenes, history } = deps;
  const assets = await loadAssets();
  addSecurityHeaders(app);
  app.setErrorHandler((error, request, reply) => {
    if (PAGES.has(request.routeOptions.url ?? '') && isAlgoError(error) && LOGIN_CURES.has(error.code)) {
      return reply.header('cache-control', 'no-store').redirect('/login', 303);
    }
    throw error;
  });
  await app.register(loginRoutes, { access: deps.access, sessions, secure: deps.secure });

  const hasSession = (request: FastifyRequest): boolean => sessions.find(request.headers.cookie) !== undefined;
  const sendPage = (reply: FastifyReply, body: string, status = 200): FastifyReply =>
    reply.code(status).type(HTML).header('cache-control', 'no-store').send(body);

  const gridCameras = (): GridCamera[] => {
    const read: GridCamera[] = (cameras?.list() ?? []).map((camera) => ({
      kind: 'read',
      view: cameras!.view(camera),
      scene: scenes?.view(camera.id),
    }));
    const push: GridCamera[] = (scenes?.cameraIds ?? [])
      .filter((id) => cameras?.get(id) === undefined)
      .flatMap((id) => {
        const scene = scenes!.view(id);
        return scene === undefined ? [] : [{ kind: 'push' as const, scene }];
      });
    return [...read, ...push];
  };

  app.get('/', READ, async (request, reply) => sendPage(reply, gridPage(gridCameras(), hasSession(request))));

  app.get<{ Params: IdParams }>('/cameras/:id', READ, async (request, reply) => {
    const { id } = request.params;
    const camera = cameras?.get(id);
    const scene = scenes?.view(id);
    if (camera === undefined && scene === undefined)
      return sendPage(reply, notFoundPage(`No camera ${JSON.stringify(id)} is configured.`, hasSession(request)), 404);
    const view = camera === undefined ? undefined : cameras!.view(camera);
    const labels = helperLabels(deps.labels, deps.trackedLabels?.(id));
    return sendPage(reply, cameraPage({ id, view, scene, labels }, hasSession(request)));
  });

  app.get('/events', READ, async (request, reply) =>
    sendPage(
      reply,
      eventsPage(
        gridCameras().map((camera) => (camera.kind === 'read' ? camera.view.id : camera.scene.camera_id)),
        hasSession(request),
      ),
    ),
  );

  app.get('/system', READ, async (request, reply) => sendPage(reply, systemPage(await systemInfo(deps.system), hasSession(request))));

  app.get('/api/v1/scenes', READ, async () => ({
    scenes: (scenes?.cameraIds ?? []).flatMap((id) => {
      const scene = scenes!.view(id);
      return scene === undefined ? [] : [scene];
    }),
  }));

  const pushed = scenes === undefined ? undefined : new PushSnapshots(scenes);
  app.get<{ Params: IdParams }>('/api/v1/scenes/:id/snapshot.jpg', READ, async (request, reply) => {
    const { id } = request.params;
    if (scenes?.has(id) !== true || cameras?.get(id) !== undefined) throw unknownCamera(id);
    const jpeg = await pushed?.jpeg(id);
    if (jpeg === undefined) throw noFrame(id);
    return reply.type('image/jpeg').header('cache-control', 'no-store').send(jpeg);
  });

  app.get<{ Params: IdParams }>('/api/v1/cameras/:id/history', READ, async (request) => {
    const samples = history?.of(request.params.id);
    if (samples === undefined) throw unknownCamera(request.params.id);
    return { camera_id: request.params.id, interval_s: (history?.intervalMs ?? 0) / 1000, samples };
  });

  app.get<{ Params: { name: string } }>('/console/:name', { config: { scope: 'read' } }, async (request, reply) =>
    sendAsset(request, reply, request.params.name),
  );
  // The login form's stylesheet: the one asset served without credentials.
  app.get(`/console/${STYLESHEET}`, { config: { scope: 'public' } }, async (request, reply) => sendAsset(request, reply, STYLESHEET));

  function sendAsset(request: FastifyRequest, reply: FastifyReply, name: string): FastifyReply {
    const asset = assets.get(name);
    if (asset === undefined) return sendPage(reply, notFoundPage('No such console file.', false), 404);
    reply.header('etag', asset.etag).header('cache-control', 'no-cache');
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    return reply.type(asset.type).send(asset.body);
  }
}
