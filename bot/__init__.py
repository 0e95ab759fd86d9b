"""The Slack side of clickbot: what users type and click, and what they see back.

Bolt's side is `app` (the AsyncApp, created once), `web` and `socket` (how it is served) and
`listeners/` (one small listener per Slack surface, acking at once). clickbot's own side, with
no Bolt in it: `grammar/` (the `/clickmeter` language: text -> typed command), `resolve` (names
-> ClickMeter links and groups), `answers/` (command -> Message), `reply` (text -> the message
sent back, whatever happens), `home` (the App Home view) and `shares` (answers kept for
Share in channel). `services` is what listeners are handed; `runtime` assembles the processes.
It imports `alerts`, `messages`, `storage`, `clickmeter` and `config`, never `devtools` or `cli`.
"""
