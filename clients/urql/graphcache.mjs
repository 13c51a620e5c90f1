// urql with Graphcache, its normalised cache, in Node: queries that read every object
// type of the schema, each answer read back from the cache it was normalised into,
// and the console warnings Graphcache gave.
//
//   node clients/urql/graphcache.mjs http://127.0.0.1:8000/graphql/
//
// Prints, for each query, how many objects of each type it read and whether the cache
// gives back the server's answer; the types read, keyed or embedded; a person read
// asOf a past moment and now, two entities; and the warnings, one a line. A type
// Graphcache cannot key warns "Invalid key" (its warning 15): tests/test_clients.py
// runs this and holds every type of archive/graphql/schema.graphql to a key or to
// the `keys: () => null` below.
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { Client, fetchExchange, formatDocument, gql } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { buildSchema, introspectionFromSchema, print } from 'graphql';

const url = process.argv[2];
if (!url) {
  console.error('usage: node urql/graphcache.mjs URL');
  process.exit(2);
}

// Types with no identity of their own: Graphcache embeds them in the entity (or the
// query field) that holds them, which is where they belong. (Relay's connections,
// edges and PageInfo it embeds by itself, by their names, without a warning.)
const embedded = {
  // A page of a list: what it holds depends on the arguments of the field that
  // answered it, with which Graphcache keys that field already.
  DocumentOffsetPaginated: () => null,
  PersonOffsetPaginated: () => null,
  StateOffsetPaginated: () => null,
  EventOffsetPaginated: () => null,
  PlaceOffsetPaginated: () => null,
  OffsetPaginationInfo: () => null,
  // A hit is the answer to one search; its record is an entity of its own.
  SearchHit: () => null,
  // Values: a date is its EDTF; a name form is its name, language and kind within its
  // record (which has no two alike); a citation is its source (an entity), locator
  // and note within the record or row that cites it.
  HistoricalDate: () => null,
  NameForm: () => null,
  Citation: () => null,
  // A version of a record, read only through that record's history (itself keyed by
  // the record's id, which asOf a moment is the id of that moment), and never changed.
  HistoryEntry: () => null,
  FieldChange: () => null,
};

// The schema, so that Graphcache checks the queries and this config against it (a type
// named in `keys` that the schema lacks is a warning too).
const sdl = readFileSync(new URL('../../archive/graphql/schema.graphql', import.meta.url), 'utf8');
const schema = introspectionFromSchema(buildSchema(sdl));

const warnings = [];
const consoleWarn = console.warn;
console.warn = (...args) => warnings.push(args.join(' '));

// What Query.person links to in the cache, as the updater of its last write sees it.
let personLinks = [];
const showLinks = (_result, _args, cache) => {
  personLinks = cache
    .inspectFields('Query')
    .filter((field) => field.fieldName === 'person')
    .map(({ fieldKey }) => [fieldKey, cache.resolve('Query', fieldKey)])
    .map(([fieldKey, key]) => [fieldKey, key, cache.resolve(key, 'name')]);
};
const client = new Client({
  url,
  exchanges: [
    cacheExchange({
      schema,
      keys: embedded,
      updates: { Query: { person: showLinks } },
    }),
    fetchExchange,
  ],
});
// The same query as the server answers it, without a cache (with the __typename fields
// Graphcache adds to every selection, and drops from what it gives back).
async function answer(query, variables) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query: print(formatDocument(query)), variables }),
  });
  const { data, errors } = await response.json();
  if (errors) throw new Error(JSON.stringify(errors));
  return data;
}

const RECORD = gql`
  fragment Record on Node {
    id
    ... on Document { slug title date { edtf display } }
    ... on Person { slug name }
    ... on State { slug name }
    ... on Event { slug name }
    ... on Place { slug name }
    ... on Source { slug title }
  }
`;

// The first ten records of one type by slug, each with `fields` (and a page of each of
// its lists: $few).
const firstTen = (name, field, fields, { pageInfo = '' } = {}) => gql`
  query ${name}($few: OffsetPaginationInput = { limit: 5 }) {
    ${field}(ordering: [{ slug: ASC }], pagination: { limit: 10 }) {
      totalCount
      ${pageInfo}
      results { id slug ${fields} }
    }
  }
`;
// A record's citations and history, as the states, events and places are read.
const CITED_AND_CHANGED = `
  sources(pagination: $few) { locator source { id title } }
  history(pagination: $few) { type summary }
`;
// A person then and now, read alike.
const PERSON_AS_OF = gql`
  fragment PersonAsOf on Person {
    id name
    born { display }
    nameForms(pagination: $few) { name language }
    positions(pagination: $few) { id title state { id name } }
    events(pagination: $few) { id role event { id name } }
    sources(pagination: $few) { locator source { id title } }
    history(pagination: $few) { type summary }
  }
`;

const QUERIES = {
  persons: firstTen(
    'Persons',
    'persons',
    `name
    nameForms(pagination: $few) { name language kind }
    born { edtf display earliest latest approximate uncertain }
    died { edtf display }
    positions(pagination: $few) { id title state { id name } period { edtf } person { id name } sources { locator } }
    signed(pagination: $few) { id role document { id title } onBehalfOf { id name } person { id name } }
    events(pagination: $few) { id role event { id name } person { id name } sources { locator note source { id title } } }
    sources(pagination: $few) { locator note source { id slug title author url accessed } }
    history(pagination: $few) { date type reason summary changes { field old new } }`,
    { pageInfo: 'pageInfo { offset limit }' },
  ),
  documents: firstTen(
    'Documents',
    'documents',
    `title kind date { edtf display }
    place { id name }
    provisions(pagination: $few) { id number text }
    parties(pagination: $few) { id role state { id name } document { id title } sources { locator } }
    signatories(pagination: $few) { id role person { id name } onBehalfOf { id name } }
    relatedDocuments(pagination: $few) { id relation document { id title } sources { locator } }
    events(pagination: $few) { id role event { id name } document { id title } }
    sources(pagination: $few) { locator source { id title } }
    history(pagination: $few) { type summary changes { field new } }`,
  ),
  states: firstTen(
    'States',
    'states',
    `name officialName
    nameForms(pagination: $few) { name language kind }
    existence { edtf display }
    documents(pagination: $few) { id role document { id title } state { id name } }
    events(pagination: $few) { id role event { id name } state { id name } }
    ${CITED_AND_CHANGED}`,
  ),
  events: firstTen(
    'Events',
    'events',
    `name kind date { edtf display }
    place { id name state { id name } }
    participants(pagination: $few) { id role person { id name } event { id name } }
    states(pagination: $few) { id role state { id name } }
    documents(pagination: $few) { id role document { id title } }
    ${CITED_AND_CHANGED}`,
  ),
  places: firstTen(
    'Places',
    'places',
    `name latitude longitude
    nameForms(pagination: $few) { name language kind }
    state { id name }
    ${CITED_AND_CHANGED}`,
  ),
  connections: gql`
    query Connections {
      documentsConnection(first: 2) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id title } } }
      personsConnection(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name } } }
      statesConnection(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name } } }
      eventsConnection(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name } } }
      placesConnection(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name } } }
    }
  `,
  search: gql`
    query Search {
      search(text: "soviet", limit: 10) {
        score
        record { ... on Node { id } ... on Document { title } ... on Person { name } ... on State { name } ... on Event { name } ... on Place { name } }
      }
    }
  `,
  nodes: gql`
    query Nodes($ids: [ID!]!) {
      nodes(ids: $ids) { ...Record }
    }
    ${RECORD}
  `,
  asOf: gql`
    query AsOf($slug: String!, $moment: DateTime, $few: OffsetPaginationInput = { limit: 5 }) {
      then: person(slug: $slug, asOf: $moment) { ...PersonAsOf }
      now: person(slug: $slug) { ...PersonAsOf }
    }
    ${PERSON_AS_OF}
  `,
};

// What the answers hold: objects counted by __typename; the types read with an id.
const withId = new Set();
function count(value, counts = new Map()) {
  if (Array.isArray(value)) value.forEach((item) => count(item, counts));
  else if (value && typeof value === 'object') {
    if (value.__typename) counts.set(value.__typename, (counts.get(value.__typename) ?? 0) + 1);
    if (value.__typename && 'id' in value) withId.add(value.__typename);
    Object.values(value).forEach((item) => count(item, counts));
  }
  return counts;
}

const withoutTypename = (value) =>
  JSON.parse(JSON.stringify(value, (key, item) => (key === '__typename' ? undefined : item)));

const read = new Map(); // type name -> count, over every query
const answers = {};
async function run(name, variables = {}) {
  const query = QUERIES[name];
  const result = await client.query(query, variables).toPromise();
  if (result.error) throw result.error;
  const server = await answer(query, variables);
  answers[name] = { variables, data: withoutTypename(server) };
  const counts = count(server);
  for (const [type, n] of counts) read.set(type, (read.get(type) ?? 0) + n);
  const summary = [...counts].map(([type, n]) => `${type} ${n}`).join(', ');
  const same = isDeepStrictEqual(result.data, answers[name].data) ? 'as answered' : 'NOT as answered';
  console.log(`${name}: ${summary} (${same})`);
  return result.data;
}

const persons = await run('persons');
const documents = await run('documents');
const states = await run('states');
const events = await run('events');
const places = await run('places');
await run('connections');
await run('search');
// Every record type by its id, sources too (which only citations reach otherwise).
const first = (list) => list[0].id;
const source = persons.persons.results.flatMap((p) => p.sources)[0].source.id;
await run('nodes', {
  ids: [
    first(documents.documents.results),
    first(persons.persons.results),
    first(states.states.results),
    first(events.events.results),
    first(places.places.results),
    source,
  ],
});

// A person as of the moment of their newest version: the same person, but another
// version, keyed apart from the person now (the moment is in the id).
const maisky = persons.persons.results.find((person) => person.slug === 'ivan-maisky');
const moment = maisky.history[0].date;
const asOf = await run('asOf', { slug: maisky.slug, moment });

// Every answer again, from the cache alone: normalising them all into one cache
// changed none of them.
for (const name of Object.keys(answers)) {
  const { variables, data } = answers[name];
  const cached = await client.query(QUERIES[name], variables, { requestPolicy: 'cache-only' }).toPromise();
  if (!isDeepStrictEqual(cached.data, data)) console.log(`${name}: NOT as answered from the cache`);
}
console.log('From the cache alone: every answer as answered');

const decode = (key) => {
  const [type, id] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
  return `${type}:${Buffer.from(id, 'base64').toString().replace(moment, 'MOMENT')}`;
};
for (const [fieldKey, key, name] of personLinks) {
  console.log(`${fieldKey.replace(moment, 'MOMENT')} -> ${decode(key)}: ${name}`);
}
console.log(`asOf and now, one person, two entities: ${asOf.then.id !== asOf.now.id}`);

const types = [...read.keys()].sort();
const keyed = types.filter((type) => withId.has(type));
const byName = types.filter((type) => !withId.has(type) && !(type in embedded));
console.log(`Keyed by id: ${keyed.join(' ')}`);
console.log(`Embedded (keys: () => null): ${Object.keys(embedded).sort().join(' ')}`);
console.log(`Embedded by Graphcache itself: ${byName.join(' ')}`);
console.log(`Embedded but not read: ${Object.keys(embedded).filter((type) => !read.has(type)).join(' ') || 'none'}`);
console.log(`Warnings: ${warnings.length}`);
for (const warning of warnings) console.log(`  ${warning.split('\n')[0]}`);

// The same queries in a cache without those keys: Graphcache warns of each type, which
// shows that every one of them is needed, and that the warnings above would be seen.
warnings.length = 0;
const bare = new Client({ url, exchanges: [cacheExchange({ schema }), fetchExchange] });
for (const [name, { variables }] of Object.entries(answers)) {
  const result = await bare.query(QUERIES[name], variables).toPromise();
  if (result.error) throw result.error;
}
console.warn = consoleWarn;
const warned = new Map(); // type -> the codes of its warnings
for (const warning of warnings) {
  const type = warning.match(/keys` config for `(\w+)`/)?.[1] ?? '?';
  const code = warning.match(/#(\d+)$/)?.[1];
  warned.set(type, new Set([...(warned.get(type) ?? []), code]));
}
console.log('Without those keys:');
for (const [type, codes] of [...warned].sort()) console.log(`  ${type}: warning ${[...codes].join(', ')}`);
