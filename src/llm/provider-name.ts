// The default `provider` metric label, derived from the API's base URL when
// ALGO_LLM_PROVIDER is not set: known hosted APIs by domain, Ollama by its port, any other
// loopback or private address as "local", else the host's main domain label.
const KNOWN_DOMAINS: ReadonlyArray<[suffix: string, provider: string]> = [
  ['openai.com', 'openai'],
  ['openai.azure.com', 'azure'],
  ['deepseek.com', 'deepseek'],
  ['dashscope.aliyuncs.com', 'dashscope'],
  ['dashscope-intl.aliyuncs.com', 'dashscope'],
  ['groq.com', 'groq'],
  ['mistral.ai', 'mistral'],
  ['together.xyz', 'together'],
  ['openrouter.ai', 'openrouter'],
  ['fireworks.ai', 'fireworks'],
];

const LOCAL_HOST =
  /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|172\.(1[6-9]|2\d|3[01])\.\d+\.\d+|host\.docker\.internal)$/;

export function providerFromUrl(baseUrl: URL): string {
  const host = baseUrl.hostname.toLowerCase();
  if (baseUrl.port === '11434') return 'ollama';
  const known = KNOWN_DOMAINS.find(([suffix]) => host === suffix || host.endsWith(`.${suffix}`));
  if (known !== undefined) return known[1];
  if (LOCAL_HOST.test(host) || !host.includes('.')) return 'local';
  const labels = host.split('.');
  const main = labels.length >= 2 ? labels[labels.length - 2]! : host;
  return main.replace(/[^a-z0-9_-]/g, '_').slice(0, 32) || 'unknown';
}
