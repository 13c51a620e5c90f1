// A plain fetch from another origin (the archive answers CORS): the README's first query,
// then a query over a limit, whose error carries its extensions.code.
const api = new URL('/graphql/', new URLSearchParams(location.search).get('api')).href;
const output = document.getElementById('output');
const lines = [];

async function run(name) {
  const query = await (await fetch(`../operations/${name}.graphql`)).text();
  const response = await fetch(api, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      // The spec's media type: a request error is then a 4xx, with its errors in the body.
      Accept: 'application/graphql-response+json, application/json;q=0.9',
    },
    body: JSON.stringify({ query, operationName: name }),
  });
  return response.json();
}

const { data } = await run('PersonsAndEvents');
lines.push(`Persons: ${data.persons.results.map((person) => person.name).join(', ')}`);
lines.push(`Events of July and August 1941: ${data.events.totalCount}`);
for (const event of data.events.results) {
  const place = event.place ? `, ${event.place.name}` : '';
  lines.push(`  ${event.date.display}: ${event.name} (${event.kind}${place})`);
}
const { errors } = await run('OverTheLimit');
for (const { message, extensions } of errors ?? []) {
  lines.push(`OverTheLimit: ${extensions.code}: ${message}`);
}
output.textContent = lines.join('\n');
output.removeAttribute('aria-busy');
