// Apollo Client 4 in Node: the README's first query, then a query over a limit, whose
// error Apollo Client hands over with its extensions.code.
//
//   node clients/apollo/readme.mjs http://127.0.0.1:8000/graphql/
//
// Prints the same lines as clients/python/readme.py and clients/browser/index.html.
import { readFileSync } from 'node:fs';
import { ApolloClient, CombinedGraphQLErrors, HttpLink, InMemoryCache, gql } from '@apollo/client';

const url = process.argv[2];
if (!url) {
  console.error('usage: node apollo/readme.mjs URL');
  process.exit(2);
}
const operation = (name) =>
  gql(readFileSync(new URL(`../operations/${name}.graphql`, import.meta.url), 'utf8'));

// Apollo Client 4 asks for application/graphql-response+json: a request error is a 400
// whose body still carries the errors, codes and all.
const client = new ApolloClient({ link: new HttpLink({ uri: url }), cache: new InMemoryCache() });

const { data } = await client.query({ query: operation('PersonsAndEvents') });
console.log(`Persons: ${data.persons.results.map((person) => person.name).join(', ')}`);
console.log(`Events of July and August 1941: ${data.events.totalCount}`);
for (const event of data.events.results) {
  const place = event.place ? `, ${event.place.name}` : '';
  console.log(`  ${event.date.display}: ${event.name} (${event.kind}${place})`);
}

try {
  await client.query({ query: operation('OverTheLimit') });
  console.log('OverTheLimit: no error');
} catch (error) {
  if (!CombinedGraphQLErrors.is(error)) throw error;
  for (const { message, extensions } of error.errors) {
    console.log(`OverTheLimit: ${extensions.code}: ${message}`);
  }
}
