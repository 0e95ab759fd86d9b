"""Subcommands made of actions (`alert add`, `alert webhook list`, `digest preview`...): the
table of one subcommand's actions and the dispatch on the word after it.

An `Actions` is filled by decorating each action's parse function with `@actions.action(...)`;
`dispatch` reads the action word, narrows errors to that action's usage and parses the rest, or
fails saying which actions there are, with the closest one (or a left-out `add`) as the fix.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from bot.grammar.arguments import Arguments
from bot.grammar.commands import Command
from bot.grammar.grammar import ParseFn, Subcommand
from bot.grammar.suggest import closest, code
from bot.grammar.tokens import Word

_F = TypeVar("_F", bound=ParseFn)

#: Words for an action that every subcommand made of actions understands.
ACTION_SYNONYMS = {
    "new": "add",
    "create": "add",
    "ls": "list",
    "show": "list",
    "delete": "remove",
    "del": "remove",
    "rm": "remove",
}


class Actions:
    """The actions of the subcommand `name` (e.g. `alert webhook`), in the order help lists them.

    `synonyms` are words that mean an action, on top of ACTION_SYNONYMS; `means_add(word)` says
    whether a first word that is no action starts the clauses of `add` (its `add` left out).
    """

    def __init__(
        self,
        name: str,
        synonyms: Mapping[str, str],
        means_add: Callable[[str], bool] | None = None,
    ) -> None:
        self.name = name
        #: Action word -> its usage, summary and example (errors show the action's own usage).
        self.table: dict[str, Subcommand] = {}
        self._synonyms = {**ACTION_SYNONYMS, **synonyms}
        self._means_add = means_add

    def action(self, word: str, usage: str, summary: str, example: str) -> Callable[[_F], _F]:
        """Registers the decorated function as the parser of the action `word`."""

        def register(parse_fn: _F) -> _F:
            self.table[word] = Subcommand(f"{self.name} {word}", usage, summary, example, parse_fn)
            return parse_fn

        return register

    def dispatch(self, args: Arguments, end: int) -> Command:
        """The command of the action named by the first word left; `end` is the token index
        where a missing action word would go."""
        left = args.left()
        index, token = left[0] if left else (end, None)
        key = token.key if isinstance(token, Word) else None
        if key is not None and key in self.table:
            args.take({index})
            action = self.table[key]
            args.narrow(action)
            return action.parse(args)
        actions = ", ".join(f"`{a}`" for a in self.table)
        fix = None
        if token is None:
            problem = f"`{self.name}` needs what to do: {actions}."
            fix = (end, 0, "list")
        else:
            problem = (
                f"{code(token.display())} isn't something `{self.name}` does; it does {actions}."
            )
            if key is not None:
                guess = closest(key, self.table, self._synonyms)
                if guess is not None:
                    fix = (index, 1, guess)
                elif self._means_add is not None and self._means_add(key):
                    fix = (index, 0, "add")
        raise args.error(problem, fix)
