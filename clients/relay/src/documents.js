// Fragments a Relay app would write against the archive, compiled by relay-compiler in
// tests/test_clients.py: a list paged by cursor (@connection, refetched for the next
// page by @refetchable) and a record refetched by its global id through node(id:).
import { graphql } from 'relay-runtime';

export const documentsPage = graphql`
  fragment documents_query on Query
  @refetchable(queryName: "DocumentsPaginationQuery")
  @argumentDefinitions(
    count: { type: "Int", defaultValue: 20 }
    cursor: { type: "String" }
    filters: { type: "DocumentFilter" }
  ) {
    documentsConnection(first: $count, after: $cursor, filters: $filters)
      @connection(key: "documents_documentsConnection", filters: ["filters"]) {
      totalCount
      edges {
        node {
          id
          slug
          title
          date { display }
          signatories { id role person { id name } }
        }
      }
    }
  }
`;

export const person = graphql`
  fragment documents_person on Person @refetchable(queryName: "PersonRefetchQuery") {
    id
    name
    born { display }
  }
`;
