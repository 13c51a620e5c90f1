"""gql in Python: the README's first query, then a query over a limit, whose error
gql raises with its extensions.code.

    python clients/python/readme.py http://127.0.0.1:8000/graphql/

Prints the same lines as clients/apollo/readme.mjs and clients/browser/index.html.
"""

import sys
from pathlib import Path

from gql import Client, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.requests import RequestsHTTPTransport

OPERATIONS = Path(__file__).resolve().parent.parent / "operations"


def operation(name: str):
    return gql((OPERATIONS / f"{name}.graphql").read_text(encoding="utf-8"))


def main(url: str) -> None:
    transport = RequestsHTTPTransport(url=url, timeout=30, retries=0)
    with Client(transport=transport) as session:
        data = session.execute(operation("PersonsAndEvents"))
        print("Persons: " + ", ".join(person["name"] for person in data["persons"]["results"]))
        print(f"Events of July and August 1941: {data['events']['totalCount']}")
        for event in data["events"]["results"]:
            place = f", {event['place']['name']}" if event["place"] else ""
            print(f"  {event['date']['display']}: {event['name']} ({event['kind']}{place})")
        try:
            session.execute(operation("OverTheLimit"))
            print("OverTheLimit: no error")
        except TransportQueryError as error:
            for each in error.errors:
                print(f"OverTheLimit: {each['extensions']['code']}: {each['message']}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python python/readme.py URL")
    main(sys.argv[1])
