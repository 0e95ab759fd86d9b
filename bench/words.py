"""How long the plain-words reader takes to read a question against a large account.

    .venv/bin/python -m bench.words [--links 1000] [--groups 1000] [--rounds 5]

The reader runs on the bot's event loop, so its time is time no other answer (or ack) runs.
A synthetic account of `--links` and `--groups` names (made of the sandbox's own vocabulary,
so prefixes and shared words collide as in real accounts), and a set of questions: the
easy (a timeframe, a name spelled exactly), the loose (a typo, one word of a group), the
dated (a month, `since monday`: the clock's phrasings) and the
not understood (every pass, and the suggestion, run). Prints one JSON object: per kind, the
median and worst milliseconds per question over `--rounds` rounds, and what indexing a fresh
book costs (once per book read). The listener reads in a worker thread
(`asyncio.to_thread`), so neither blocks the event loop; this is the CPU each costs.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import time
from datetime import date

from bot.words import NameBook, understand
from bot.words.names import Kind

#: The indexes a book builds as questions need them: any name, a link's, a group's.
KINDS: tuple[list[Kind], ...] = (["link", "group"], ["link"], ["group"])

_STEMS = ("spring-sale", "newsletter", "blog-post", "webinar", "podcast-ep", "rt-banner", "launch")
#: The account's day the questions are read on (`dated` ones need it).
TODAY = date(2026, 12, 2)
_TAILS = ("mobile", "garden", "q1", "q2", "q3", "q4", "europe", "usa", "kids", "pro", "audio")

QUESTIONS = {
    "exact": ["how did spring-sale-garden-7 do yesterday?", "clicks last week", "top countries"],
    "loose": [
        "top countries this month for the newsletter group",
        "how did sprng-sale-gardn-7 do",
        "last 20 clicks on blog post pro 12",
    ],
    "dated": [
        "top countries in october for the newsletter group",
        "clicks since monday for spring-sale-garden-7",
        "how did blog post pro 12 do over the last 14 days",
    ],
    "not_understood": [
        "how did the zebra campaign in atlantis do for the last 12 days or so, thanks mate",
        "foo bar baz qux quux corge grault garply waldo fred plugh xyzzy thud",
    ],
}


def book(links: int, groups: int) -> NameBook:
    names = (f"{s}-{t}-{n}" for n in itertools.count() for s in _STEMS for t in _TAILS)
    link_names = tuple(itertools.islice(names, links))
    group_names = tuple(
        f"{s.replace('-', ' ').title()} {n}" for n, s in zip(range(groups), itertools.cycle(_STEMS))
    )
    return NameBook(link_names, group_names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=1000)
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    account = book(args.links, args.groups)
    result: dict[str, object] = {"links": args.links, "groups": args.groups}
    builds: list[float] = []
    fresh = account
    for _ in range(args.rounds):
        # What a fresh book costs once (it is read at most once a minute per account).
        fresh = NameBook(account.links, account.groups)
        start = time.perf_counter()
        for kinds in KINDS:
            fresh.index(kinds)
        builds.append((time.perf_counter() - start) * 1000)
    result["index_build_ms"] = _summary(builds)
    for kind, questions in QUESTIONS.items():
        times: list[float] = []
        for _ in range(args.rounds):
            for question in questions:
                start = time.perf_counter()
                understand(question, fresh, TODAY)
                times.append((time.perf_counter() - start) * 1000)
        result[kind] = _summary(times)
    print(json.dumps(result))


def _summary(times: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(times), 2), "max_ms": round(max(times), 2)}


if __name__ == "__main__":
    main()
