// The one fix for a scrape job that sends no metrics token (or another one), worded once so
// every check that meets the fault prints the same snippet.

export const SCRAPE_TOKEN_FIX =
  'give the scrape job `authorization: { type: Bearer, credentials_file: /path/to/token }`, the file holding ALGO_METRICS_TOKEN or an API token of the metrics scope ' +
  '(without Docker: bash scripts/prometheus-local.sh --token-file FILE)';
