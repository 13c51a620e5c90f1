// The GraphQL-over-HTTP audits of the graphql-http package, run against a live server.
//
//   node clients/graphql-http-audit.mjs http://127.0.0.1:8000/graphql/
//
// Prints each audit's result and the counts; exits 1 on any error (a MUST the
// server breaks) or warning (a SHOULD), 0 otherwise. Notices (a MAY the server
// does not do) are printed but pass.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node graphql-http-audit.mjs URL');
  process.exit(2);
}

const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  counts[result.status] += 1;
  let line = `${result.status.padEnd(6)} ${result.id} ${result.name}`;
  if (result.status !== 'ok') {
    const response = result.response;
    let body = '';
    try {
      body = await response.text();
    } catch {
      // The audit has read the body already.
    }
    line += `\n       ${result.reason}: HTTP ${response.status} ` +
      `${response.headers.get('content-type') ?? ''} ${body.slice(0, 300)}`;
  }
  console.log(line);
}
const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
console.log(
  `${total} audits: ${counts.ok} ok, ${counts.notice} notices, ` +
    `${counts.warn} warnings, ${counts.error} errors`,
);
process.exit(counts.warn || counts.error ? 1 : 0);
