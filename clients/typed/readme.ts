// The generated types in use: a typo in a field, or a field the query does not select,
// fails `tsc --strict`.
import type { MaiskyThenAndNowQuery, PersonsAndEventsQuery } from '../generated/operations';

export function eventLines(data: PersonsAndEventsQuery): string[] {
  return data.events.results.map((event) => {
    const place = event.place ? `, ${event.place.name}` : '';
    return `${event.date?.display ?? "undated"}: ${event.name} (${event.kind}${place})`;
  });
}

export function bornThenAndNow(data: MaiskyThenAndNowQuery): [string | null, string | null] {
  return [data.then?.born?.display ?? null, data.now?.born?.display ?? null];
}
