// The yardstick for bench:http: a bare Fastify server with no hooks, no logger and no
// metrics, answering GET /healthz as algo does. PORT from the environment; prints nothing.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/healthz', async () => ({ status: 'ok' }));
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void app.close().then(() => process.exit(0)));
