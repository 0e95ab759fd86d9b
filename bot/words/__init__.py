"""Questions in plain words (`@clickbot how did spring-sale do yesterday?`, a DM to the bot)
-> the `/clickmeter` command whose answer they get.

`understand(text, book, today)` is pure (`reader`), against the account's names (`NameBook`, read
by `book.name_book`); `replies` words what is not run (a change, a question not understood).
Modules: `vocabulary` (the words and what each means), `pieces` (message -> words),
`names` (words -> a link or group of the account), `dates` (phrasings that need the clock ->
days), `reader`, `book`, `replies`.
"""

from bot.words.names import NameBook, Named
from bot.words.reader import Answer, NotUnderstood, Understanding, UseSlash, understand

__all__ = [
    "Answer",
    "NameBook",
    "Named",
    "NotUnderstood",
    "Understanding",
    "UseSlash",
    "understand",
]
