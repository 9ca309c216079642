// Worker-thread entry: loads one ONNX engine and runs frames sent by the main thread, so
// inference never blocks the event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { loadOnnxEngine } from './onnx-engine.js';
import type { EngineSpec, FrameRequest, WorkerReply } from './protocol.js';
import { messageOf } from '../../errors.js';

const port = parentPort;
if (port === null) throw new Error('detector-worker must run as a worker thread');
const reply = (message: WorkerReply): void => port.postMessage(message);

try {
  const engine = await loadOnnxEngine(workerData as EngineSpec);
  port.on('message', (frame: FrameRequest) => {
    engine.run(frame).then(
      (result) => reply({ type: 'result', id: frame.id, ...result }),
      (error: unknown) => reply({ type: 'error', id: frame.id, message: messageOf(error) }),
    );
  });
  reply({ type: 'ready', info: engine.info });
} catch (error) {
  reply({ type: 'failed', message: messageOf(error) });
}
