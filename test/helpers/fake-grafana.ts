// Grafana cannot run here (no package on the registries this project reaches), so the
// doctor's Grafana checks are tested against this stand-in for the four Grafana HTTP API
// endpoints they call, answering as Grafana 10/11 does. Basic auth admin/admin.
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';

export interface FakeGrafana {
  url: string;
  /** Make the data source's health check fail, as when Grafana cannot reach Prometheus. */
  datasourceHealthy: boolean;
  dashboardProvisioned: boolean;
  close(): Promise<void>;
}

export async function startFakeGrafana(): Promise<FakeGrafana> {
  const state = { datasourceHealthy: true, dashboardProvisioned: true };
  const server: Server = createServer((request, response) => {
    const send = (status: number, body: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (request.url === '/api/health') return send(200, { commit: 'abc', database: 'ok', version: '11.3.0' });
    if (request.headers.authorization !== `Basic ${Buffer.from('admin:admin').toString('base64')}`)
      return send(401, { message: 'Unauthorized' });
    if (request.url === '/api/datasources')
      return send(200, [{ id: 1, uid: 'algo-prometheus', name: 'Prometheus', type: 'prometheus', url: 'http://prometheus:9090' }]);
    if (request.url === '/api/datasources/uid/algo-prometheus/health') {
      return state.datasourceHealthy
        ? send(200, { status: 'OK', message: 'Successfully queried the Prometheus API.' })
        : send(400, { status: 'ERROR', message: 'Post "http://prometheus:9090/api/v1/query": dial tcp: lookup prometheus: no such host' });
    }
    if (request.url === '/api/dashboards/uid/algo-overview' && state.dashboardProvisioned)
      return send(200, { dashboard: { uid: 'algo-overview' }, meta: { provisioned: true } });
    return send(404, { message: 'Not found' });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
