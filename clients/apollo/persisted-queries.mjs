// Apollo Client 4's automatic persisted queries (APQ) against the archive: its
// persisted-queries link over HttpLink, by POST and by GET, with a fetch that records
// what the client sent and what came back.
//
//   node clients/apollo/persisted-queries.mjs http://127.0.0.1:8000/graphql/
//
// For each way: a first client sends the hash alone, is told PERSISTED_QUERY_NOT_FOUND,
// and its link sends the query again with the text; a second client, with a cache of
// its own, sends the hash alone and is answered. Prints each request (method, what it
// carried, status, error code or data, Cache-Control), then the data each client read.
import { createHash } from 'node:crypto';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { createPersistedQueryLink } from '@apollo/client/link/persisted-queries';

const url = process.argv[2];
if (!url) {
  console.error('usage: node apollo/persisted-queries.mjs URL');
  process.exit(2);
}

const sha256 = (text) => createHash('sha256').update(text).digest('hex');

// A fetch that notes each request as the server saw it: by GET, the names of the URL's
// parameters; by POST, those of the JSON body.
const requests = [];
function recording(clientName) {
  return async (input, init = {}) => {
    const method = init.method ?? 'GET';
    const carried =
      method === 'GET'
        ? `?${[...new URL(input).searchParams.keys()].sort().join('&')}`
        : `{${Object.keys(JSON.parse(init.body)).sort().join(', ')}}`;
    const response = await fetch(input, init);
    const body = await response.clone().json();
    const outcome = body.errors ? body.errors.map((e) => e.extensions.code).join(', ') : 'data';
    const cacheControl = response.headers.get('cache-control');
    requests.push(`  ${clientName}: ${method} ${carried} -> ${response.status} ${outcome} (${cacheControl})`);
    return response;
  };
}

function client(clientName, useGETForHashedQueries) {
  const persisted = createPersistedQueryLink({ sha256, useGETForHashedQueries });
  const http = new HttpLink({ uri: url, fetch: recording(clientName) });
  return new ApolloClient({ link: persisted.concat(http), cache: new InMemoryCache() });
}

// One query for each way, that nothing else sends: the server learns its hash here.
const WAYS = {
  POST: gql`
    query ApqByPost($slug: String!) {
      person(slug: $slug) { name born { display } }
    }
  `,
  GET: gql`
    query ApqByGet($slug: String!) {
      state(slug: $slug) { name existence { display } }
    }
  `,
};
const VARIABLES = { POST: { slug: 'ivan-maisky' }, GET: { slug: 'soviet-union' } };

for (const [way, query] of Object.entries(WAYS)) {
  const useGET = way === 'GET';
  const read = [];
  requests.length = 0;
  for (const clientName of ['client 1', 'client 2']) {
    const { data } = await client(clientName, useGET).query({ query, variables: VARIABLES[way] });
    read.push(`  ${clientName} read ${JSON.stringify(data)}`);
  }
  console.log(`By ${way}${useGET ? ' (useGETForHashedQueries)' : ''}:`);
  console.log([...requests, ...read].join('\n'));
}
