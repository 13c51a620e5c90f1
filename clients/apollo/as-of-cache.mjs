// Apollo Client's InMemoryCache, normalising a record now and as it was (asOf): reads
// {"now": {query, variables, data}, "then": {...}} on stdin (answers of the archive),
// writes both into one cache as Apollo Client does with answers, reads both back and
// prints them with the cache's keys. tests/test_graphql_relay.py runs it.
import { readFileSync } from 'node:fs';
import { InMemoryCache, gql } from '@apollo/client';

const answers = JSON.parse(readFileSync(0, 'utf8'));
const cache = new InMemoryCache();
const order = ['now', 'then'];
for (const name of order) {
  const { query, variables, data } = answers[name];
  cache.writeQuery({ query: gql(query), variables, data });
}
const read = {};
for (const name of order) {
  const { query, variables } = answers[name];
  read[name] = cache.readQuery({ query: gql(query), variables });
}
const keys = Object.keys(cache.extract()).filter((key) => key !== 'ROOT_QUERY').sort();
console.log(JSON.stringify({ read, keys }));
