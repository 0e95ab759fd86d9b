"""Names -> links and groups: id, exact name, prefix, text search; ambiguous and unknown."""

from __future__ import annotations

import pytest

from bot.grammar import NameRef
from bot.resolve import MAX_CANDIDATES, ResolveError, resolve_group, resolve_link
from clickmeter import ClickMeterClient
from tests.conftest import Sandbox


async def test_by_id(client: ClickMeterClient) -> None:
    dp = await resolve_link(client, NameRef("2028577"))
    assert (dp.id, dp.name) == (2028577, "spring-sale-garden")


@pytest.mark.parametrize(
    "typed", ["spring-sale-garden", "Spring-Sale-GARDEN", "Spring sale garden"]
)
async def test_by_exact_name_or_title_any_case(client: ClickMeterClient, typed: str) -> None:
    dp = await resolve_link(client, NameRef(typed, quoted=" " in typed))
    assert dp.id == 2028577


async def test_by_unique_prefix(client: ClickMeterClient) -> None:
    dp = await resolve_link(client, NameRef("spring-sale-gar"))
    assert dp.name == "spring-sale-garden"


async def test_exact_beats_longer_names(sandbox: Sandbox, client: ClickMeterClient) -> None:
    # "webinar-q1" is exact even though other names contain it or start like it.
    names = [d["name"] for d in sandbox.state()["datapoints"]]
    assert "webinar-q1" in names
    dp = await resolve_link(client, NameRef("webinar-q1"))
    assert dp.name == "webinar-q1"


async def test_ambiguous_lists_candidates_and_how_to_pick(
    sandbox: Sandbox, client: ClickMeterClient
) -> None:
    with pytest.raises(ResolveError) as caught:
        await resolve_link(client, NameRef("spring"), command="hits")
    error = caught.value
    spring = {d["id"] for d in sandbox.state()["datapoints"] if d["name"].startswith("spring")}
    assert {id_ for id_, _ in error.candidates} == spring
    assert f"matches {len(spring)} links" in error.message
    assert f"`/clickmeter hits {error.candidates[0][0]}`" in error.message
    for id_, name in error.candidates:
        assert f"{name} (`{id_}`)" in error.message


async def test_ambiguous_lists_at_most_ten(sandbox: Sandbox, client: ClickMeterClient) -> None:
    # "-" is in every name: a text search matching everything.
    with pytest.raises(ResolveError) as caught:
        await resolve_link(client, NameRef("-"))
    assert len(caught.value.candidates) == MAX_CANDIDATES
    # Deleted links are left out when live ones match.
    live = [d for d in sandbox.state()["datapoints"] if d["status"] != 3]
    assert f"matches {len(live)} links" in caught.value.message
    assert f"… and {len(live) - MAX_CANDIDATES:,} more" in caught.value.message


async def test_unknown_name_suggests_the_closest(client: ClickMeterClient) -> None:
    with pytest.raises(ResolveError) as caught:
        await resolve_link(client, NameRef("sprng-sale-gardn"))
    message = caught.value.message
    assert "no link named `sprng-sale-gardn`" in message
    assert "`spring-sale-garden`" in message
    assert caught.value.candidates == []


async def test_unknown_id(client: ClickMeterClient) -> None:
    with pytest.raises(ResolveError) as caught:
        await resolve_link(client, NameRef("999"))
    assert "no link with id `999`" in caught.value.message


async def test_user_text_is_escaped(client: ClickMeterClient) -> None:
    with pytest.raises(ResolveError) as caught:
        await resolve_link(client, NameRef("<!channel> & co", quoted=True))
    assert "&lt;!channel&gt; &amp; co" in caught.value.message
    assert "<!channel>" not in caught.value.message


@pytest.mark.parametrize("typed", ["189703", "podcast", "Pod"])
async def test_groups(client: ClickMeterClient, typed: str) -> None:
    group = await resolve_group(client, NameRef(typed))
    assert (group.id, group.name) == (189703, "Podcast")


async def test_unknown_group(client: ClickMeterClient) -> None:
    with pytest.raises(ResolveError) as caught:
        await resolve_group(client, NameRef("Podcats"))
    assert "no group named `Podcats`" in caught.value.message
    assert "`Podcast`" in caught.value.message
    assert "`/clickmeter groups`" in caught.value.message
