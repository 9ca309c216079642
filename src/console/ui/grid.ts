// The camera grid (/): every second while the tab is visible, each card's frame, state, fps,
// dropped share, reconnects and zone/line counts are refreshed from the API.
import { countsList, getJson, refreshFrame, stateNode, whileVisible, type CameraView, type SceneView } from './common.js';

function set(card: HTMLElement, field: string, node: Node | string): void {
  const target = card.querySelector(`[data-field="${field}"]`);
  if (target !== null) target.replaceChildren(node);
}

async function tick(): Promise<void> {
  const cards = [...document.querySelectorAll<HTMLElement>('li.card')];
  const [cameras, scenes] = await Promise.all([
    getJson<{ cameras: CameraView[] }>('/api/v1/cameras'),
    getJson<{ scenes: SceneView[] }>('/api/v1/scenes'),
  ]);
  const views = new Map((cameras?.cameras ?? []).map((view) => [view.id, view]));
  const sceneOf = new Map((scenes?.scenes ?? []).map((scene) => [scene.camera_id, scene]));
  await Promise.all(
    cards.map(async (card) => {
      const id = card.dataset.camera ?? '';
      const view = views.get(id);
      if (view !== undefined) {
        set(card, 'state', stateNode(view));
        set(card, 'fps', view.fps.toFixed(1));
        set(card, 'dropped', view.frames === 0 ? '0%' : `${Math.round((view.dropped / view.frames) * 1000) / 10}%`);
        set(card, 'reconnects', String(view.reconnects));
      }
      const counts = card.querySelector('[data-field="counts"]');
      if (counts !== null && sceneOf.has(id)) counts.replaceWith(countsList(sceneOf.get(id)));
      const img = card.querySelector<HTMLImageElement>('img[data-field="frame"]');
      if (img !== null) await refreshFrame(img);
    }),
  );
  document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed ?? '0') + 1);
}

whileVisible(tick, 1000);
