"""A rule's scope columns become one Subject value, and its key is what the tables hold."""

from __future__ import annotations

import pytest

from storage import Database
from storage.subjects import ACCOUNT, Subject
from tests.storage.helpers import TEAM, add_rule


@pytest.mark.parametrize(
    ("scope_kind", "scope_ref", "subject", "key"),
    [
        ("account", "account", ACCOUNT, "account"),
        ("account", "", ACCOUNT, "account"),
        ("link", " 042 ", Subject("datapoint", "42"), "datapoint:42"),
        ("group", "189630", Subject("group", "189630"), "group:189630"),
        ("tag", " Email ", Subject("tag", "email"), "tag:email"),
    ],
)
def test_a_scope_is_one_subject(
    scope_kind: str, scope_ref: str, subject: Subject, key: str
) -> None:
    assert Subject.of_scope(scope_kind, scope_ref) == subject
    assert (subject.key, str(subject)) == (key, key)


@pytest.mark.parametrize(
    ("scope_kind", "scope_ref"), [("link", "spring-sale"), ("group", ""), ("campaign", "9")]
)
def test_a_scope_that_names_no_subject_is_refused(scope_kind: str, scope_ref: str) -> None:
    with pytest.raises(ValueError, match=scope_kind):
        Subject.of_scope(scope_kind, scope_ref)


def test_only_a_link_has_a_link_id() -> None:
    assert Subject("datapoint", "42").link_id == 42
    assert [s.link_id for s in (ACCOUNT, Subject("group", "9"), Subject("tag", "x"))] == [None] * 3


async def test_a_stored_rule_knows_its_subject(database: Database) -> None:
    async with database.transaction() as tx:
        rule = await add_rule(tx, scope_kind="tag", scope_ref="Email", scope_label="email")
        assert rule.subject == Subject("tag", "email")
    async with database.transaction() as tx:
        again = await tx.rules.get(TEAM, rule.id)
        assert again is not None
        assert again.subject.key == "tag:email"
