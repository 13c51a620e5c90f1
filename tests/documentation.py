"""The GraphQL examples of the README and of docs/, which the tests run and cost."""

import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def graphql_blocks(path: Path) -> list[str]:
    """The text of each ```graphql block of ``path``, in order."""
    return re.findall(r"```graphql\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.DOTALL)


# "README.md-0", "docs/api.md-3", …: where each example is, for test ids and failures.
EXAMPLES = {
    f"{path.relative_to(ROOT)}-{i}": query
    for path in DOCUMENTS
    for i, query in enumerate(graphql_blocks(path))
}


def curl_commands(path: Path) -> list[str]:
    """Each ``curl`` command of ``path``'s ```sh blocks, its continued lines joined."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.DOTALL):
        for line in block.replace("\\\n", " ").splitlines():
            command = line.split("  #", 1)[0].strip()
            if command.startswith("curl "):
                commands.append(command)
    return commands


def curl_request(command: str) -> dict:
    """What a ``curl`` command sends: method, URL, headers and body (the options the
    docs use: ``-s``, ``-H``, ``-d``, ``-X``); any other option is an error here, so
    a new one is read rather than ignored."""
    words = shlex.split(command)[1:]
    request = {"method": None, "url": None, "headers": {}, "body": None}
    while words:
        word = words.pop(0)
        if word == "-s":
            continue
        if word == "-H":
            name, value = words.pop(0).split(":", 1)
            request["headers"][name.strip()] = value.strip()
        elif word in ("-d", "--data"):
            request["body"] = words.pop(0)
        elif word == "-X":
            request["method"] = words.pop(0)
        elif word.startswith("http") and request["url"] is None:
            request["url"] = word
        else:
            raise ValueError(f"curl option not read by the tests: {word!r} in {command!r}")
    request["method"] = request["method"] or ("POST" if request["body"] is not None else "GET")
    return request


CURL_EXAMPLES = {
    f"{path.relative_to(ROOT)}-curl-{i}": command
    for path in DOCUMENTS
    for i, command in enumerate(curl_commands(path))
}
